"""What the release-paid message says and to whom: the provider's active members, after the commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from accounts.tests.factories import UserFactory
from bookings.tests.support import NOW, booked
from notifications.models import Channel, Message
from payments.models import Release, ReleaseStatus
from payments.notifications import notify_release_paid
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def _paid_release(patient) -> Release:
    booking = booked(patient)
    return Release.objects.create(
        booking=booking,
        provider=booking.provider,
        currency="EUR",
        amount=50_000,
        commission=5_000,
        status=ReleaseStatus.PAID,
        requested_by=patient,
        requested_at=NOW,
        wire_reference="WIRE-2030-0042",
        paid_at=NOW,
    )


def test_the_members_hear_of_the_payout_the_commission_and_the_reference(patient, django_capture_on_commit_callbacks):
    release = _paid_release(patient)
    member = release.provider.members.get().user
    MemberFactory(provider=release.provider, user=UserFactory(is_active=False))

    with django_capture_on_commit_callbacks(execute=True):
        notify_release_paid(release=release, now=NOW)

    (message,) = Message.objects.filter(event="release_paid")
    assert (message.recipient, message.channel, message.booking_id) == (member, Channel.EMAIL, release.booking_id)
    assert message.key == f"release_paid:{release.pk}:{member.pk}:email"
    (email,) = mail.outbox
    assert email.to == [member.email]
    assert email.subject == f"The deposit of booking no. {release.booking_id} was paid to you"
    assert "paid out: €450.00 (platform commission: €50.00)" in email.body
    assert "Reference: WIRE-2030-0042" in email.body


def test_a_rolled_back_payout_notifies_no_one(patient, django_capture_on_commit_callbacks):
    release = _paid_release(patient)

    def record_then_fail():
        with transaction.atomic():
            notify_release_paid(release=release, now=NOW)
            raise RuntimeError("the wire could not be recorded")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        record_then_fail()

    assert callbacks == []
    assert not Message.objects.exists()
