"""Consents (docs/decisions.md, "Consents"): given, withdrawn and given again, each audited with ids;
a withdrawn health-data consent stops new sharing with a clear refusal and nothing written; the
Consents page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Consent, ConsentPurpose
from accounts.selectors import consent_state
from accounts.services import consent_give, consent_required_check, consent_withdraw
from accounts.tests.factories import sign_in
from core.errors import Conflict, ValidationFailed
from core.models import AuditEvent
from documents.models import DocumentGrant
from documents.tests import samples
from documents.tests.helpers import upload_file
from quotes.models import QuoteRequest

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _withdrawn(user, now=NOW):
    consent_give(user=user, purpose=ConsentPurpose.HEALTH_DATA, now=now - dt.timedelta(days=30))
    return consent_withdraw(user=user, purpose=ConsentPurpose.HEALTH_DATA, now=now)


# --- the services ------------------------------------------------------------------------------------


def test_giving_withdrawing_and_giving_again_keeps_every_row_and_the_newest_is_the_state(patient):
    first = consent_give(user=patient, purpose="marketing", now=NOW)
    assert consent_give(user=patient, purpose="marketing", now=NOW + dt.timedelta(hours=1)) == first  # twice: one row
    withdrawn = consent_withdraw(user=patient, purpose="marketing", now=NOW + dt.timedelta(days=1))
    assert withdrawn.pk == first.pk
    assert withdrawn.withdrawn_at == NOW + dt.timedelta(days=1)
    again = consent_give(user=patient, purpose="marketing", now=NOW + dt.timedelta(days=2))

    assert consent_state(patient, "marketing") == again
    assert again.withdrawn_at is None
    assert Consent.objects.filter(user=patient, purpose="marketing").count() == 2
    events = AuditEvent.objects.filter(action__startswith="accounts.consent.").order_by("at", "id")
    assert [e.action for e in events] == [
        "accounts.consent.given",
        "accounts.consent.withdrawn",
        "accounts.consent.given",
    ]
    # ids and the purpose only: nothing about the person
    assert all(set(e.after) == {"purpose", "version"} for e in events)
    assert all(patient.email not in str(e.after) for e in events)


def test_the_terms_cannot_be_withdrawn_alone_nor_can_a_consent_never_given(patient):
    with pytest.raises(Conflict, match="close your account"):
        consent_withdraw(user=patient, purpose="terms", now=NOW)
    with pytest.raises(Conflict, match="nothing to withdraw"):
        consent_withdraw(user=patient, purpose="marketing", now=NOW)
    with pytest.raises(ValidationFailed, match="Choose one of the consents"):
        consent_give(user=patient, purpose="anything", now=NOW)
    assert not Consent.objects.filter(user=patient).exclude(purpose="terms").exists()


def test_a_newer_version_of_the_text_asks_again_and_giving_records_the_new_version(patient, settings):
    old = consent_give(user=patient, purpose="health_data", now=NOW)
    settings.CONSENT_VERSIONS = {**settings.CONSENT_VERSIONS, "health_data": "2027-06"}

    from accounts.selectors import consent_overview

    row = next(r for r in consent_overview(user=patient) if r["purpose"] == "health_data")
    assert row["outdated"]
    assert row["consent"] == old
    new = consent_give(user=patient, purpose="health_data", now=NOW + dt.timedelta(days=1))
    assert new.pk != old.pk
    assert new.version == "2027-06"


def test_the_check_refuses_only_when_the_newest_health_data_row_is_withdrawn(patient):
    assert consent_required_check(user=patient).allowed  # no row: an account from before consents
    consent_give(user=patient, purpose="health_data", now=NOW - dt.timedelta(days=1))
    assert consent_required_check(user=patient).allowed
    consent_withdraw(user=patient, purpose="health_data", now=NOW)

    check = consent_required_check(user=patient)
    assert not check.allowed
    assert isinstance(check.refusal, Conflict)
    assert check.refusal.code == "consent_withdrawn"
    assert "You withdrew your consent to the processing of your health data on" in check.reason
    assert "2027" in check.reason
    assert "Your data → Consents" in check.reason


# --- new sharing stops, with the reason, nothing written ----------------------------------------------


def _quote_body():
    today = timezone.now().date()
    return {
        "subject": "Hip replacement",
        "description": "Arthritis.",
        "desired_from": (today + dt.timedelta(days=20)).isoformat(),
        "desired_to": (today + dt.timedelta(days=50)).isoformat(),
        "providers": ["clinique-du-lac"],
    }


def test_a_new_quote_request_after_withdrawal_is_a_409_with_the_reason_and_nothing_is_written(api_as, patient, clinic):
    _withdrawn(patient)

    response = api_as(patient).post("/api/v1/quote-requests/", _quote_body(), format="json")

    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "consent_withdrawn"
    assert "You withdrew your consent" in response.json()["message"]
    assert not QuoteRequest.objects.exists()


def test_sharing_a_document_after_withdrawal_is_refused_on_the_api_and_the_page(client, api_as, patient, clinic):
    document = upload_file(patient, samples.pdf("X-ray"))
    _withdrawn(patient)

    response = api_as(patient).post(f"/api/v1/documents/{document.pk}/grants/", {"provider": clinic.pk}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "consent_withdrawn"

    sign_in(client, patient)
    page = client.post(reverse("documents:grant_add", args=[document.pk]), {"provider": clinic.pk}, follow=True)
    assert "You withdrew your consent" in page.content.decode()
    assert not DocumentGrant.objects.exists()


def test_an_existing_share_stays_when_the_consent_is_withdrawn(api_as, patient, clinic):
    document = upload_file(patient, samples.pdf("X-ray"))
    assert (
        api_as(patient)
        .post(f"/api/v1/documents/{document.pk}/grants/", {"provider": clinic.pk}, format="json")
        .status_code
        == 201
    )

    _withdrawn(patient)

    grant = DocumentGrant.objects.get()
    assert grant.revoked_at is None


def test_giving_the_consent_again_lets_the_person_share_again(api_as, patient, clinic):
    _withdrawn(patient, now=timezone.now() - dt.timedelta(days=1))
    consent_give(user=patient, purpose="health_data", now=timezone.now())

    response = api_as(patient).post("/api/v1/quote-requests/", _quote_body(), format="json")
    assert response.status_code == 201, response.json()


# --- the page and the API -------------------------------------------------------------------------------


def test_the_page_lists_each_purpose_and_withdraws_after_confirming(client, patient):
    consent_give(user=patient, purpose="health_data", now=NOW)
    sign_in(client, patient)

    page = client.get(reverse("privacy:consents")).content.decode()
    assert "Processing of my health data" in page
    assert "News and offers by e-mail" in page
    assert '<details class="confirm">' in page
    assert "What you already shared stays shared" in page
    assert "|date" not in page

    response = client.post(reverse("privacy:consent_withdraw"), {"purpose": "health_data"}, follow=True)
    assert "is withdrawn" in response.content.decode()
    assert consent_state(patient, "health_data").withdrawn_at is not None
    assert "Give my consent" in response.content.decode()
    assert "While it is withdrawn we send nothing new to providers" in response.content.decode()


def test_the_page_refuses_the_terms_with_its_message(client, patient):
    sign_in(client, patient)
    response = client.post(reverse("privacy:consent_withdraw"), {"purpose": "terms"}, follow=True)
    assert "cannot be withdrawn on their own" in response.content.decode()


def test_the_api_lists_gives_and_withdraws(api_as, patient):
    client = api_as(patient)
    listed = client.get("/api/v1/privacy/consents/").json()
    assert [row["purpose"] for row in listed] == ["terms", "health_data", "marketing"]

    given = client.post("/api/v1/privacy/consents/give/", {"purpose": "marketing"}, format="json")
    assert given.status_code == 200
    assert next(r for r in given.json() if r["purpose"] == "marketing")["given"] is True

    withdrawn = client.post("/api/v1/privacy/consents/withdraw/", {"purpose": "marketing"}, format="json")
    row = next(r for r in withdrawn.json() if r["purpose"] == "marketing")
    assert row["given"] is False
    assert row["withdrawn_at"] is not None


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("give", {}, 400, "invalid"),
        ("give", {"purpose": "everything"}, 400, "invalid"),
        ("withdraw", {"purpose": "terms"}, 409, "terms_not_withdrawable"),
        ("withdraw", {"purpose": "marketing"}, 409, "not_given"),
    ],
)
def test_bad_input_to_the_api_is_a_clear_refusal_and_nothing_is_written(api_as, patient, path, body, status, code):
    response = api_as(patient).post(f"/api/v1/privacy/consents/{path}/", body, format="json")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Consent.objects.filter(user=patient).exclude(purpose="terms").exists()
