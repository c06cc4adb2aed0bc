"""What the add-on messages say and to whom: the confirmation with its breakdown, the supplier's name
and phone, new times, the refund, a quote to accept, and the reminder the day before a transfer.
No health information (the procedure, the booking's offering) in a subject or an SMS."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accounts.tests.factories import PatientFactory
from bookings.tests.support import NOW, booked
from concierge.models import AddonOrder, AddonOrderStatus, InterpreterRequest, TransferLeg
from concierge.notifications import (
    notify_order_cancelled,
    notify_order_changed,
    notify_order_confirmed,
    notify_order_supplier_assigned,
    notify_quote_ready,
)
from concierge.pricing import interpreter_price, package_price, transfer_price
from concierge.reminders import transfer_reminders_send
from concierge.services.orders import order_create
from notifications.models import Channel, Message

pytestmark = pytest.mark.django_db

CANARY = "CANARY-ONCOLOGY"
PICKUP = dt.datetime(2030, 2, 3, 14, 30, tzinfo=dt.UTC)  # Sunday 15:30 in Paris


def _transfer(patient, *, status=AddonOrderStatus.CONFIRMED) -> AddonOrder:
    booking = booked(patient, title=f"{CANARY} consultation")
    price = transfer_price(wheelchair_legs=[True, False], per_leg=6_000, supplement=1_500, currency="EUR")
    order = order_create(
        patient=patient,
        kind="transfer",
        description="Airport to hotel",
        price=price,
        booking=booking,
        city="Paris",
        note=f"{CANARY} please",
        now=NOW,
    )
    TransferLeg.objects.create(
        order=order,
        position=1,
        origin_kind="airport",
        origin="CDG Terminal 2E",
        destination_kind="hotel",
        destination="Hôtel du Louvre",
        pickup_at=PICKUP,
        flight_number="AF123",
        wheelchair=True,
    )
    TransferLeg.objects.create(
        order=order,
        position=2,
        origin_kind="hotel",
        origin="Hôtel du Louvre",
        destination_kind="hospital",
        destination="Clinique Saint-Jean",
        pickup_at=PICKUP + dt.timedelta(days=1),
    )
    AddonOrder.objects.filter(pk=order.pk).update(status=status, paid_at=NOW)
    order.refresh_from_db()
    return order


def _health_free(*messages: Message) -> None:
    for message in messages:
        text = message.subject if message.channel == Channel.EMAIL else message.body
        assert CANARY not in text
        assert "consultation" not in text.lower()


def test_the_confirmation_email_carries_the_breakdown_the_legs_in_the_destinations_time_and_no_sms(
    patient, django_capture_on_commit_callbacks, twilio
):
    order = _transfer(patient)

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_confirmed(order=order, now=NOW)

    (email,) = [m for m in mail.outbox if m.to == [patient.email]]
    assert email.subject == f"Your order no. {order.pk} is confirmed — details in your account"
    assert "- Transfer, legs: 2 — €120.00" in email.body
    assert "- Wheelchair-accessible vehicle, supplement per leg: 1 — €15.00" in email.body
    assert "Total: €135.00" in email.body
    assert "Sunday, 3 February 2030, 15:30 (Paris time): CDG Terminal 2E → Hôtel du Louvre, flight AF123" in email.body
    html, _ = email.alternatives[0]
    assert "<td>€135.00</td>" in html
    assert not Message.objects.filter(event="addon_order_confirmed", channel=Channel.SMS).exists()
    _health_free(*Message.objects.all())


def test_confirming_twice_sends_one_confirmation(patient, django_capture_on_commit_callbacks, twilio):
    order = _transfer(patient)

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_confirmed(order=order, now=NOW)
        notify_order_confirmed(order=order, now=NOW)

    assert Message.objects.filter(event="addon_order_confirmed").count() == 1


def test_the_driver_assigned_goes_by_email_and_sms_with_name_and_phone_and_a_new_driver_goes_again(
    patient, django_capture_on_commit_callbacks, twilio
):
    order = _transfer(patient)
    AddonOrder.objects.filter(pk=order.pk).update(supplier_name="Karim B.", supplier_phone="+33 6 12 34 56 78")
    order.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_supplier_assigned(order=order, now=NOW)
        notify_order_supplier_assigned(order=order, now=NOW)

    sms = Message.objects.get(event="addon_supplier_assigned", channel=Channel.SMS)
    assert (
        sms.body == f"MediBroker: for your order no. {order.pk}: Karim B., +33 6 12 34 56 78. Details in your account."
    )
    email = Message.objects.get(event="addon_supplier_assigned", channel=Channel.EMAIL)
    assert "Karim B., phone +33 6 12 34 56 78" in email.body

    AddonOrder.objects.filter(pk=order.pk).update(supplier_name="Sophie L.", supplier_phone="+33 6 99 99 99 99")
    order.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notify_order_supplier_assigned(order=order, now=NOW)

    assert Message.objects.filter(event="addon_supplier_assigned", channel=Channel.SMS).count() == 2
    _health_free(*Message.objects.all())


def test_re_timed_legs_tell_the_patient_the_new_times_once_per_change(
    patient, django_capture_on_commit_callbacks, twilio
):
    order = _transfer(patient)

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_changed(order=order, now=NOW)
        notify_order_changed(order=order, now=NOW)
    TransferLeg.objects.filter(order=order, position=1).update(pickup_at=PICKUP + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        notify_order_changed(order=order, now=NOW)

    sms = Message.objects.filter(event="addon_order_changed", channel=Channel.SMS).order_by("pk")
    assert [m.body for m in sms] == [
        f"MediBroker: new times for your order no. {order.pk}, first pickup Sunday, 3 February 2030,"
        " 15:30 (Paris time)."
        " Details in your account.",
        f"MediBroker: new times for your order no. {order.pk}, first pickup Sunday, 3 February 2030,"
        " 17:30 (Paris time)."
        " Details in your account.",
    ]
    _health_free(*Message.objects.all())


def test_the_interpreters_new_days_are_in_the_change_message(patient, django_capture_on_commit_callbacks, twilio):
    booking = booked(patient)
    order = order_create(
        patient=patient,
        kind="interpreter",
        description="Interpreter",
        price=interpreter_price(minutes=180, hourly=5_000, reduced_hourly=4_000, currency="EUR"),
        booking=booking,
        city="Paris",
        now=NOW,
    )
    InterpreterRequest.objects.create(
        order=order,
        language="en",
        provider_language="fr",
        booked_minutes=180,
        first_day=dt.date(2030, 2, 4),
        last_day=dt.date(2030, 2, 5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_changed(order=order, now=NOW)

    email = Message.objects.get(event="addon_order_changed", channel=Channel.EMAIL)
    assert "Interpreter: 3 h 00 booked, from 4 February 2030 to 5 February 2030" in email.body
    sms = Message.objects.get(event="addon_order_changed", channel=Channel.SMS)
    assert sms.body == f"MediBroker: new times for your order no. {order.pk}. Details in your account."


def test_the_cancellation_tells_the_refund(patient, django_capture_on_commit_callbacks, twilio):
    order = _transfer(patient)
    AddonOrder.objects.filter(pk=order.pk).update(status=AddonOrderStatus.CANCELLED, refund_amount=6_750)
    order.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_cancelled(order=order, now=NOW)

    sms = Message.objects.get(event="addon_order_cancelled", channel=Channel.SMS)
    assert sms.body == f"MediBroker: your order no. {order.pk} is cancelled. Refund: €67.50. Details in your account."
    email = Message.objects.get(event="addon_order_cancelled", channel=Channel.EMAIL)
    assert "Refunded to your card: €67.50." in email.body


def test_a_quote_ready_asks_the_patient_to_accept_it_by_email(patient, django_capture_on_commit_callbacks, twilio):
    order = order_create(
        patient=patient,
        kind="vip_concierge",
        description="VIP",
        price=package_price(items=[("Hotel, 5 nights", 90_000), ("Insurance", 12_000)], currency="EUR"),
        city="Paris",
        now=NOW,
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify_quote_ready(order=order, now=NOW)

    (email,) = Message.objects.filter(event="addon_quote_ready")
    assert email.channel == Channel.EMAIL
    assert email.subject == f"Your quote for order no. {order.pk} is ready"
    assert "- Hotel, 5 nights: 1 — €900.00" in email.body
    assert "Total: €1,020.00" in email.body


def test_a_french_patient_reads_the_confirmation_in_french(django_capture_on_commit_callbacks, twilio):
    patient = PatientFactory(profile__preferred_language="fr")
    order = _transfer(patient)

    with django_capture_on_commit_callbacks(execute=True):
        notify_order_confirmed(order=order, now=NOW)

    email = Message.objects.get(event="addon_order_confirmed")
    assert email.subject == f"Votre commande n° {order.pk} est confirmée — détails dans votre compte"
    assert "Total : 135,00\xa0€" in email.body
    assert "- dimanche 3 février 2030, 15:30 (heure de Paris) : CDG Terminal 2E" in email.body


def test_the_transfer_reminder_goes_the_day_before_each_pickup_once(
    patient, django_capture_on_commit_callbacks, twilio
):
    order = _transfer(patient)
    AddonOrder.objects.filter(pk=order.pk).update(supplier_name="Karim B.", supplier_phone="+33 6 12 34 56 78")
    day_before = PICKUP - dt.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        too_early = transfer_reminders_send(now=day_before - dt.timedelta(minutes=15))
        first = transfer_reminders_send(now=day_before)
        again = transfer_reminders_send(now=day_before + dt.timedelta(minutes=15))

    assert (too_early, first, again) == (0, 1, 0)
    sms = Message.objects.get(event="addon_transfer_reminder", channel=Channel.SMS)
    assert sms.body == (
        "MediBroker: your transfer is tomorrow at 15:30. Driver: Karim B., +33 6 12 34 56 78. Details in your account."
    )
    email = Message.objects.get(event="addon_transfer_reminder", channel=Channel.EMAIL)
    assert email.subject == "Your transfer tomorrow at 15:30 — details in your account"
    _health_free(*Message.objects.all())

    # The second leg, a day later, is reminded in its turn.
    with django_capture_on_commit_callbacks(execute=True):
        assert transfer_reminders_send(now=PICKUP) == 1


@pytest.mark.parametrize("status", [AddonOrderStatus.AWAITING_PAYMENT, AddonOrderStatus.CANCELLED])
def test_an_unpaid_or_cancelled_transfer_gets_no_reminder(patient, twilio, status):
    _transfer(patient, status=status)

    assert transfer_reminders_send(now=PICKUP - dt.timedelta(days=1)) == 0
    assert not Message.objects.exists()


def test_across_the_change_to_summer_time_the_reminder_keeps_the_local_time_the_day_before(patient, twilio):
    order = _transfer(patient)
    # Sunday, 31 March 2030, 10:00 in Paris (CEST, 08:00 UTC); the day before at 10:00 is CET (09:00 UTC).
    TransferLeg.objects.filter(order=order, position=1).update(pickup_at=dt.datetime(2030, 3, 31, 8, 0, tzinfo=dt.UTC))
    TransferLeg.objects.filter(order=order, position=2).update(pickup_at=dt.datetime(2030, 4, 5, 8, 0, tzinfo=dt.UTC))

    twenty_four_hours_before = transfer_reminders_send(now=dt.datetime(2030, 3, 30, 8, 0, tzinfo=dt.UTC))
    same_local_time = transfer_reminders_send(now=dt.datetime(2030, 3, 30, 9, 0, tzinfo=dt.UTC))

    assert (twenty_four_hours_before, same_local_time) == (0, 1)
