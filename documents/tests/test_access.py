"""Who may read a document: its owner, and members of a provider it is shared with, while the grant is live.

Everyone else gets 404 whether or not the document exists, on the page and in the API, and every
attempt leaves exactly one audit event.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory, sign_in
from core.errors import NotFound, ValidationFailed
from core.models import AuditEvent
from documents import services
from documents.models import DocumentGrant
from documents.tests.helpers import upload_file
from documents.tests.samples import pdf, png
from providers.models import MemberRole, VerificationStatus
from providers.tests.factories import MemberFactory, ProviderFactory

pytestmark = pytest.mark.django_db

READ = "documents.document.read"
DENIED = "documents.document.read_denied"


def _grant(document, provider, *, now=None, expires_at=None):
    return services.document_grant(
        document=document, actor=document.owner, provider=provider, now=now or timezone.now(), expires_at=expires_at
    )


def _download(transport: str, user, document_id) -> tuple[int, bytes, object]:
    """GET the download through the page or the API as `user` (None: signed out)."""
    if transport == "page":
        client = Client()
        if user is not None:
            sign_in(client, user)  # signed in just now: the download asks for no re-authentication
        response = client.get(reverse("documents:download", kwargs={"document_id": document_id}))
    else:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        response = client.get(f"/api/v1/documents/{document_id}/download/")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, body, response


def _events(document, action: str) -> int:
    return AuditEvent.objects.filter(
        action=action, target_type="documents.medicaldocument", target_id=str(document.pk)
    ).count()


TRANSPORTS = ["page", "api"]


# --- the matrix --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_owner_reads_their_document(transport, patient, document, pdf_bytes):
    status, body, _ = _download(transport, patient, document.pk)

    assert status == 200
    assert body == pdf_bytes
    assert _events(document, READ) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_member_of_a_provider_with_a_live_grant_reads_it(transport, document, clinic, clinic_member, pdf_bytes):
    _grant(document, clinic, expires_at=timezone.now() + dt.timedelta(days=7))

    status, body, _ = _download(transport, clinic_member, document.pk)

    assert status == 200
    assert body == pdf_bytes
    event = AuditEvent.objects.get(action=READ)
    assert event.actor_id == clinic_member.pk
    assert event.after["as"] == "provider"
    assert event.after["provider"] == clinic.pk


def _expired(document, clinic):
    past = timezone.now() - dt.timedelta(days=2)
    _grant(document, clinic, now=past, expires_at=past + dt.timedelta(days=1))


def _revoked(document, clinic):
    grant = _grant(document, clinic)
    services.document_revoke(grant=grant, actor=document.owner, now=timezone.now())


def _granted_to_the_rival(document, clinic):
    # Shared with a provider, but not the reader's.
    _grant(document, ProviderFactory(name="Somewhere Else"))


def _provider_suspended_since(document, clinic):
    _grant(document, clinic)
    clinic.status = VerificationStatus.SUSPENDED
    clinic.save(update_fields=["status"])


DENIED_CASES = {
    "member of another provider": ("rival_member", _granted_to_the_rival),
    "another patient": ("other_patient", None),
    "clinic member, grant expired": ("clinic_member", _expired),
    "clinic member, grant revoked": ("clinic_member", _revoked),
    "clinic member, no grant": ("clinic_member", None),
    "clinic member, provider suspended": ("clinic_member", _provider_suspended_since),
    "careteam staff": ("careteam", None),
    "signed out": (None, None),
}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", DENIED_CASES)
def test_everyone_else_gets_not_found_and_the_attempt_is_audited(request, transport, case, document, clinic):
    persona, setup = DENIED_CASES[case]
    reader = request.getfixturevalue(persona) if persona else None
    if setup:
        setup(document, clinic)

    status, body, response = _download(transport, reader, document.pk)

    assert status == 404
    assert b"Haemoglobin" not in body
    assert "attachment" not in response.get("Content-Disposition", "")
    assert _events(document, DENIED) == 1
    assert _events(document, READ) == 0
    if transport == "api":
        assert set(response.json()) == {"code", "message", "details"}
        assert response.json()["code"] == "not_found"


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def _unmasked(body: bytes) -> bytes:
    return CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', body)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_missing_document_answers_exactly_like_a_forbidden_one(transport, other_patient, document):
    missing = uuid.uuid4()

    forbidden_status, forbidden_body, _ = _download(transport, other_patient, document.pk)
    missing_status, missing_body, _ = _download(transport, other_patient, missing)

    assert forbidden_status == missing_status == 404
    # The page's forms (sign out, language) carry a CSRF token masked afresh on every answer: random,
    # it tells nothing, so it is blanked before comparing.
    assert _unmasked(forbidden_body.replace(str(document.pk).encode(), b"")) == _unmasked(
        missing_body.replace(str(missing).encode(), b"")
    )
    # The probe of a random id is on record too.
    assert AuditEvent.objects.filter(action=DENIED, target_id=str(missing)).count() == 1


def test_audit_rows_equal_the_read_attempts_exactly_denied_ones_included(
    patient, other_patient, document, clinic, clinic_member, rival_member
):
    _grant(document, clinic)
    attempts = [
        ("page", patient, 200),
        ("api", patient, 200),
        ("page", clinic_member, 200),
        ("api", clinic_member, 200),
        ("api", clinic_member, 200),
        ("page", other_patient, 404),
        ("api", other_patient, 404),
        ("page", rival_member, 404),
        ("api", None, 404),
        ("page", None, 404),
    ]

    statuses = [_download(transport, user, document.pk)[0] for transport, user, _ in attempts]

    assert statuses == [expected for *_, expected in attempts]
    assert _events(document, READ) == 5
    assert _events(document, DENIED) == 5
    read_events = AuditEvent.objects.filter(action__in=[READ, DENIED], target_id=str(document.pk))
    assert read_events.count() == len(attempts)
    assert sorted(e.actor_id or 0 for e in read_events) == sorted(u.pk if u else 0 for _, u, _ in attempts)


def test_the_service_refuses_with_not_found_and_still_writes_the_event(other_patient, document):
    with pytest.raises(NotFound):
        services.document_read(document=document, reader=other_patient, now=timezone.now())

    event = AuditEvent.objects.get(action=DENIED)
    assert event.actor_id == other_patient.pk
    assert event.target_id == str(document.pk)


# --- the download response ----------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_download_is_an_attachment_the_browser_may_not_sniff_or_keep(transport, patient, document):
    status, _, response = _download(transport, patient, document.pk)

    assert status == 200
    assert response["Content-Disposition"] == 'attachment; filename="blood-test-march-2025.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert int(response["Content-Length"]) == document.size


def test_an_api_client_asking_for_the_files_own_type_still_gets_json_errors(other_patient, document):
    client = APIClient()
    client.force_authenticate(other_patient)

    response = client.get(f"/api/v1/documents/{document.pk}/download/", HTTP_ACCEPT="application/pdf")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _events(document, DENIED) == 1


# --- granting and revoking ----------------------------------------------------------------------------------


def test_only_the_owner_may_grant_and_a_stranger_learns_nothing(document, clinic, other_patient):
    with pytest.raises(NotFound):
        services.document_grant(document=document, actor=other_patient, provider=clinic, now=timezone.now())

    assert not DocumentGrant.objects.exists()


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.SUSPENDED, VerificationStatus.REJECTED]
)
def test_a_document_can_be_shared_with_verified_providers_only(document, status):
    provider = ProviderFactory(status=status)

    with pytest.raises(ValidationFailed, match="verified providers only"):
        _grant(document, provider)

    assert not DocumentGrant.objects.exists()


def test_an_end_of_access_in_the_past_is_refused(document, clinic):
    with pytest.raises(ValidationFailed) as refusal:
        _grant(document, clinic, expires_at=timezone.now() - dt.timedelta(minutes=1))

    assert "expires_at" in refusal.value.details


def test_granting_twice_records_one_grant_and_a_new_expiry_replaces_it(document, clinic):
    first = _grant(document, clinic)
    again = _grant(document, clinic)
    later = timezone.now() + dt.timedelta(days=30)
    replaced = _grant(document, clinic, expires_at=later)

    assert again.pk == first.pk
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert replaced.expires_at == later
    assert list(DocumentGrant.objects.live(now=timezone.now())) == [replaced]
    assert AuditEvent.objects.filter(action="documents.grant.created").count() == 2
    assert AuditEvent.objects.filter(action="documents.grant.revoked").count() == 1


def test_revoking_twice_changes_nothing_the_second_time(document, clinic):
    grant = _grant(document, clinic)
    services.document_revoke(grant=grant, actor=document.owner, now=timezone.now())
    revoked_at = DocumentGrant.objects.get().revoked_at

    services.document_revoke(grant=grant, actor=document.owner, now=timezone.now() + dt.timedelta(hours=1))

    assert DocumentGrant.objects.get().revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="documents.grant.revoked").count() == 1


def test_a_grant_covers_every_member_of_the_provider_and_only_that_document(patient, document, clinic, clinic_member):
    colleague = MemberFactory(provider=clinic, user=UserFactory(), role=MemberRole.ADMIN).user
    other_document = upload_file(patient, png(), title="Not shared")
    _grant(document, clinic)

    assert _download("api", colleague, document.pk)[0] == 200
    assert _download("api", clinic_member, other_document.pk)[0] == 404


def test_the_patient_shares_and_stops_sharing_from_the_documents_page(client, patient, document, clinic, clinic_member):
    client.force_login(patient)
    until = (timezone.now() + dt.timedelta(days=10)).date()

    response = client.post(
        reverse("documents:grant_add", kwargs={"document_id": document.pk}),
        {"provider": clinic.pk, "until": until.isoformat()},
        follow=True,
    )

    assert "Clinique du Lac can now read" in response.content.decode()
    grant = DocumentGrant.objects.get()
    assert grant.expires_at == dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=dt.UTC)
    assert _download("page", clinic_member, document.pk)[0] == 200

    response = client.post(
        reverse("documents:grant_revoke", kwargs={"document_id": document.pk, "grant_id": grant.pk}), follow=True
    )

    assert "Clinique du Lac can no longer read" in response.content.decode()
    assert _download("page", clinic_member, document.pk)[0] == 404


def test_another_patient_cannot_share_or_revoke_from_the_page(client, other_patient, document, clinic):
    grant = _grant(document, clinic)
    client.force_login(other_patient)

    shared = client.post(reverse("documents:grant_add", kwargs={"document_id": document.pk}), {"provider": clinic.pk})
    revoked = client.post(reverse("documents:grant_revoke", kwargs={"document_id": document.pk, "grant_id": grant.pk}))

    assert shared.status_code == 404
    assert revoked.status_code == 404
    assert DocumentGrant.objects.get().revoked_at is None


def test_the_patient_shares_lists_and_revokes_through_the_api(api_as, patient, document, clinic, clinic_member):
    api = api_as(patient)
    url = f"/api/v1/documents/{document.pk}/grants/"

    created = api.post(url, {"provider": clinic.pk}, format="json")
    listed = api.get(url)

    assert created.status_code == 201
    assert created.json()["provider_name"] == "Clinique du Lac"
    assert created.json()["is_live"] is True
    assert [g["id"] for g in listed.json()] == [created.json()["id"]]
    assert _download("api", clinic_member, document.pk)[0] == 200

    deleted = api.delete(f"{url}{created.json()['id']}/")

    assert deleted.status_code == 204
    assert api.get(url).json()[0]["is_live"] is False
    assert _download("api", clinic_member, document.pk)[0] == 404


def test_the_grants_of_a_document_are_not_found_for_anyone_but_its_owner(api_as, document, clinic, clinic_member):
    _grant(document, clinic)
    url = f"/api/v1/documents/{document.pk}/grants/"

    assert api_as(clinic_member).get(url).status_code == 404
    assert api_as(clinic_member).post(url, {"provider": clinic.pk}, format="json").status_code == 404


def test_an_unverified_provider_is_refused_through_the_api_with_the_error_shape(api_as, patient, document):
    pending = ProviderFactory(status=VerificationStatus.PENDING)

    response = api_as(patient).post(f"/api/v1/documents/{document.pk}/grants/", {"provider": pending.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "provider_not_verified"
    assert not DocumentGrant.objects.exists()


def test_the_documents_page_lists_only_mine_with_their_sharing(client, patient, other_patient, document, clinic):
    upload_file(other_patient, pdf(), title="Bob's secret report")
    _grant(document, clinic)
    client.force_login(patient)

    page = client.get(reverse("documents:list")).content.decode()

    assert "Blood test, March 2025" in page
    assert "Bob" not in page
    assert "Clinique du Lac" in page
    assert "Stop sharing" in page


# --- probes of random ids (docs/decisions.md#anonymous-document-probes) -----------------------------------


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_refused_read_records_the_client_address(transport, document):
    client = Client(REMOTE_ADDR="203.0.113.7") if transport == "page" else APIClient(REMOTE_ADDR="203.0.113.7")
    url = (
        reverse("documents:download", kwargs={"document_id": document.pk})
        if transport == "page"
        else f"/api/v1/documents/{document.pk}/download/"
    )

    assert client.get(url).status_code == 404

    event = AuditEvent.objects.get(action=DENIED, target_id=str(document.pk))
    assert event.actor_id is None
    assert event.ip == "203.0.113.7"


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_anonymous_probes_of_random_ids_are_audited_once_a_minute_and_throttled(transport, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"document_probes": "5/min"}}
    client = Client(REMOTE_ADDR="198.51.100.9") if transport == "page" else APIClient(REMOTE_ADDR="198.51.100.9")
    other = Client(REMOTE_ADDR="198.51.100.10") if transport == "page" else APIClient(REMOTE_ADDR="198.51.100.10")

    def probe(c):
        document_id = uuid.uuid4()
        if transport == "page":
            return c.get(reverse("documents:download", kwargs={"document_id": document_id}))
        return c.get(f"/api/v1/documents/{document_id}/download/")

    # The rate counts in fixed one-minute windows: start early in one, so the probes cannot straddle two.
    with time_machine.travel(dt.datetime(2031, 3, 1, 12, 0, 5, tzinfo=dt.UTC), tick=True):
        statuses = [probe(client).status_code for _ in range(8)]

        assert statuses == [404] * 5 + [429] * 3
        # One row for the address this minute, with the address, not one per random id.
        events = AuditEvent.objects.filter(action=DENIED)
        assert [e.ip for e in events] == ["198.51.100.9"]
        # Another address is neither throttled nor merged into the first one's row.
        assert probe(other).status_code == 404
        assert sorted(e.ip for e in AuditEvent.objects.filter(action=DENIED)) == ["198.51.100.10", "198.51.100.9"]
        if transport == "api":
            response = probe(client)
            assert response.json()["code"] == "throttled"
            assert int(response["Retry-After"]) > 0


def test_the_owner_still_reads_from_an_address_that_is_throttled(settings, patient, document, pdf_bytes):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"document_probes": "2/min"}}
    client = APIClient(REMOTE_ADDR="192.0.2.1")
    for _ in range(3):
        client.get(f"/api/v1/documents/{uuid.uuid4()}/download/")
    client.force_authenticate(patient)

    response = client.get(f"/api/v1/documents/{document.pk}/download/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes
