"""/messages/… pages."""

from __future__ import annotations

from messaging.views import urlpatterns as urlpatterns

app_name = "messaging"
