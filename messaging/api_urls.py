"""/api/v1/messaging/… endpoints."""

from __future__ import annotations

app_name = "messaging-api"

urlpatterns: list = []
