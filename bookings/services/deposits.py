"""From a chosen time to a paid booking: bookings awaiting their deposit, payment, and expiry."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from bookings.models import Appointment, Booking, BookingStatus
from bookings.notifications import notify_booking_confirmed
from bookings.selectors import live_appointments_overlapping
from bookings.services.common import (
    BOOKING,
    EXPIRY_DEADLINE,
    expire_bookings,
    expire_lapsed,
    is_overlap_violation,
    policy_in_force,
    provider_offering_ids,
    slot_taken,
)
from core.audit import audit_record
from core.checks import Check, refuse
from core.errors import Conflict, Forbidden, ValidationFailed
from core.money import Money
from core.state import transition, transition_check
from providers.models import Location, Offering, Provider
from providers.services.derived import offerings_changed

# The statuses in which a booking waits for its deposit.
PAYABLE_STATUSES = frozenset({BookingStatus.HELD, BookingStatus.AWAITING_DEPOSIT})


def _aware(moment: dt.datetime) -> bool:
    return moment.tzinfo is not None and moment.utcoffset() is not None


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def _check_request(
    *,
    provider: Provider,
    offering: Offering | None,
    deposit: Money,
    total: Money | None,
    slots: list[tuple[dt.datetime, dt.datetime]],
    payment_deadline: dt.datetime,
    now: dt.datetime,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The slots in order once the request is known to be well formed; raises ValidationFailed."""
    if offering is not None and offering.provider_id != provider.pk:
        raise _invalid("offering", _("This offering belongs to another provider."), "bad_offering")
    if deposit.amount < 0:
        raise _invalid("deposit", _("The deposit cannot be negative."))
    if total is not None:
        if total.currency != deposit.currency:
            raise _invalid("total", _("The total and the deposit must be in the same currency."), "currency_mismatch")
        if total.amount < deposit.amount:
            raise _invalid("total", _("The deposit cannot exceed the total."))
    if not slots:
        raise _invalid("slots", _("At least one appointment time is needed."))
    if not all(_aware(start) and _aware(end) for start, end in slots) or not _aware(payment_deadline):
        raise _invalid("slots", _("Times must include their timezone."), "naive_datetime")
    ordered = sorted(slots)
    for start, end in ordered:
        if end <= start:
            raise _invalid("slots", _("Each appointment must end after it starts."))
        if start <= now:
            raise _invalid("slots", _("Appointment times must be in the future."), "slot_in_past")
    for (_start, end), (next_start, _end) in itertools.pairwise(ordered):
        if next_start < end:
            raise _invalid("slots", _("The appointment times overlap each other."))
    if payment_deadline <= now:
        raise _invalid("payment_deadline", _("The payment deadline must be in the future."))
    if payment_deadline > ordered[0][0]:
        raise _invalid(
            "payment_deadline",
            _("The payment deadline must come before the first appointment."),
            "deadline_after_appointment",
        )
    return ordered


def _provider_timezone(provider: Provider, offering: Offering | None) -> str:
    if offering is not None:
        return offering.location.timezone
    location = Location.objects.filter(provider=provider).order_by("pk").values_list("timezone", flat=True).first()
    return location or "UTC"


def _release_lapsed(*, provider: Provider, now: dt.datetime) -> None:
    """Expire the provider's lapsed holds and unpaid bookings, so their time is free again.

    The caller holds the provider's lock; the rows are locked before they change."""
    for status, deadline in EXPIRY_DEADLINE.items():
        lapsed = list(
            Booking.objects.select_for_update()
            .filter(provider=provider, status=status, **{f"{deadline}__lte": now})
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        expire_bookings(booking_ids=lapsed, status=status, now=now)


def booking_create_awaiting_deposit(
    *,
    patient: User,
    provider: Provider,
    offering: Offering | None = None,
    deposit: Money,
    total: Money | None,
    slots: list[tuple[dt.datetime, dt.datetime]],
    payment_deadline: dt.datetime,
    policy_code: str,
    actor: User,
    now: dt.datetime,
) -> Booking:
    """A booking awaiting its deposit, taking `slots` at `provider` (an accepted quote's dates).

    Meant to run inside the caller's transaction (quote acceptance); it opens a savepoint.
    1. Check the request's shape (currencies, times in the future and in order, the deadline
       before the first appointment).
    2. Lock the provider's row, refuse an unverified provider, release its lapsed holds and
       unpaid bookings, then refuse if any slot overlaps a live appointment (`slot_taken`).
    3. Create the booking under the cancellation policy `policy_code` in force at `now`, with
       one live appointment per slot (the exclusion constraint is the last word); audit.

    Raises ValidationFailed for a malformed request, Conflict when it cannot be booked; nothing
    is written when it raises.
    """
    ordered = _check_request(
        provider=provider,
        offering=offering,
        deposit=deposit,
        total=total,
        slots=slots,
        payment_deadline=payment_deadline,
        now=now,
    )
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        if not provider.is_verified:
            raise Conflict(
                _("%(provider)s is not verified yet and cannot take bookings.") % {"provider": provider.name},
                code="provider_unverified",
            )
        if offering is not None:
            offering = Offering.objects.select_related("location").get(pk=offering.pk)
        _release_lapsed(provider=provider, now=now)
        for start, end in ordered:
            if live_appointments_overlapping(provider_ids=[provider.pk], start=start, end=end).exists():
                raise slot_taken()
        policy = policy_in_force(code=policy_code, now=now)
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    patient=patient,
                    offering=offering,
                    provider=provider,
                    status=BookingStatus.AWAITING_DEPOSIT,
                    deposit_amount=deposit.amount,
                    total_amount=None if total is None else total.amount,
                    currency=deposit.currency,
                    timezone=_provider_timezone(provider, offering),
                    cancellation_policy=policy,
                    deposit_due_at=payment_deadline,
                    created_at=now,
                    updated_at=now,
                )
                Appointment.objects.bulk_create(
                    [Appointment(booking=booking, provider=provider, start=s, end=e, live=True) for s, e in ordered]
                )
        except IntegrityError as error:
            if is_overlap_violation(error):
                raise slot_taken() from error
            raise
        audit_record(
            actor=actor,
            action="bookings.booking.awaiting_deposit",
            target=booking,
            after={
                "status": BookingStatus.AWAITING_DEPOSIT,
                "patient": patient.pk,
                "offering": None if offering is None else offering.pk,
                "slots": [[s.isoformat(), e.isoformat()] for s, e in ordered],
                "deposit": [deposit.amount, deposit.currency],
                "total": None if total is None else [total.amount, total.currency],
                "deposit_due_at": payment_deadline.isoformat(),
                "cancellation_policy": [policy.code, policy.version],
            },
            now=now,
        )
        offerings_changed(offering_ids=provider_offering_ids({provider.pk}), index=False)
    return booking


def booking_pay_check(*, booking: Booking, actor: User | AnonymousUser | None, now: dt.datetime) -> Check:
    """May `actor` pay the deposit of `booking` now? Its patient may, while it is held within its
    hold or awaiting its deposit before its deadline, and has a deposit to pay.

    The payments app's payment services and pages read it; the refusals are worded for the
    patient, who is told nothing was charged.
    """
    details = {"booking": booking.pk}
    if actor is None or actor.pk != booking.patient_id:
        return refuse(Forbidden(_("Only the patient can pay this booking's deposit.")))
    if booking.paid_at is not None:
        return refuse(Conflict(_("This booking's deposit is already paid."), code="already_paid", details=details))
    # A deadline is always set in these statuses (a database constraint); without one, nothing is charged.
    lapsed = (
        booking.status == BookingStatus.AWAITING_DEPOSIT
        and (booking.deposit_due_at is None or booking.deposit_due_at <= now)
    ) or (booking.status == BookingStatus.HELD and (booking.hold_expires_at is None or booking.hold_expires_at <= now))
    if booking.status == BookingStatus.EXPIRED or lapsed:
        return refuse(
            Conflict(
                _("This booking expired before its deposit was paid and its time was released. Nothing was charged."),
                code="booking_expired",
                details=details,
            )
        )
    if booking.status == BookingStatus.CANCELLED:
        return refuse(
            Conflict(
                _("This booking was cancelled, so there is no deposit to pay. Nothing was charged."),
                code="booking_cancelled",
                details=details,
            )
        )
    if booking.status not in PAYABLE_STATUSES:
        return refuse(
            Conflict(
                _("This booking is not waiting for a deposit. Nothing was charged."),
                code="not_payable",
                details=details,
            )
        )
    if booking.deposit_amount <= 0:
        return refuse(Conflict(_("This booking has no deposit to pay."), code="no_deposit", details=details))
    return Check(transition_check(machine=BOOKING, instance=booking, target=BookingStatus.CONFIRMED))


def booking_confirm_deposit(
    *, booking: Booking, payment_reference: str, paid_at: dt.datetime, now: dt.datetime
) -> Booking:
    """The deposit of `booking` was paid (reference `payment_reference`): it is confirmed.

    The one seam the payments code calls once a payment succeeded (`booking_pay_check` said
    beforehand whether to take it). Safe to call twice: the same reference again changes
    nothing. Refuses a booking that expired or was cancelled (the payment must then be given
    back), or that was already paid under another reference.
    """
    payment_reference = (payment_reference or "").strip()
    if not payment_reference:
        raise _invalid("payment_reference", _("A payment reference is required."))
    if not _aware(paid_at):
        raise _invalid("paid_at", _("Times must include their timezone."), "naive_datetime")
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.paid_at is not None:
            if locked.payment_reference == payment_reference:
                return locked  # already confirmed by this payment
            raise Conflict(
                _("This booking's deposit has already been paid (another payment)."),
                code="already_paid",
                details={"booking": locked.pk},
            )
        if locked.status == BookingStatus.EXPIRED:
            raise Conflict(
                _("This booking expired before its deposit was paid and its time was released."),
                code="booking_expired",
                details={"booking": locked.pk},
            )
        if locked.status == BookingStatus.CANCELLED:
            raise Conflict(
                _("This booking was cancelled before its deposit was paid."),
                code="booking_cancelled",
                details={"booking": locked.pk},
            )
        fields: dict[str, Any] = {"paid_at": paid_at, "payment_reference": payment_reference}
        transition(
            machine=BOOKING,
            instance=locked,
            target=BookingStatus.CONFIRMED,
            actor=None,
            action="bookings.booking.confirmed",
            now=now,
            fields=fields,
            audit_after={"paid_at": paid_at.isoformat(), "payment_reference": payment_reference},
            locked=True,
        )
        notify_booking_confirmed(booking=locked, now=now)
    return locked


def booking_expire_unpaid(*, now: dt.datetime, batch_size: int = 500) -> int:
    """Expire bookings still awaiting their deposit after their deadline; returns how many (see
    `expire_lapsed`)."""
    return expire_lapsed(status=BookingStatus.AWAITING_DEPOSIT, now=now, batch_size=batch_size)
