"""/api/v1/disputes/… endpoints."""

from __future__ import annotations

from disputes.api import urlpatterns

app_name = "disputes-api"

__all__ = ["app_name", "urlpatterns"]
