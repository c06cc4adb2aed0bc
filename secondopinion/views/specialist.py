"""Second-opinion pages: the specialist side.
Each view module owns its `urlpatterns` (secondopinion/urls.py joins them)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
