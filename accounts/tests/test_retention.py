"""Retention of unverified accounts (docs/decisions.md, "Retention"): deleted after 30 days when
they hold nothing but what sign-up made; anything else keeps them."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress

from accounts.models import Consent, User
from accounts.services import consent_give
from accounts.tasks import delete_unverified_accounts
from accounts.tests.factories import PatientFactory, UserFactory
from core.models import AuditEvent
from quotes.models import QuoteRequest

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 4, 20, tzinfo=dt.UTC)


def _unverified(email, joined, **kwargs):
    user = PatientFactory(email=email, verified=False, **kwargs)
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    User.objects.filter(pk=user.pk).update(date_joined=joined)
    consent_give(user=user, purpose="health_data", now=joined)
    return user


def test_an_unverified_account_goes_after_thirty_days_not_before(settings):
    assert settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS == 30
    old = _unverified("old@example.test", NOW - dt.timedelta(days=30, seconds=1))
    young = _unverified("young@example.test", NOW - dt.timedelta(days=30) + dt.timedelta(seconds=1))

    with time_machine.travel(NOW, tick=False):
        assert delete_unverified_accounts.apply().get() == 1
        assert delete_unverified_accounts.apply().get() == 0

    assert not User.objects.filter(pk=old.pk).exists()
    assert not Consent.objects.filter(user_id=old.pk).exists()
    assert User.objects.filter(pk=young.pk).exists()
    event = AuditEvent.objects.get(action="accounts.user.unverified_deleted")
    assert event.target_id == str(old.pk)
    assert "old@example.test" not in str(event.after)


def test_verified_staff_signed_in_or_used_accounts_stay():
    joined = NOW - dt.timedelta(days=90)
    verified = PatientFactory(email="verified@example.test")
    User.objects.filter(pk=verified.pk).update(date_joined=joined)
    staff = UserFactory(email="staff@example.test", verified=False, is_staff=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=False)
    User.objects.filter(pk=staff.pk).update(date_joined=joined)
    signed_in = _unverified("came@example.test", joined)
    User.objects.filter(pk=signed_in.pk).update(last_login=joined)
    used = _unverified("used@example.test", joined)
    QuoteRequest.objects.create(
        patient=used,
        subject="Knee",
        description="Pain",
        desired_from=dt.date(2027, 4, 1),
        desired_to=dt.date(2027, 5, 1),
        created_at=joined,
    )

    with time_machine.travel(NOW, tick=False):
        assert delete_unverified_accounts.apply().get() == 0

    assert User.objects.filter(pk__in=[verified.pk, staff.pk, signed_in.pk, used.pk]).count() == 4
    assert QuoteRequest.objects.filter(patient=used).exists()
