"""Storefront API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from core.db import replica_view
from storefront import api

urlpatterns = [
    path("search/", replica_view(api.SearchAPI.as_view()), name="api_search"),
    path("compare/", api.CompareAPI.as_view(), name="api_compare"),
]
