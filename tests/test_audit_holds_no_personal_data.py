"""The audit trail is append-only and outlives an erasure: it must hold ids, never personal data.

Typical flows of one patient (sign-up, profile change, API token, document upload, share and reads,
a booking and its deposit, an invitation to their address, settings) run, then no audit event may
carry the patient's e-mail, names, phone or date of birth, nor the document's title or contents.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import PatientProfile, User
from accounts.services import (
    PatientDetails,
    api_token_create,
    erasure_subject,
    patient_profile_update,
    user_settings_update,
)
from bookings.tests.support import booked, confirm
from core.models import AuditEvent
from documents import services as documents
from documents.tests import samples
from providers import services as providers

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "nadia.haddad@example.test",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
    "first_name": "Nadia",
    "last_name": "Haddad",
    "phone": "+33698765432",
    "date_of_birth": "1990-04-12",
    "gender": "female",
    "nationality": "LB",
    "preferred_language": "fr",
    "preferred_currency": "EUR",
    "accept_terms": "on",
    "accept_health_data": "on",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


def _trail() -> str:
    """Every event's free parts (target id, before, after), as one lower-case text."""
    return json.dumps(
        [[event.target_id, event.before, event.after] for event in AuditEvent.objects.all()], default=str
    ).lower()


def test_the_audit_trail_of_a_patients_flows_holds_no_personal_data(client, clinic, clinic_admin, clinic_member):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302, response.content[:500]
    nadia = User.objects.get(email="nadia.haddad@example.test")
    nadia.emailaddress_set.update(verified=True)
    subject = erasure_subject(nadia)  # her strings as first given
    now = timezone.now()

    profile = PatientProfile.objects.get(user=nadia)
    details = {
        name: getattr(profile, name)
        for name in PatientDetails.__dataclass_fields__  # the profile's fields, as the form gives them
    }
    patient_profile_update(user=nadia, details=PatientDetails(**{**details, "last_name": "Haddad-Khoury"}), now=now)
    user_settings_update(user=nadia, timezone_name="Asia/Beirut", now=now)
    api_token_create(user=nadia, device="Nadia Haddad's phone", now=now)
    document = documents.document_upload(
        owner=nadia,
        upload=SimpleUploadedFile("nadia-haddad.pdf", samples.pdf("Patient Nadia Haddad, HIV negative")),
        title="Nadia Haddad HIV test",
        now=now,
    )
    documents.document_grant(document=document, actor=nadia, provider=clinic, now=now)
    documents.document_read(document=document, reader=nadia, now=now)
    documents.document_read(document=document, reader=clinic_member, now=now)
    providers.invitation_create(provider=clinic, actor=clinic_admin, email=nadia.email, role="staff", now=now)
    confirm(booked(nadia))

    trail = _trail()
    assert AuditEvent.objects.count() >= 8  # the flows were audited
    leaks = [s for s in [*subject.strings, "Haddad-Khoury", "hiv"] if s.lower() in trail]
    assert leaks == [], f"the audit trail holds personal data: {leaks}"
    assert asdict(subject)["email"] == "nadia.haddad@example.test"
    assert dt.date(1990, 4, 12).isoformat() not in trail
