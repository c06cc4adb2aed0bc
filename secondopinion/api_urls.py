"""/api/v1/second-opinions/…, in the OpenAPI schema (each API module owns its patterns)."""

from __future__ import annotations

from secondopinion.api import after, coordinator, patient, specialist

urlpatterns = [*patient.urlpatterns, *coordinator.urlpatterns, *specialist.urlpatterns, *after.urlpatterns]
