"""PostgreSQL: two workers sending one message at once send it once; two beat runs remind once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from bookings.tests.support import NOW, awaiting, bookable, confirm
from notifications.models import Channel, Message, MessageStatus
from notifications.reminders import reminders_send_due
from notifications.services import message_send


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency are PostgreSQL's")


def run_at_once(callables) -> list:
    barrier = threading.Barrier(len(callables))
    results: list = []

    def attempt(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:  # the assertion shows it
            results.append(f"error:{error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_sending_one_message_at_once_send_it_once(patient):
    require_postgresql()
    message = Message.objects.create(
        recipient=patient,
        channel=Channel.EMAIL,
        event="release_paid",
        template="release_paid",
        language="en",
        key="race:1",
        to=patient.email,
        subject="Paid",
        body="Paid",
        created_at=NOW,
        updated_at=NOW,
    )

    results = run_at_once([lambda: message_send(message_id=message.pk, now=NOW)] * 6)

    assert sorted(results) == ["not_claimed"] * 5 + ["sent"]
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)


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
