"""Storefront routes. `config.urls` puts `urlpatterns` at the site's root and `provider_urlpatterns`
in the "providers" namespace beside the providers' own pages (the public page stays
`providers:public` at /providers/p/<slug>/)."""

from django.urls import path

from core.db import replica_view
from storefront import views

urlpatterns = [
    path("", replica_view(views.home), name="home"),
    path("search/", replica_view(views.search), name="search"),
    path("ranking/", replica_view(views.ranking), name="ranking"),
    path("compare/", replica_view(views.compare), name="compare"),
    path("compare/<int:offering_id>/", views.compare_toggle, name="compare_toggle"),
    path("legal/terms/", replica_view(views.terms), name="terms"),
    path("legal/notice/", replica_view(views.legal_notice), name="legal_notice"),
]

provider_urlpatterns = [
    path("p/<slug:slug>/", replica_view(views.provider_page), name="public"),
]
