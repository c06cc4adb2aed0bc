"""/api/v1/disputes/… endpoints."""

from __future__ import annotations

app_name = "disputes-api"

urlpatterns: list = []
