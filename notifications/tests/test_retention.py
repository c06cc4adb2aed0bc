"""Retention of message texts (docs/decisions.md, "Retention"): emptied after a year, the log row stays."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notifications.models import Channel, Message, MessageStatus
from notifications.tasks import purge_message_bodies

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 4, 10, tzinfo=dt.UTC)


def _message(user, key, created_at, status=MessageStatus.DELIVERED):
    return Message.objects.create(
        recipient=user,
        channel=Channel.EMAIL,
        event="booking_confirmed",
        template="booking_confirmed",
        language="en",
        key=key,
        to=user.email,
        subject="Your booking with Clinique du Lac",
        body="Alice, your appointment on 3 March at Clinique du Lac is confirmed.",
        html="<p>Alice…</p>",
        attachments=[{"filename": "a.ics", "content": "BEGIN:VCALENDAR", "mimetype": "text/calendar"}],
        status=status,
        booking_id=12,
        created_at=created_at,
        updated_at=created_at,
    )


def test_texts_are_emptied_after_a_year_and_the_log_row_stays(patient):
    old = _message(patient, "old", NOW - dt.timedelta(days=365, seconds=1))
    young = _message(patient, "young", NOW - dt.timedelta(days=365) + dt.timedelta(seconds=1))
    queued = _message(patient, "queued", NOW - dt.timedelta(days=400), status=MessageStatus.QUEUED)

    with time_machine.travel(NOW, tick=False):
        assert purge_message_bodies.apply().get() == 1
        assert purge_message_bodies.apply().get() == 0

    old.refresh_from_db()
    assert (old.subject, old.body, old.html, old.attachments) == ("", "", "", [])
    assert old.body_purged_at == NOW
    # the log: who, which event, when, delivered
    assert (old.recipient_id, old.event, old.status, old.booking_id) == (
        patient.pk,
        "booking_confirmed",
        "delivered",
        12,
    )
    for kept in (young, queued):
        kept.refresh_from_db()
        assert "Alice" in kept.body
        assert kept.body_purged_at is None
