"""Retention of inactive accounts (docs/decisions.md, "Retention"): warned after three years without
a sign-in, closed through the erasure thirty days later if still inactive; frozen time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from accounts.models import User
from accounts.tests.factories import PatientFactory, UserFactory
from core.models import AuditEvent
from notifications.models import Message, NotificationPreference
from privacy.services.retention import WARNED, inactive_accounts_process
from privacy.tasks import close_inactive_accounts

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 3, 1, 4, 25, tzinfo=dt.UTC)


def _seen(user, moment):
    User.objects.filter(pk=user.pk).update(last_login=moment, date_joined=moment - dt.timedelta(days=10))
    user.refresh_from_db()
    return user


def _warnings(user):
    return AuditEvent.objects.filter(action=WARNED, target_id=str(user.pk))


def test_a_patient_is_warned_after_three_years_without_signing_in_not_before(settings):
    assert (settings.RETENTION_INACTIVE_ACCOUNT_DAYS, settings.RETENTION_INACTIVE_WARNING_DAYS) == (1095, 30)
    gone = _seen(PatientFactory(email="gone@example.test"), NOW - dt.timedelta(days=1095, seconds=1))
    recent = _seen(PatientFactory(email="recent@example.test"), NOW - dt.timedelta(days=1095) + dt.timedelta(seconds=1))
    staff = _seen(UserFactory(email="staff@example.test", is_staff=True), NOW - dt.timedelta(days=2000))
    # e-mails turned off: the notice about the account goes all the same
    NotificationPreference.objects.update_or_create(user=gone, defaults={"email": False, "updated_at": NOW})

    with time_machine.travel(NOW, tick=False):
        assert close_inactive_accounts.apply().get()["warned"] == 1
        assert close_inactive_accounts.apply().get()["warned"] == 0  # once per stretch of inactivity

    message = Message.objects.get(recipient=gone)
    assert message.event == "account_inactive"
    assert message.to == "gone@example.test"
    assert "will be closed" in message.body
    assert "sign in" in message.body.lower()
    assert _warnings(gone).count() == 1
    assert "gone@example.test" not in str(_warnings(gone).get().after)
    assert not Message.objects.filter(recipient__in=[recent, staff]).exists()
    assert not _warnings(recent).exists()
    assert not _warnings(staff).exists()


def test_signing_in_after_the_warning_keeps_the_account_and_starts_the_count_again():
    patient = _seen(PatientFactory(email="back@example.test"), NOW - dt.timedelta(days=1100))
    inactive_accounts_process(now=NOW)
    _seen(patient, NOW + dt.timedelta(days=5))  # came back

    run = inactive_accounts_process(now=NOW + dt.timedelta(days=31))

    assert (run.warned, run.closed, run.blocked) == (0, 0, 0)
    assert User.objects.get(pk=patient.pk).is_active


def test_no_one_is_closed_before_the_warning_period_ends():
    patient = _seen(PatientFactory(email="wait@example.test"), NOW - dt.timedelta(days=1100))
    inactive_accounts_process(now=NOW)

    run = inactive_accounts_process(now=NOW + dt.timedelta(days=30) - dt.timedelta(seconds=1))

    assert (run.warned, run.closed, run.blocked) == (0, 0, 0)
    assert User.objects.get(pk=patient.pk).is_active


def test_still_inactive_after_the_warning_the_account_is_closed_through_the_erasure(
    django_capture_on_commit_callbacks,
):
    from privacy.models import DataRequest

    patient = _seen(PatientFactory(email="closed@example.test"), NOW - dt.timedelta(days=1100))
    inactive_accounts_process(now=NOW)

    with django_capture_on_commit_callbacks(execute=True):  # the erasure runs once committed
        run = inactive_accounts_process(now=NOW + dt.timedelta(days=30, seconds=1))

    assert run.closed == 1
    assert DataRequest.objects.filter(user_id=patient.pk, kind="erasure").exists()
    assert not User.objects.get(pk=patient.pk).is_active
