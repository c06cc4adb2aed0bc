"""Accounts' part of the privacy rights: the person as the erasure sees them, the export, the erasure."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import ApiToken, Consent, ConsentPurpose, PatientProfile, TermsAcceptance, User
from accounts.personal_data import DECLARATION, erase, export, kept
from accounts.services import api_token_create, erasure_pseudonym, erasure_subject
from accounts.tests.factories import PatientFactory, enroll_mfa
from core.models import AuditEvent

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def alice(db):
    user = PatientFactory(
        email="alice.martin@example.test",
        profile__first_name="Alice",
        profile__last_name="Martin",
        profile__phone="+33612345678",
        profile__date_of_birth=dt.date(1985, 3, 3),
    )
    Consent.objects.create(user=user, purpose=ConsentPurpose.HEALTH_DATA, version="1", given_at=NOW)
    return user


def test_the_subject_lists_every_way_the_person_is_written(alice):
    subject = erasure_subject(alice)

    assert subject.user_id == alice.pk
    assert subject.email == "alice.martin@example.test"
    assert re.fullmatch(r"Erased person [0-9a-f]{8}", subject.pseudonym)
    for expected in [
        "Alice Martin",
        "Alice",
        "Martin",
        "alice.martin@example.test",
        "+33612345678",
        "06 12 34 56 78",
        "0612345678",
        "+33 6 12 34 56 78",
        "1985-03-03",
        "3 March 1985",
        "03/03/1985",
    ]:
        assert expected in subject.strings, expected


def test_a_name_of_two_letters_is_not_a_string_to_redact(db):
    user = PatientFactory(profile__first_name="Li", profile__last_name="Wong")
    strings = erasure_subject(user).strings
    assert "Li" not in strings
    assert "Wong" in strings


def test_the_pseudonym_is_stable_per_person_and_not_the_id(alice, other_patient):
    assert erasure_pseudonym(user_id=alice.pk) == erasure_subject(alice).pseudonym
    assert erasure_pseudonym(user_id=alice.pk) != erasure_pseudonym(user_id=other_patient.pk)
    assert erasure_subject(alice).pseudonym != f"Erased person {alice.pk:08x}"


def test_the_subject_of_an_account_without_profile_is_its_address(db, django_user_model):
    staff = django_user_model.objects.create_user(email="sam@example.test")
    assert erasure_subject(staff).strings == ("sam@example.test",)


def test_the_export_holds_the_profile_consents_terms_tokens_and_factors(alice):
    token, secret = api_token_create(user=alice, device="Alice's phone", now=NOW)
    enroll_mfa(alice)

    section = export(alice, NOW)
    text = json.dumps(section)

    assert section["account"]["email"] == "alice.martin@example.test"
    assert section["profile"]["first_name"] == "Alice"
    assert section["profile"]["phone"] == "+33612345678"
    assert section["profile"]["date_of_birth"] == "1985-03-03"
    assert section["consents"] == [
        {"purpose": "health_data", "version": "1", "given_at": NOW.isoformat(), "withdrawn_at": None}
    ]
    assert len(section["terms_acceptances"]) == TermsAcceptance.objects.filter(user=alice).count() >= 1
    assert section["api_tokens"][0]["device"] == "Alice's phone"
    assert token.digest not in text
    assert secret not in text
    assert token.token_key not in text
    assert [factor["type"] for factor in section["second_factors"]] == [Authenticator.Type.TOTP]
    assert section["email_addresses"] == [{"email": "alice.martin@example.test", "verified": True, "primary": True}]


def test_erasure_closes_the_account_and_keeps_the_proof_of_consent(alice, client):
    api_token_create(user=alice, device="Alice's phone", now=NOW)
    enroll_mfa(alice)
    address = EmailAddress.objects.get(user=alice)
    EmailConfirmation.objects.create(email_address=address, key="k" * 20, created=timezone.now())
    client.force_login(alice)
    assert Session.objects.count() == 1
    subject = erasure_subject(alice)

    erase(subject, NOW)
    erase(subject, NOW)  # idempotent: a second run changes nothing and fails on nothing

    alice = User.objects.get(pk=alice.pk)
    assert alice.email == f"erased-{alice.pk}@erased.invalid"
    assert not alice.has_usable_password()
    assert not alice.is_active
    assert alice.timezone == ""
    assert alice.get_full_name() == alice.email  # the profile is gone: the name with it
    assert not PatientProfile.objects.filter(user=alice).exists()
    assert not ApiToken.objects.filter(user=alice).exists()
    assert not Authenticator.objects.filter(user=alice).exists()
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not EmailConfirmation.objects.exists()
    assert Session.objects.count() == 0
    assert not _signed_in(client.cookies["sessionid"].value)
    # Proof of consent stays, ids and dates only.
    assert Consent.objects.filter(user=alice).count() == 1
    assert TermsAcceptance.objects.filter(user=alice).exists()
    # Audited once (the second run changed nothing), by id.
    [event] = AuditEvent.objects.filter(action="accounts.user.erased")
    assert event.target_id == str(alice.pk)
    assert "alice" not in json.dumps([event.before, event.after]).lower()


def test_a_session_left_behind_is_refused_by_the_password_change(alice, client):
    """Even a session the erasure did not find (another engine) stops working: the password hash
    it was signed with changed."""
    client.force_login(alice)
    session_key = client.session.session_key
    subject = erasure_subject(alice)
    saved = Session.objects.get(pk=session_key)
    erase(subject, NOW)
    Session.objects.create(
        session_key=saved.session_key, session_data=saved.session_data, expire_date=saved.expire_date
    )

    assert _signed_in(session_key) is False


def _signed_in(session_key: str) -> bool:
    """Whether a request carrying this session would be signed in."""
    request = RequestFactory().get("/")
    request.session = SessionStore(session_key)
    return get_user(request).is_authenticated


def test_kept_names_the_proof_of_consent_and_its_end(alice):
    items = kept(alice, NOW)
    consent = [item for item in items if "consent" in item.what]
    assert len(consent) == 1
    assert consent[0].until is not None
    assert consent[0].until >= (NOW + dt.timedelta(days=5 * 365)).date()
    assert "5 years" in consent[0].why


def test_accounts_declares_allauths_models(db):
    assert {"account.EmailAddress", "account.EmailConfirmation", "mfa.Authenticator"} <= set(DECLARATION.models)
    assert DECLARATION.order == 1000
