"""/second-opinion/…: the patient's request and case, the coordinators' triage, the specialists' side,
and what comes after the opinion (each view module owns its patterns)."""

from __future__ import annotations

from secondopinion.views import after, coordinator, patient, specialist

app_name = "secondopinion"

urlpatterns = [*patient.urlpatterns, *coordinator.urlpatterns, *specialist.urlpatterns, *after.urlpatterns]
