"""/api/v1/reviews/… endpoints."""

from __future__ import annotations

app_name = "reviews-api"

urlpatterns: list = []
