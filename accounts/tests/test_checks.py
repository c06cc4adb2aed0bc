"""The sign-up checks: whether sign-up is open, and whether the details keep the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TermsVersion
from accounts.services import PatientDetails, patient_register, patient_register_check, patient_registration_check
from accounts.tests.factories import UserFactory
from core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


def details(**overrides) -> PatientDetails:
    values = {
        "first_name": "Nadia",
        "last_name": "Haddad",
        "phone": "+33612345678",
        "date_of_birth": dt.date(1990, 4, 12),
        "gender": "female",
        "nationality": "LB",
        "preferred_language": "fr",
        "preferred_currency": "EUR",
    }
    return PatientDetails(**(values | overrides))


def test_sign_up_is_open_while_terms_are_in_force():
    assert patient_register_check(now=timezone.now()).allowed


def test_sign_up_is_closed_without_terms_on_the_page_and_in_the_service():
    TermsVersion.objects.all().delete()

    check = patient_register_check(now=timezone.now())
    with pytest.raises(ValidationFailed) as refused:
        patient_register(user=UserFactory(), details=details(), now=timezone.now())

    assert check.refusal.code == "no_terms"
    assert (refused.value.code, refused.value.message) == ("no_terms", check.reason)
    assert check.reason == "Sign-up is closed until terms of use are published."


def test_the_sign_up_page_is_closed_without_terms(client):
    TermsVersion.objects.all().delete()

    page = client.get(reverse("account_signup")).content.decode()

    assert 'name="accept_terms"' not in page


def test_details_that_keep_the_rules_are_allowed():
    assert patient_registration_check(details=details(), accepted_terms=True, today=TODAY).allowed


def test_details_that_break_the_rules_are_refused_field_by_field():
    check = patient_registration_check(
        details=details(date_of_birth=dt.date(2030, 1, 1)), accepted_terms=False, today=TODAY
    )

    assert check.refusal.code == "invalid"
    assert check.refusal.details == {
        "accept_terms": ["You must accept the terms of use to create an account."],
        "date_of_birth": ["The date of birth cannot be in the future."],
    }
    assert check.reason == "You must accept the terms of use to create an account."
