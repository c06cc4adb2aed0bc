"""Second-opinion API (/api/v1/second-opinions/…): the after side.
Owns its `urlpatterns` (secondopinion/api_urls.py joins them)."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
