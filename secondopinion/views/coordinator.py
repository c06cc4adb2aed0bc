"""Second-opinion pages: the coordinator side.
Each view module owns its `urlpatterns` (secondopinion/urls.py joins them)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
