"""Storefront API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from storefront import api

urlpatterns = [
    path("search/", api.SearchAPI.as_view(), name="api_search"),
    path("compare/", api.CompareAPI.as_view(), name="api_compare"),
]
