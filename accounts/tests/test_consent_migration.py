"""accounts 0008: the accounts made before consents were recorded get theirs from their acceptances."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from accounts.models import Consent, TermsAcceptance, TermsVersion
from accounts.tests.factories import PatientFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0008_consents_of_existing_accounts")


def test_each_acceptance_gives_a_terms_consent_and_the_first_a_health_data_consent_once():
    patient = PatientFactory(email="before@example.test")
    first = TermsAcceptance.objects.get(user=patient)
    later = TermsVersion.objects.create(version="2027-06", published_at=first.accepted_at + dt.timedelta(days=200))
    TermsAcceptance.objects.create(
        user=patient, terms_version=later, accepted_at=first.accepted_at + dt.timedelta(days=201)
    )
    never = UserFactory(email="no-terms@example.test", accepted_terms=False)
    Consent.objects.all().delete()

    migration.forwards(apps, None)
    migration.forwards(apps, None)  # run twice: nothing doubled

    assert sorted(Consent.objects.filter(user=patient).values_list("purpose", "version", "given_at")) == [
        ("health_data", migration.HEALTH_DATA_VERSION, first.accepted_at),
        ("terms", "2026-11", first.accepted_at),
        ("terms", "2027-06", first.accepted_at + dt.timedelta(days=201)),
    ]
    assert not Consent.objects.filter(user=never).exists()
    assert not Consent.objects.filter(purpose="marketing").exists()
