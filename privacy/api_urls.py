"""/api/v1/privacy/…: the same rights in the API (each API module owns its patterns)."""

from __future__ import annotations

from privacy.api import consents, erasure, requests

app_name = "privacy-api"

urlpatterns = [*requests.urlpatterns, *erasure.urlpatterns, *consents.urlpatterns]
