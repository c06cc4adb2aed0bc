"""/messages/… pages."""

from __future__ import annotations

from messaging.views import urlpatterns as urlpatterns  # noqa: PLC0414 -- the views own their routes

app_name = "messaging"
