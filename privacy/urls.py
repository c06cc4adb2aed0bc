"""/account/privacy/…: the person's data rights (requests, export, erasure) and consents; the
providers' answers to forwarded requests (each view module owns its patterns)."""

from __future__ import annotations

from privacy.views import consents, erasure, requests

app_name = "privacy"

urlpatterns = [*requests.urlpatterns, *erasure.urlpatterns, *consents.urlpatterns]
