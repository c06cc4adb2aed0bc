"""Storefront routes, at the site's root."""

from django.urls import path

from storefront import views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("compare/", views.compare, name="compare"),
    path("compare/<int:offering_id>/", views.compare_toggle, name="compare_toggle"),
    path("legal/terms/", views.terms, name="terms"),
    path("legal/notice/", views.legal_notice, name="legal_notice"),
]
