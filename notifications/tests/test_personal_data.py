"""Notifications' part of the privacy rights: the messages sent to a person, exported and emptied;
other people's messages that name them, redacted; the log rows stay."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accounts.personal_data import erase as erase_account
from accounts.services import erasure_subject
from accounts.tests.factories import PatientFactory
from notifications.models import Message, NotificationPreference
from notifications.personal_data import erase, export, kept
from notifications.services import notify

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


def _message(recipient, *, key, to, subject="", body="", channel="email"):
    return Message.objects.create(
        recipient=recipient,
        channel=channel,
        event="booking_confirmed",
        template="booking_confirmed",
        language="en",
        key=key,
        to=to,
        subject=subject,
        body=body,
        html=f"<p>{body}</p>",
        status="sent",
        created_at=NOW,
        sent_at=NOW,
        updated_at=NOW,
    )


@pytest.fixture
def alice(db):
    return PatientFactory(
        email="alice.martin@example.test",
        profile__first_name="Alice",
        profile__last_name="Martin",
        profile__phone="+33612345678",
    )


@pytest.fixture
def messages(alice, clinic_admin):
    NotificationPreference.objects.create(user=alice, email=True, sms=False, updated_at=NOW)
    return {
        "mail": _message(
            alice, key="a1", to=alice.email, subject="Your booking", body="Dear Alice Martin, see you Monday."
        ),
        "sms": _message(alice, key="a2", to="+33612345678", body="Booking confirmed.", channel="sms"),
        "staff": _message(
            clinic_admin,
            key="c1",
            to=clinic_admin.email,
            subject="New booking",
            body="Alice Martin (+33 6 12 34 56 78) booked a consultation.",
        ),
        "other": _message(clinic_admin, key="c2", to=clinic_admin.email, subject="Payout", body="Your payout is sent."),
    }


def test_the_export_holds_the_messages_sent_to_the_person_and_preferences(alice, messages):
    section = export(alice, NOW)
    json.dumps(section)

    assert [(m["channel"], m["to"], m["body"]) for m in section["messages_sent_to_you"]] == [
        ("email", "alice.martin@example.test", "Dear Alice Martin, see you Monday."),
        ("sms", "+33612345678", "Booking confirmed."),
    ]
    assert section["messages_sent_to_you"][0]["subject"] == "Your booking"
    assert section["messages_sent_to_you"][0]["sent_at"] == NOW.isoformat()
    assert section["preferences"] == {
        "email": True,
        "sms": False,
        "sms_stopped_at": None,
        "updated_at": NOW.isoformat(),
    }
    assert "New booking" not in json.dumps(section)  # not messages to others


def test_erasure_empties_the_persons_messages_and_redacts_those_naming_them(alice, messages):
    subject = erasure_subject(alice)
    later = NOW + dt.timedelta(days=1)

    erase(subject, later)
    erase(subject, later)  # idempotent

    for key in ("mail", "sms"):
        message = Message.objects.get(pk=messages[key].pk)
        assert (message.subject, message.body, message.html) == ("", "", "")
        assert message.to == f"erased-{alice.pk}@erased.invalid"
        assert message.status == "sent"  # the log row stays
        assert message.sent_at == NOW
    staff = Message.objects.get(pk=messages["staff"].pk)
    assert staff.body == f"{subject.pseudonym} ({subject.pseudonym}) booked a consultation."
    assert "Alice" not in staff.html
    assert staff.subject == "New booking"
    assert Message.objects.get(pk=messages["other"].pk).body == "Your payout is sent."  # untouched
    assert not NotificationPreference.objects.filter(user=alice).exists()


def test_kept_is_the_log_without_texts(alice, messages, other_patient):
    [item] = kept(alice, NOW)
    assert "without their text" in item.what
    assert kept(other_patient, NOW) == []


def test_an_erased_person_is_sent_nothing_more(alice):
    erase_account(erasure_subject(alice), NOW)
    alice.refresh_from_db()

    assert notify(event="booking_confirmed", recipient=alice, context={}, key="after-erasure", now=NOW) == []
    assert not Message.objects.filter(recipient=alice).exists()
