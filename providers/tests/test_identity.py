"""A verified provider that changes who it is goes back to the careteam (docs/decisions.md#provider-identity-changes).

Reproduces the finding: renamed "Mayo Clinic Rochester", or given other specialties, a provider
stayed verified and its public page kept the old "verified on" date.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from providers import services
from providers.models import Provider, VerificationStatus, VerificationStep
from providers.selectors import providers_awaiting_verification, providers_public
from providers.services import ProviderDetails, Registration
from providers.tests.factories import SpecialtyFactory

pytestmark = pytest.mark.django_db


def _details(provider: Provider, **changes) -> ProviderDetails:
    fields = {
        name: getattr(provider, name)
        for name in ("kind", "name", "facility_type", "biography", "languages", "default_currency", "email")
    }
    return ProviderDetails(**{**fields, **changes})


def _update(provider, actor, **kwargs):
    details = kwargs.pop("details", _details(provider))
    return services.provider_update(provider=provider, actor=actor, details=details, now=timezone.now(), **kwargs)


def test_a_renamed_verified_provider_is_back_in_review_without_its_badge(client, clinic, clinic_admin):
    verified_on = clinic.verified_at

    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))

    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.PENDING
    assert clinic.verified_at is None
    assert clinic.changes_under_review
    assert clinic.identity_changes == {"name": {"from": "Clinique du Lac", "to": "Mayo Clinic Rochester"}}
    assert not providers_public().filter(pk=clinic.pk).exists()
    page = client.get(reverse("providers:public", kwargs={"slug": clinic.slug}))
    assert page.status_code == 404
    assert "Verified on" not in page.content.decode()
    assert verified_on is not None
    # Audited with the old and new values, and in the verification history.
    event = AuditEvent.objects.get(action="providers.verification.review_requested")
    assert event.actor_id == clinic_admin.pk
    assert event.before == {"status": "verified"}
    assert event.after["status"] == "pending"
    assert event.after["changes"] == {"name": {"from": "Clinique du Lac", "to": "Mayo Clinic Rochester"}}
    step = VerificationStep.objects.get(provider=clinic)
    assert (step.from_status, step.to_status) == ("verified", "pending")


def test_new_specialties_or_a_new_registration_are_reviewed_again(clinic, clinic_admin):
    _update(clinic, clinic_admin, specialties=[SpecialtyFactory(code="neurosurgery")])
    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.PENDING
    assert clinic.identity_changes["specialties"] == {"from": [], "to": ["neurosurgery"]}

    # A second change while under review adds to it, keeping what was last verified as "from".
    _update(
        clinic,
        clinic_admin,
        registration=Registration(register="national", register_country="US", registration_number="MN-1"),
    )
    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.PENDING
    assert set(clinic.identity_changes) == {"specialties", "register", "register_country", "registration_number"}
    assert clinic.identity_changes["register_country"] == {"from": "FR", "to": "US"}
    assert clinic.registration_number == "MN-1"


def test_changing_the_biography_or_contact_keeps_the_provider_verified(clinic, clinic_admin):
    verified_on = clinic.verified_at

    _update(clinic, clinic_admin, details=_details(clinic, biography="Now with a new wing.", email="hello@lac.test"))

    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.VERIFIED
    assert clinic.verified_at == verified_on
    assert clinic.identity_changes == {}
    assert not AuditEvent.objects.filter(action="providers.verification.review_requested").exists()


def test_the_careteam_queue_shows_what_changed_and_verifying_again_clears_it(client, clinic, clinic_admin, careteam):
    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))
    client.force_login(careteam)

    queue = client.get(reverse("providers:verification_queue")).content.decode()
    review = client.get(reverse("providers:verification_review", kwargs={"provider_id": clinic.pk})).content.decode()

    assert clinic in providers_awaiting_verification()
    assert "Changes under review" in queue
    assert "Clinique du Lac" in queue
    assert "Mayo Clinic Rochester" in queue
    assert "Clinique du Lac" in review
    response = client.post(
        reverse("providers:verification_review", kwargs={"provider_id": clinic.pk}),
        {"decision": "verify", "checked": "Register entry matches the new name."},
    )
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.VERIFIED
    assert clinic.identity_changes == {}
    assert clinic.verified_at is not None
    event = AuditEvent.objects.get(action="providers.verification.verified")
    assert event.after["changes"] == {"name": {"from": "Clinique du Lac", "to": "Mayo Clinic Rochester"}}


def test_a_rename_through_the_api_is_reviewed_again(api_as, clinic, clinic_admin):
    response = api_as(clinic_admin).patch(
        f"/api/v1/my/providers/{clinic.pk}/", {"name": "Mayo Clinic Rochester"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "pending"
    assert response.json()["verified_at"] is None
    assert api_as(None).get(f"/api/v1/providers/{clinic.slug}/").status_code in {401, 403, 404}


def test_a_new_registration_through_the_api_is_checked_and_reviewed(api_as, clinic, clinic_admin):
    client = api_as(clinic_admin)

    bad = client.patch(f"/api/v1/my/providers/{clinic.pk}/", {"registration_number": " "}, format="json")
    good = client.patch(f"/api/v1/my/providers/{clinic.pk}/", {"registration_number": "10999"}, format="json")

    assert bad.status_code == 400
    assert good.status_code == 200, good.content
    clinic.refresh_from_db()
    assert clinic.identity_changes == {
        "registration_number": {"from": clinic.identity_changes["registration_number"]["from"], "to": "10999"}
    }
    assert clinic.status == VerificationStatus.PENDING


def test_the_profile_page_keeps_the_registration_and_a_rename_there_is_reviewed(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    url = reverse("providers:profile_edit", kwargs={"provider_id": clinic.pk})
    form = client.get(url).context["form"]
    data = {name: value for name, value in form.initial.items() if name not in {"specialties", "procedures"}}

    unchanged = client.post(url, {**data, "biography": "New wing."})
    clinic.refresh_from_db()
    assert unchanged.status_code == 302
    assert clinic.status == VerificationStatus.VERIFIED

    renamed = client.post(url, {**data, "name": "Mayo Clinic Rochester"})
    clinic.refresh_from_db()
    assert renamed.status_code == 302
    assert clinic.status == VerificationStatus.PENDING


def test_the_dashboard_tells_the_provider_its_changes_are_under_review(client, clinic, clinic_admin):
    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))
    client.force_login(clinic_admin)

    page = client.get(reverse("providers:dashboard", kwargs={"provider_id": clinic.pk})).content.decode()

    assert 'data-testid="changes-under-review"' in page
    assert "See the public page" not in page


def test_a_suspended_providers_changes_wait_for_the_careteams_next_decision(clinic, clinic_admin, careteam):
    services.provider_suspend(provider=clinic, actor=careteam, checked="Complaint", note="", now=timezone.now())

    _update(clinic, clinic_admin, details=_details(clinic, name="Mayo Clinic Rochester"))

    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.SUSPENDED
    assert clinic.identity_changes["name"]["to"] == "Mayo Clinic Rochester"
    assert AuditEvent.objects.filter(action="providers.provider.identity_changed").exists()
