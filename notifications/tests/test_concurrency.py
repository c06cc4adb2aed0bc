"""PostgreSQL: two workers sending one message at once send it once."""

from __future__ import annotations

import pytest
from django.core import mail

from notifications.models import Channel, Message, MessageStatus
from notifications.services import message_send
from notifications.tests.support import NOW, require_postgresql, run_at_once


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
