"""Reminders at the provider's local time, across daylight-saving changes, once per run or many
(also two beat runs at once, on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from bookings.policy import Reason
from bookings.reminders import evidence_reminders_send_due, reminders_send_due
from bookings.services import booking_cancel
from bookings.tasks import send_due_reminders
from bookings.tests.support import NOW, awaiting, bookable, confirm
from notifications.models import Channel, Message, MessageStatus
from notifications.tests.support import require_postgresql, run_at_once

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


def confirmed_at(patient, start: dt.datetime):
    provider = bookable().provider
    booking = awaiting(patient, provider, slots=[(start, start + dt.timedelta(hours=1))])
    confirm(booking)
    return booking


def reminders() -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(event__startswith="reminder").values_list("event", "channel"))


@pytest.mark.parametrize(
    ("appointment", "event", "due"),
    [
        # Summer time starts on Sunday 31 March 2030: 7 days before 10:00 on 1 April (CEST, 08:00 UTC)
        # is 10:00 on 25 March in winter time, 09:00 UTC: 167 hours before, not 168.
        (dt.datetime(2030, 4, 1, 10, 0, tzinfo=PARIS), "reminder_7d", dt.datetime(2030, 3, 25, 9, 0, tzinfo=UTC)),
        # The day before 10:00 on Sunday 31 March (CEST) is 10:00 on Saturday in winter time: 23 hours.
        (dt.datetime(2030, 3, 31, 10, 0, tzinfo=PARIS), "reminder_24h", dt.datetime(2030, 3, 30, 9, 0, tzinfo=UTC)),
        # Winter time is back on Sunday 27 October 2030: 7 days before 10:00 on 28 October (CET) is
        # 10:00 on 21 October in summer time, 08:00 UTC: 169 hours before.
        (dt.datetime(2030, 10, 28, 10, 0, tzinfo=PARIS), "reminder_7d", dt.datetime(2030, 10, 21, 8, 0, tzinfo=UTC)),
        (dt.datetime(2030, 10, 28, 10, 0, tzinfo=PARIS), "reminder_24h", dt.datetime(2030, 10, 27, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_reminder_goes_out_at_the_same_local_time_across_a_daylight_saving_change(
    patient, django_capture_on_commit_callbacks, appointment, event, due
):
    confirmed_at(patient, appointment)

    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=due - MINUTE)
        before = [e for e, _channel in reminders() if e == event]
        reminders_send_due(now=due)
        reminders_send_due(now=due + dt.timedelta(minutes=15))  # the next beat run

    assert before == []
    assert [r for r in reminders() if r[0] == event] == [(event, Channel.EMAIL), (event, Channel.SMS)]
    (email,) = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert reminders() == [(event, Channel.EMAIL), (event, Channel.SMS)]  # no late reminder of the other kind
    assert email.subject == f"Reminder: your appointment on {appointment:%-d %B %Y} — details in your account"
    assert f"{appointment:%A, %-d %B %Y, %H:%M} (Paris time)" in email.body


def test_a_booking_confirmed_five_days_before_gets_no_seven_day_reminder(patient, django_capture_on_commit_callbacks):
    start = NOW + dt.timedelta(days=5)
    confirmed_at(patient, start)

    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_due(now=NOW + dt.timedelta(hours=1))
        reminders_send_due(now=start - dt.timedelta(hours=23))

    assert reminders() == [("reminder_24h", Channel.EMAIL), ("reminder_24h", Channel.SMS)]


def test_the_beat_task_run_twice_reminds_once(patient, django_capture_on_commit_callbacks):
    start = dt.datetime(2030, 2, 4, 9, 0, tzinfo=UTC)
    booking = confirmed_at(patient, start)

    with (
        time_machine.travel(start - dt.timedelta(days=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = send_due_reminders.delay().get()
        second = send_due_reminders.delay().get()

    assert (first["appointments"], second["appointments"]) == (1, 0)
    assert Message.objects.filter(booking_id=booking.pk, event="reminder_24h").count() == 2
    assert len([m for m in mail.outbox if m.subject.startswith("Reminder")]) == 1


def test_the_evidence_reminder_goes_three_days_before_the_deadline_once(patient, django_capture_on_commit_callbacks):
    booking = confirmed_at(patient, dt.datetime(2030, 2, 4, 9, 0, tzinfo=UTC))
    cancelled = dt.datetime(2030, 1, 10, 12, 0, tzinfo=UTC)
    booking_cancel(booking=booking, actor=patient, reason=Reason.UNFIT_TO_TRAVEL, now=cancelled)
    due = cancelled + dt.timedelta(days=11)

    with django_capture_on_commit_callbacks(execute=True):
        assert evidence_reminders_send_due(now=due - MINUTE) == 0
        assert evidence_reminders_send_due(now=due) == 1
        assert evidence_reminders_send_due(now=due + dt.timedelta(hours=1)) == 0

    email = Message.objects.get(event="evidence_deadline", channel=Channel.EMAIL)
    assert email.subject == f"Booking no. {booking.pk}: a document is due by 24 January 2030"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beat_runs_at_once_record_and_send_each_reminder_once(patient):
    require_postgresql()
    start = dt.datetime(2030, 2, 4, 9, 0, tzinfo=dt.UTC)
    booking = awaiting(patient, bookable().provider, slots=[(start, start + dt.timedelta(hours=1))])
    confirm(booking)
    mail.outbox.clear()

    results = run_at_once([lambda: reminders_send_due(now=start - dt.timedelta(days=1))] * 4)

    assert not [r for r in results if isinstance(r, str)], results
    reminders = Message.objects.filter(event="reminder_24h")
    assert sorted(reminders.values_list("channel", "status")) == [
        (Channel.EMAIL, MessageStatus.SENT),
        (Channel.SMS, MessageStatus.SENT),
    ]
    assert len([m for m in mail.outbox if m.subject.startswith("Reminder")]) == 1
