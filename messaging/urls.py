"""/messaging/… pages."""

from __future__ import annotations

app_name = "messaging"

urlpatterns: list = []
