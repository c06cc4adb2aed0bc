"""Ordering and running transfers and interpreters for a confirmed booking (docs/decisions.md#add-ons).

- Proposals: the legs and the interpreter's minutes come from the booking's own appointments and the
  arrival and departure the patient enters; the patient corrects them before ordering.
- Preview and create: the preview returns the exact `Price` (lines and total) and writes nothing;
  create validates the same input, then writes the order (awaiting payment), its lines and its legs
  or interpreter row in one transaction. Prices come from the price list in force for the booking's
  city and the chosen currency.
- Cancellation: unpaid, the order is just cancelled; paid, `concierge.policy` decides the refund,
  which goes back to the card (partial) and out of the add-on income, under a key built from the
  order's id so Stripe never refunds twice.
- Fulfilment (careteam): assign who does the work (→ in progress, the patient told), fulfil, and
  record the interpreter's hours actually worked, once: fewer than paid refunds the difference,
  more opens a follow-up order for the extra, awaiting the patient's payment.
- `booking_rescheduled`: bookings' `booking_changed` hook; a moved appointment moves its legs by as
  much and the interpreter's days with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Appointment, Booking, BookingStatus
from bookings.services.common import is_careteam
from concierge import notifications, policy
from concierge.models import (
    AddonKind,
    AddonOrder,
    AddonOrderStatus,
    InterpreterRequest,
    PackageItemRefund,
    PackageItemStatus,
    PlaceKind,
    PriceList,
    Supplier,
    TransferLeg,
)
from concierge.pricing import (
    INTERPRETER_MAXIMUM_MINUTES,
    Line,
    Price,
    interpreter_billed_minutes,
    interpreter_price,
    transfer_price,
)
from concierge.selectors import price_list_in_force
from concierge.services.orders import ADDON_ORDER, CANCEL_RULES, order_create, priced
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from core.money import Money, exponent
from core.state import transition, transition_check
from core.when import when_text
from payments.services.card_payments import (
    addon_income_record_refunded,
    card_refund_create,
)
from providers.models import Location

# The driver picks the patient up 45 minutes before an appointment: city traffic, and hospitals ask
# international patients to be at reception 15–30 minutes early for admission formalities.
PICKUP_BEFORE_APPOINTMENT = dt.timedelta(minutes=45)
# For a departure: check-in for an international flight closes about an hour before, security and
# the drive take the rest.
PICKUP_BEFORE_DEPARTURE = dt.timedelta(hours=3)
# Arrival may come a few days before the first appointment (tests, rest); no earlier.
STAY_LEAD = dt.timedelta(days=3)
# A leg a month after the last appointment belongs to another stay.
STAY_TAIL = dt.timedelta(days=30)
MAXIMUM_LEGS = 20
MAXIMUM_PASSENGERS = 8
MAXIMUM_LUGGAGE = 12
MAXIMUM_INTERPRETER_DAYS = 60
# IATA: a two-character airline designator (letters, or a letter and a digit), 1–4 digits, and an
# optional operational suffix letter: TK1987, BA117, U22431, 9W302A.
FLIGHT_NUMBER = re.compile(r"^(?=[A-Z0-9]{2}\d)(?![0-9]{2})([A-Z0-9]{2})(\d{1,4})([A-Z]?)$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

# Statuses in which an order has been paid (its money is income to give back, in part or whole).
PAID_STATUSES = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED})


@dataclass(frozen=True)
class LegInput:
    """One leg as the patient asks for it (a proposal, corrected, or typed from scratch)."""

    origin_kind: str
    origin: str
    destination_kind: str
    destination: str
    pickup_at: dt.datetime
    flight_number: str = ""
    passengers: int = 1
    luggage: int = 1
    wheelchair: bool = False
    appointment_id: int | None = None


@dataclass(frozen=True)
class Place:
    city: str
    address: str
    tz: ZoneInfo


# --- the booking and its place ------------------------------------------------------------------------


def booking_addons_order_check(*, booking: Booking) -> Check:
    """May a transfer or an interpreter be ordered for `booking` now: once it is confirmed (its deposit
    paid). The booking page asks before offering the buttons; the services enforce it."""
    if booking.status != BookingStatus.CONFIRMED:
        return refuse(
            Conflict(
                _("Transfers and interpreters can be ordered once the booking is confirmed (its deposit paid)."),
                code="booking_not_confirmed",
            )
        )
    return ALLOWED


def _booking_of(patient: User, booking: Booking) -> Booking:
    """The patient's own confirmed booking: someone else's is not found; an unconfirmed one a 409."""
    if booking.patient_id != patient.pk:
        raise NotFound(_("You have no booking with this id."))
    booking_addons_order_check(booking=booking).enforce()
    return booking


def booking_place(booking: Booking) -> Place:
    """Where the care happens: the booked offering's location, else the provider's first one."""
    location = (
        booking.offering.location
        if booking.offering_id is not None and booking.offering is not None
        else Location.objects.filter(provider_id=booking.provider_id).order_by("pk").first()
    )
    if location is None:
        return Place(city="", address="", tz=booking.tz)
    return Place(city=location.city, address=f"{location.name}, {location.address}, {location.city}", tz=booking.tz)


def _appointments(booking: Booking) -> list[Appointment]:
    return list(booking.appointments.order_by("start", "pk"))


def _price_list(*, kind: str, booking: Booking, currency: str) -> PriceList:
    currency = (currency or "").strip().upper()
    try:
        exponent(currency)
    except DomainError:
        raise ValidationFailed(
            _("Choose a currency we accept."),
            code="invalid_currency",
            details={"currency": [_("Choose a currency we accept.")]},
        ) from None
    place = booking_place(booking)
    price_list = price_list_in_force(kind=kind, city=place.city, currency=currency) if place.city else None
    if price_list is None:
        message = _("%(addon)s has no price in %(currency)s in %(city)s. Please choose another currency.") % {
            "addon": AddonKind(kind).label,
            "currency": currency,
            "city": place.city or _("this city"),
        }
        raise ValidationFailed(message, code="no_price_list", details={"currency": [message]})
    return price_list


# --- proposals -----------------------------------------------------------------------------------------


def transfer_legs_proposed(
    *,
    booking: Booking,
    arrival_at: dt.datetime | None,
    arrival_flight: str,
    departure_at: dt.datetime | None,
    departure_flight: str,
    hotel: str,
) -> list[LegInput]:
    """The legs a stay needs, for the patient to correct before ordering:

    1. airport → hotel when the flight lands (the driver waits for the flight, up to an hour free);
    2. for each appointment: hotel → hospital 45 minutes before it (`PICKUP_BEFORE_APPOINTMENT`),
       hospital → hotel when it ends; both keep their appointment, so moving it moves them;
    3. hotel → airport 3 hours before the departing flight (`PICKUP_BEFORE_DEPARTURE`).
    """
    place = booking_place(booking)
    hotel = hotel.strip() or _("Your hotel")
    hospital = place.address or booking.provider.name
    airport = _("%(city)s airport") % {"city": place.city} if place.city else _("Airport")
    legs: list[LegInput] = []
    if arrival_at is not None:
        legs.append(
            LegInput(
                PlaceKind.AIRPORT, airport, PlaceKind.HOTEL, hotel, arrival_at, flight_number=arrival_flight.strip()
            )
        )
    for appointment in _appointments(booking):
        legs.append(
            LegInput(
                PlaceKind.HOTEL,
                hotel,
                PlaceKind.HOSPITAL,
                hospital,
                appointment.start - PICKUP_BEFORE_APPOINTMENT,
                appointment_id=appointment.pk,
            )
        )
        legs.append(
            LegInput(
                PlaceKind.HOSPITAL, hospital, PlaceKind.HOTEL, hotel, appointment.end, appointment_id=appointment.pk
            )
        )
    if departure_at is not None:
        legs.append(
            LegInput(
                PlaceKind.HOTEL,
                hotel,
                PlaceKind.AIRPORT,
                airport,
                departure_at.astimezone(dt.UTC) - PICKUP_BEFORE_DEPARTURE,
                flight_number=departure_flight.strip(),
            )
        )
    return legs


def interpreter_minutes_proposed(*, booking: Booking) -> int:
    """The appointments' total length in minutes (billed with the 2-hour minimum and 15-minute steps)."""
    return sum(int((a.end - a.start).total_seconds()) // 60 for a in _appointments(booking))


def interpreter_days_proposed(*, booking: Booking) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the appointments, in the place's timezone."""
    appointments = _appointments(booking)
    if not appointments:
        return None
    tz = booking.tz
    return appointments[0].start.astimezone(tz).date(), max(a.end for a in appointments).astimezone(tz).date()


# --- validation ----------------------------------------------------------------------------------------


def flight_number_normalised(value: str) -> str:
    """`ba 117` → `BA117`; raises ValueError for something that is not an IATA flight number."""
    cleaned = re.sub(r"[\s-]+", "", value or "").upper()
    match = FLIGHT_NUMBER.match(cleaned)
    if match is None:
        raise ValueError(value)
    airline, number, suffix = match.groups()
    return f"{airline}{int(number)}{suffix}"


def _stay_window(booking: Booking) -> tuple[dt.datetime, dt.datetime] | None:
    appointments = _appointments(booking)
    if not appointments:
        return None
    return appointments[0].start - STAY_LEAD, max(a.end for a in appointments) + STAY_TAIL


def _when(moment: dt.datetime, tz: ZoneInfo) -> str:
    return when_text(moment, tz)


def _validated_legs(*, booking: Booking, legs: list[LegInput], now: dt.datetime) -> list[LegInput]:
    """The legs with their flight numbers normalised, or ValidationFailed naming each bad field
    (`legs.<index>.<field>`)."""
    errors: dict[str, list[str]] = {}
    if not legs:
        raise ValidationFailed(
            _("Add at least one leg."), code="no_legs", details={"legs": [_("Add at least one leg.")]}
        )
    if len(legs) > MAXIMUM_LEGS:
        message = _("At most %(count)d legs per order.") % {"count": MAXIMUM_LEGS}
        raise ValidationFailed(message, code="too_many_legs", details={"legs": [message]})
    window = _stay_window(booking)
    appointment_ids = {a.pk for a in _appointments(booking)}
    tz = booking.tz
    cleaned: list[LegInput] = []
    for index, leg in enumerate(legs):

        def bad(name: str, message: str, index: int = index) -> None:
            errors.setdefault(f"legs.{index}.{name}", []).append(message)

        flight = leg.flight_number.strip()
        if flight:
            try:
                flight = flight_number_normalised(flight)
            except ValueError:
                bad("flight_number", _("Enter a flight number such as TK1987 or BA 117."))
        elif leg.origin_kind == PlaceKind.AIRPORT:
            bad("flight_number", _("Enter the flight number, so the driver can follow your flight."))
        for name in ("origin_kind", "destination_kind"):
            if getattr(leg, name) not in PlaceKind.values:
                bad(name, _("Choose a kind of place."))
        for name in ("origin", "destination"):
            text = getattr(leg, name).strip()
            if not text:
                bad(name, _("Enter the address."))
            elif len(text) > 300:
                bad(name, _("At most 300 characters."))
        pickup = leg.pickup_at
        if pickup.tzinfo is None or pickup.utcoffset() is None:
            bad("pickup_at", _("The pickup time must include its timezone."))
        elif pickup < now:
            bad("pickup_at", _("The pickup time has passed. Please choose a later time."))
        elif window is not None and pickup < window[0]:
            bad(
                "pickup_at",
                _("The pickup is more than 3 days before your first appointment (%(first)s).")
                % {"first": _when(window[0] + STAY_LEAD, tz)},
            )
        elif window is not None and pickup > window[1]:
            bad("pickup_at", _("The pickup is more than 30 days after your last appointment."))
        if not 1 <= leg.passengers <= MAXIMUM_PASSENGERS:
            bad("passengers", _("From 1 to %(max)d passengers.") % {"max": MAXIMUM_PASSENGERS})
        if not 0 <= leg.luggage <= MAXIMUM_LUGGAGE:
            bad("luggage", _("From 0 to %(max)d pieces of luggage.") % {"max": MAXIMUM_LUGGAGE})
        if leg.appointment_id is not None and leg.appointment_id not in appointment_ids:
            bad("appointment_id", _("This appointment is not one of this booking's."))
        cleaned.append(
            LegInput(
                origin_kind=leg.origin_kind,
                origin=leg.origin.strip(),
                destination_kind=leg.destination_kind,
                destination=leg.destination.strip(),
                pickup_at=pickup,
                flight_number=flight,
                passengers=leg.passengers,
                luggage=leg.luggage,
                wheelchair=bool(leg.wheelchair),
                appointment_id=leg.appointment_id,
            )
        )
    if errors:
        raise ValidationFailed(_("Please correct the legs marked below."), code="invalid_legs", details=errors)
    return cleaned


def _language(value: str) -> str | None:
    code = (value or "").strip().lower().replace("_", "-")
    if not LANGUAGE_CODE.match(code):
        return None
    try:
        Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    return code


@dataclass(frozen=True)
class InterpreterInput:
    language: str
    provider_language: str
    minutes: int
    first_day: dt.date
    last_day: dt.date


def _validated_interpreter(
    *,
    booking: Booking,
    language: str,
    provider_language: str,
    minutes: int,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> InterpreterInput:
    errors: dict[str, list[str]] = {}
    patient_code = _language(language)
    provider_code = _language(provider_language)
    if patient_code is None:
        errors["language"] = [_("Choose a language (a code such as en, ar or pt-BR).")]
    if provider_code is None:
        errors["provider_language"] = [_("Choose a language (a code such as en, ar or pt-BR).")]
    elif patient_code is not None and patient_code.split("-")[0] == provider_code.split("-")[0]:
        errors["provider_language"] = [_("An interpreter translates between two different languages.")]
    if type(minutes) is not int or not 1 <= minutes <= INTERPRETER_MAXIMUM_MINUTES:
        errors["minutes"] = [_("Book from 1 minute to %(hours)d hours.") % {"hours": INTERPRETER_MAXIMUM_MINUTES // 60}]
    today = now.astimezone(booking.tz).date()
    if first_day > last_day:
        errors["last_day"] = [_("The last day comes on or after the first day.")]
    elif first_day < today:
        errors["first_day"] = [_("The first day has passed. Please choose a later day.")]
    elif (last_day - first_day).days > MAXIMUM_INTERPRETER_DAYS:
        errors["last_day"] = [_("At most %(days)d days.") % {"days": MAXIMUM_INTERPRETER_DAYS}]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), code="invalid_interpreter", details=errors)
    return InterpreterInput(patient_code or "", provider_code or "", minutes, first_day, last_day)


# --- preview and create --------------------------------------------------------------------------------


def _transfer_price(price_list: PriceList, legs: list[LegInput]) -> Price:
    return transfer_price(
        wheelchair_legs=[leg.wheelchair for leg in legs],
        per_leg=price_list.unit_amount,
        supplement=price_list.supplement_amount,
        currency=price_list.currency,
    )


def order_preview_transfer(
    *, patient: User, booking: Booking, legs: list[LegInput], currency: str, now: dt.datetime
) -> Price:
    """The exact lines and total of a transfer order; writes nothing."""
    booking = _booking_of(patient, booking)
    price_list = _price_list(kind=AddonKind.TRANSFER, booking=booking, currency=currency)
    return _transfer_price(price_list, _validated_legs(booking=booking, legs=legs, now=now))


def order_create_transfer(
    *, patient: User, booking: Booking, legs: list[LegInput], currency: str, now: dt.datetime
) -> AddonOrder:
    """A transfer order awaiting payment, with its lines and legs, at the price the preview showed."""
    booking = _booking_of(patient, booking)
    price_list = _price_list(kind=AddonKind.TRANSFER, booking=booking, currency=currency)
    cleaned = _validated_legs(booking=booking, legs=legs, now=now)
    price = _transfer_price(price_list, cleaned)
    starts = {a.pk: a.start for a in _appointments(booking)}
    with transaction.atomic():
        order = order_create(
            patient=patient,
            kind=AddonKind.TRANSFER,
            description=_("Transfer, %(count)d legs") % {"count": len(cleaned)}
            if len(cleaned) > 1
            else _("Transfer, 1 leg"),
            price=price,
            now=now,
            booking=booking,
            city=price_list.city,
            price_list=price_list,
        )
        TransferLeg.objects.bulk_create(
            TransferLeg(
                order=order,
                position=position,
                origin_kind=leg.origin_kind,
                origin=leg.origin,
                destination_kind=leg.destination_kind,
                destination=leg.destination,
                pickup_at=leg.pickup_at,
                flight_number=leg.flight_number,
                passengers=leg.passengers,
                luggage=leg.luggage,
                wheelchair=leg.wheelchair,
                appointment_id=leg.appointment_id,
                appointment_start=starts.get(leg.appointment_id) if leg.appointment_id else None,
            )
            for position, leg in enumerate(cleaned, start=1)
        )
    return order


def _interpreter_price(price_list: PriceList, minutes: int) -> Price:
    return interpreter_price(
        minutes=minutes,
        hourly=price_list.unit_amount,
        reduced_hourly=price_list.reduced_unit_amount,
        currency=price_list.currency,
    )


def order_preview_interpreter(
    *,
    patient: User,
    booking: Booking,
    language: str,
    provider_language: str,
    minutes: int,
    first_day: dt.date,
    last_day: dt.date,
    currency: str,
    now: dt.datetime,
) -> Price:
    """The exact lines and total of an interpreter order (2-hour minimum, 15-minute steps); writes nothing."""
    booking = _booking_of(patient, booking)
    price_list = _price_list(kind=AddonKind.INTERPRETER, booking=booking, currency=currency)
    valid = _validated_interpreter(
        booking=booking,
        language=language,
        provider_language=provider_language,
        minutes=minutes,
        first_day=first_day,
        last_day=last_day,
        now=now,
    )
    return _interpreter_price(price_list, valid.minutes)


def order_create_interpreter(
    *,
    patient: User,
    booking: Booking,
    language: str,
    provider_language: str,
    minutes: int,
    first_day: dt.date,
    last_day: dt.date,
    currency: str,
    now: dt.datetime,
) -> AddonOrder:
    """An interpreter order awaiting payment, with its lines and its interpreter row."""
    booking = _booking_of(patient, booking)
    price_list = _price_list(kind=AddonKind.INTERPRETER, booking=booking, currency=currency)
    valid = _validated_interpreter(
        booking=booking,
        language=language,
        provider_language=provider_language,
        minutes=minutes,
        first_day=first_day,
        last_day=last_day,
        now=now,
    )
    price = _interpreter_price(price_list, valid.minutes)
    billed = interpreter_billed_minutes(valid.minutes)
    with transaction.atomic():
        order = order_create(
            patient=patient,
            kind=AddonKind.INTERPRETER,
            description=_("Interpreter %(pair)s, %(hours)s") % {"pair": _pair(valid), "hours": _hours(billed)},
            price=price,
            now=now,
            booking=booking,
            city=price_list.city,
            price_list=price_list,
        )
        InterpreterRequest.objects.create(
            order=order,
            language=valid.language,
            provider_language=valid.provider_language,
            booked_minutes=billed,
            first_day=valid.first_day,
            last_day=valid.last_day,
        )
    return order


def _pair(valid: InterpreterInput | InterpreterRequest) -> str:
    return f"{valid.language} ↔ {valid.provider_language}"


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


# --- the refund policy of an order ----------------------------------------------------------------------


def _paid_amount(order: AddonOrder) -> int:
    """What the patient paid for the order and has not been given back yet."""
    if order.status not in PAID_STATUSES or order.amount is None:
        return 0
    already = 0
    interpreter = InterpreterRequest.objects.filter(order=order).first()
    if interpreter is not None and interpreter.adjustment_amount and interpreter.adjustment_amount < 0:
        already = -interpreter.adjustment_amount
    return max(0, order.amount - already)


def _first_interpreted_at(order: AddonOrder, interpreter: InterpreterRequest) -> dt.datetime:
    """The first appointment on or after the interpreter's first day; else that day's start, locally."""
    tz = order.booking.tz if order.booking is not None else ZoneInfo("UTC")
    if order.booking is not None:
        for appointment in _appointments(order.booking):
            if appointment.start.astimezone(tz).date() >= interpreter.first_day:
                return appointment.start
    return dt.datetime.combine(interpreter.first_day, dt.time(0), tzinfo=tz)


def order_policy_facts(order: AddonOrder) -> policy.OrderFacts:
    """The facts `concierge.policy` reads for `order`, as it stands."""
    currency = order.currency
    paid = Money(_paid_amount(order), currency)
    tz = order.booking.tz if order.booking is not None else ZoneInfo("UTC")
    if order.kind == AddonKind.TRANSFER:
        legs = list(order.legs.all())
        total = paid.amount
        shares = (
            policy.split_by_weights(total, [_leg_weight(order, leg) for leg in legs], currency)
            if legs and total
            else [0] * len(legs)
        )
        return policy.OrderFacts(
            kind=order.kind,
            paid=paid,
            tz=tz,
            legs=tuple(policy.LegFacts(leg.pickup_at, share) for leg, share in zip(legs, shares, strict=True)),
        )
    if order.kind == AddonKind.INTERPRETER:
        interpreter = InterpreterRequest.objects.filter(order=order).first()
        starts = (
            None
            if interpreter is None or interpreter.worked_minutes is not None
            else _first_interpreted_at(order, interpreter)
        )
        return policy.OrderFacts(kind=order.kind, paid=paid, tz=tz, interpreting_starts_at=starts)
    if order.kind == AddonKind.VISA_LETTER:
        issued = order.visa_letters.filter(issued_at__isnull=False).exists()
        return policy.OrderFacts(kind=order.kind, paid=paid, tz=tz, letter_issued=issued)
    if order.kind == AddonKind.VIP_CONCIERGE:
        items = tuple(
            policy.ItemFacts(
                item.amount,
                item.refund_rule == PackageItemRefund.FULL
                and item.status in {PackageItemStatus.PROPOSED, PackageItemStatus.CANCELLED},
            )
            for item in order.package_items.all()
        )
        return policy.OrderFacts(kind=order.kind, paid=paid, tz=tz, items=items)
    started = order.status in {AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED}
    return policy.OrderFacts(kind=order.kind, paid=paid, tz=tz, work_started=started)


def _leg_weight(order: AddonOrder, leg: TransferLeg) -> int:
    """A leg's share of the price: the price per leg, plus the supplement where it needs a wheelchair."""
    price_list = order.price_list
    if price_list is None:
        return 1
    return price_list.unit_amount + ((price_list.supplement_amount or 0) if leg.wheelchair else 0)


def order_refund_schedule(*, order: AddonOrder, now: dt.datetime) -> list[policy.Period]:
    """What cancelling gives back from `now` on, as moments and amounts. Before payment, what it
    would give once paid (the page shown before paying)."""
    facts = order_policy_facts(order)
    if facts.paid.amount == 0 and order.amount and order.status in {AddonOrderStatus.AWAITING_PAYMENT}:
        facts = _as_if_paid(order, facts)
    return policy.schedule(facts, now)


def _as_if_paid(order: AddonOrder, facts: policy.OrderFacts) -> policy.OrderFacts:
    paid = Money(order.amount or 0, order.currency)
    legs = facts.legs
    if legs:
        shares = policy.split_by_weights(
            paid.amount, [_leg_weight(order, leg) for leg in order.legs.all()], order.currency
        )
        legs = tuple(policy.LegFacts(leg.pickup_at, share) for leg, share in zip(legs, shares, strict=True))
    return policy.OrderFacts(
        kind=facts.kind,
        paid=paid,
        tz=facts.tz,
        legs=legs,
        interpreting_starts_at=facts.interpreting_starts_at,
        letter_issued=facts.letter_issued,
        items=facts.items,
        work_started=facts.work_started,
    )


def price_refund_schedule(
    *,
    booking: Booking,
    kind: str,
    price: Price,
    legs: list[LegInput] | None = None,
    first_day: dt.date | None = None,
    now: dt.datetime,
) -> list[policy.Period]:
    """The schedule of an order not written yet (the preview), from its price and inputs."""
    tz = booking.tz
    paid = Money(price.total, price.currency)
    if kind == AddonKind.TRANSFER and legs:
        per_leg = price.lines[0].unit_amount
        supplement = price.lines[1].unit_amount if len(price.lines) > 1 else 0
        weights = [per_leg + (supplement if leg.wheelchair else 0) for leg in legs]
        shares = policy.split_by_weights(price.total, weights, price.currency)
        facts = policy.OrderFacts(
            kind=kind,
            paid=paid,
            tz=tz,
            legs=tuple(policy.LegFacts(leg.pickup_at, share) for leg, share in zip(legs, shares, strict=True)),
        )
    elif kind == AddonKind.INTERPRETER and first_day is not None:
        starts = next(
            (a.start for a in _appointments(booking) if a.start.astimezone(tz).date() >= first_day),
            dt.datetime.combine(first_day, dt.time(0), tzinfo=tz),
        )
        facts = policy.OrderFacts(kind=kind, paid=paid, tz=tz, interpreting_starts_at=starts)
    else:
        facts = policy.OrderFacts(kind=kind, paid=paid, tz=tz)
    return policy.schedule(facts, now)


# --- cancellation --------------------------------------------------------------------------------------


def _own_or_careteam(order: AddonOrder, actor: Any) -> Check:
    if not getattr(actor, "is_authenticated", False):
        return refuse(NotFound(_("You have no order with this id.")))
    if order.patient_id == actor.pk or is_careteam(actor):
        return ALLOWED
    if actor.is_staff or actor.in_group(StaffGroup.FINANCE):
        return refuse(Forbidden(_("Only the patient or the careteam can cancel an order.")))
    return refuse(NotFound(_("You have no order with this id.")))


def order_cancel_check(*, order: AddonOrder, actor: Any) -> Check:
    """May `actor` cancel `order` now: the patient or the careteam, while it is not done."""
    kind_rule = CANCEL_RULES.get(order.kind)
    return first_refusal(
        _own_or_careteam(order, actor),
        Check(transition_check(machine=ADDON_ORDER, instance=order, target=AddonOrderStatus.CANCELLED)),
        kind_rule(order=order) if kind_rule is not None else ALLOWED,
    )


def order_cancel_refund(*, order: AddonOrder, now: dt.datetime) -> policy.Refund:
    """What cancelling `order` at `now` gives back (what the cancel button's confirmation shows)."""
    return policy.refund_at(order_policy_facts(order), now)


def order_cancel(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """Cancel: unpaid, just cancelled; paid, the policy's refund goes back to the card (in part) and
    out of the add-on income, and the order records the amount and the rule's sentence. Stripe's
    refund carries the key `order-cancel:<id>`, so a retry never refunds twice."""
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().filter(pk=order.pk).first()
        if locked is None:
            raise NotFound(_("You have no order with this id."))
        order_cancel_check(order=locked, actor=actor).enforce()
        decision = policy.refund_at(order_policy_facts(locked), now)
        fields: dict[str, Any] = {"cancelled_at": now, "cancelled_by": actor}
        after: dict[str, Any] = {}
        if locked.status in PAID_STATUSES:
            fields["refund_amount"] = decision.amount.amount
            fields["refund_explanation"] = decision.explanation[:300]
            after = {"refund": decision.amount.amount, "rule": decision.rule}
            if decision.amount.amount > 0:
                if locked.payment_intent_id is None:
                    raise Conflict(_("This order has no payment to refund."), code="not_paid")
                refund = card_refund_create(
                    payment_intent_id=locked.payment_intent_id,
                    amount=decision.amount.amount,
                    idempotency_key=f"order-cancel:{locked.pk}",
                    metadata={"addon_order": locked.pk},
                )
                addon_income_record_refunded(
                    kind=locked.kind,
                    amount=decision.amount.amount,
                    currency=locked.currency,
                    stripe_refund_id=refund.id,
                    actor=actor,
                    now=now,
                )
                fields["stripe_refund_id"] = refund.id
                after["stripe_refund"] = refund.id
        cancelled = transition(
            machine=ADDON_ORDER,
            instance=locked,
            locked=True,
            target=AddonOrderStatus.CANCELLED,
            actor=actor,
            action="concierge.order.cancelled",
            now=now,
            fields=fields,
            audit_after=after,
        ).instance
        notifications.notify_order_cancelled(order=cancelled, now=now)
    return cancelled


# --- fulfilment ----------------------------------------------------------------------------------------


def _careteam(actor: Any) -> Check:
    if is_careteam(actor):
        return ALLOWED
    return refuse(Forbidden(_("Only the careteam can arrange an order.")))


def order_assign_check(*, order: AddonOrder, actor: Any) -> Check:
    """May `actor` say who does the work: the careteam, once the order is paid and until it is done
    (assigning again replaces the driver or interpreter)."""
    if order.status == AddonOrderStatus.IN_PROGRESS:
        return _careteam(actor)
    return first_refusal(
        _careteam(actor),
        Check(transition_check(machine=ADDON_ORDER, instance=order, target=AddonOrderStatus.IN_PROGRESS)),
    )


def order_assign(
    *,
    order: AddonOrder,
    actor: User,
    name: str,
    phone: str,
    detail: str,
    now: dt.datetime,
    supplier: Supplier | None = None,
) -> AddonOrder:
    """The careteam names who does the work (driver and phone, interpreter and language pair): the
    order is in progress and the patient is told."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    phone = re.sub(r"[^\d+]", "", phone or "")
    detail = (detail or "").strip()
    if supplier is not None and not name:
        name = supplier.name
    if not name:
        errors["name"] = [_("Enter the name of the driver or interpreter.")]
    elif len(name) > 200:
        errors["name"] = [_("At most 200 characters.")]
    if phone and not re.fullmatch(r"\+?\d{6,15}", phone):
        errors["phone"] = [_("Enter a phone number, such as +90 212 555 0100.")]
    if len(detail) > 200:
        errors["detail"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationFailed(_("Please correct the fields marked below."), code="invalid_assignment", details=errors)
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().get(pk=order.pk)
        order_assign_check(order=locked, actor=actor).enforce()
        fields = {
            "supplier": supplier,
            "supplier_name": name,
            "supplier_phone": phone,
            "supplier_detail": detail,
            "assigned_at": now,
        }
        if locked.status == AddonOrderStatus.IN_PROGRESS:
            before = {"supplier_name": locked.supplier_name, "supplier_phone": locked.supplier_phone}
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.updated_at = now
            locked.save(update_fields=[*fields, "updated_at"])
            audit_record(
                actor=actor,
                action="concierge.order.reassigned",
                target=locked,
                before=before,
                after={"supplier_name": name, "supplier_phone": phone},
                now=now,
            )
        else:
            locked = transition(
                machine=ADDON_ORDER,
                instance=locked,
                locked=True,
                target=AddonOrderStatus.IN_PROGRESS,
                actor=actor,
                action="concierge.order.assigned",
                now=now,
                fields=fields,
                audit_after={"supplier_name": name, "supplier_phone": phone},
            ).instance
        notifications.notify_order_supplier_assigned(order=locked, now=now)
    return locked


def order_fulfil_check(*, order: AddonOrder, actor: Any) -> Check:
    return first_refusal(
        _careteam(actor),
        Check(transition_check(machine=ADDON_ORDER, instance=order, target=AddonOrderStatus.FULFILLED)),
    )


def order_fulfil(*, order: AddonOrder, actor: User, now: dt.datetime) -> AddonOrder:
    """The careteam records the work done."""
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().get(pk=order.pk)
        order_fulfil_check(order=locked, actor=actor).enforce()
        return transition(
            machine=ADDON_ORDER,
            instance=locked,
            locked=True,
            target=AddonOrderStatus.FULFILLED,
            actor=actor,
            action="concierge.order.fulfilled",
            now=now,
            fields={"fulfilled_at": now},
        ).instance


def interpreter_hours_record_check(*, order: AddonOrder, actor: Any) -> Check:
    """May `actor` record the hours the interpreter worked: the careteam, once, on a paid interpreter order."""
    refusal = _careteam(actor)
    if not refusal:
        return refusal
    if order.kind != AddonKind.INTERPRETER or not InterpreterRequest.objects.filter(order=order).exists():
        return refuse(Conflict(_("Only an interpreter order has hours to record."), code="not_interpreter"))
    if order.status not in PAID_STATUSES:
        return refuse(Conflict(_("The hours are recorded once the order is paid."), code="not_paid"))
    if InterpreterRequest.objects.filter(order=order, worked_minutes__isnull=False).exists():
        return refuse(Conflict(_("The hours worked are already recorded."), code="hours_recorded"))
    return ALLOWED


def interpreter_hours_record(*, order: AddonOrder, actor: User, worked_minutes: int, now: dt.datetime) -> AddonOrder:
    """Record the minutes the interpreter actually worked, once, billed with the same rules (2-hour
    minimum, 15-minute steps, reduced rate beyond 8 hours) at the order's price list:

    - the same as paid: nothing moves;
    - less: the difference goes back to the card (key `order-hours:<id>`) and out of the income;
    - more: a follow-up interpreter order for the difference awaits the patient's payment, linked to
      the booking, and the patient is told.

    Returns the order, or the follow-up order when there is one."""
    if type(worked_minutes) is not int or not 0 <= worked_minutes <= INTERPRETER_MAXIMUM_MINUTES:
        message = _("From 0 to %(hours)d hours.") % {"hours": INTERPRETER_MAXIMUM_MINUTES // 60}
        raise ValidationFailed(message, code="invalid_minutes", details={"worked_minutes": [message]})
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().get(pk=order.pk)
        interpreter_hours_record_check(order=locked, actor=actor).enforce()
        interpreter = InterpreterRequest.objects.select_for_update().get(order=locked)
        price_list = locked.price_list
        paid = priced(locked)
        if price_list is None:
            raise Conflict(_("This order has no price list to bill the hours with."), code="no_price_list")
        # The 2-hour minimum holds even when the interpreter came and the patient did not need them.
        billed = _interpreter_price(price_list, max(worked_minutes, 1)).total
        difference = billed - paid
        interpreter.worked_minutes = worked_minutes
        interpreter.worked_recorded_at = now
        interpreter.worked_recorded_by = actor
        interpreter.adjustment_amount = difference
        result = locked
        if difference < 0:
            if locked.payment_intent_id is None:
                raise Conflict(_("This order has no payment to refund."), code="not_paid")
            refund = card_refund_create(
                payment_intent_id=locked.payment_intent_id,
                amount=-difference,
                idempotency_key=f"order-hours:{locked.pk}",
                metadata={"addon_order": locked.pk},
            )
            addon_income_record_refunded(
                kind=locked.kind,
                amount=-difference,
                currency=locked.currency,
                stripe_refund_id=refund.id,
                actor=actor,
                now=now,
            )
            interpreter.adjustment_refund_id = refund.id
        elif difference > 0:
            extra = interpreter_billed_minutes(max(worked_minutes, 1)) - interpreter.booked_minutes
            follow_up = order_create(
                patient=locked.patient,
                kind=AddonKind.INTERPRETER,
                description=_("Interpreter %(pair)s: %(hours)s beyond the hours paid")
                % {"pair": _pair(interpreter), "hours": _hours(max(extra, 0))},
                price=Price(
                    locked.currency,
                    # One item: the extra straddles the 8-hour rate change, so no single hourly price fits.
                    (Line("interpreter_hours_extra", "item", 100, difference, difference),),
                ),
                now=now,
                booking=locked.booking,
                city=locked.city,
                price_list=price_list,
            )
            interpreter.follow_up_order = follow_up
            result = follow_up
        interpreter.save(
            update_fields=[
                "worked_minutes",
                "worked_recorded_at",
                "worked_recorded_by",
                "adjustment_amount",
                "adjustment_refund_id",
                "follow_up_order",
            ]
        )
        audit_record(
            actor=actor,
            action="concierge.interpreter.hours_recorded",
            target=locked,
            after={
                "worked_minutes": worked_minutes,
                "billed": billed,
                "paid": paid,
                "adjustment": difference,
                "follow_up_order": interpreter.follow_up_order_id,
            },
            now=now,
        )
        if difference > 0:
            notifications.notify_quote_ready(order=result, now=now)  # the extra, priced, to pay
    return result


# --- the booking moved ----------------------------------------------------------------------------------

LIVE_ORDER_STATUSES = frozenset(
    {
        AddonOrderStatus.AWAITING_PAYMENT,
        AddonOrderStatus.CONFIRMED,
        AddonOrderStatus.IN_PROGRESS,
    }
)


def booking_rescheduled(*, booking_id: int, change: str, now: dt.datetime) -> None:
    """`core.hooks.booking_changed` receiver. On "rescheduled": each leg tied to a moved appointment
    keeps its offset to it (a pickup 45 minutes before stays 45 minutes before); an interpreter's
    days become the appointments' days; each order changed is audited and its patient told.
    On "cancelled": nothing (the careteam sees the orders on its board and decides)."""
    if change != "rescheduled":
        return
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return
    appointments = {a.pk: a for a in _appointments(booking)}
    days = interpreter_days_proposed(booking=booking)
    orders = AddonOrder.objects.select_for_update().filter(
        booking_id=booking_id,
        kind__in=[AddonKind.TRANSFER, AddonKind.INTERPRETER],
        status__in=LIVE_ORDER_STATUSES,
    )
    for order in orders.order_by("pk"):
        changes: list[dict[str, Any]] = []
        for leg in order.legs.select_for_update().filter(appointment__isnull=False).order_by("position"):
            appointment = appointments.get(leg.appointment_id or 0)
            if appointment is None or leg.appointment_start is None or appointment.start == leg.appointment_start:
                continue
            moved_by = appointment.start - leg.appointment_start
            changes.append(
                {"leg": leg.position, "from": leg.pickup_at.isoformat(), "to": (leg.pickup_at + moved_by).isoformat()}
            )
            leg.pickup_at += moved_by
            leg.appointment_start = appointment.start
            leg.save(update_fields=["pickup_at", "appointment_start"])
        interpreter = InterpreterRequest.objects.select_for_update().filter(order=order).first()
        if interpreter is not None and days is not None and (interpreter.first_day, interpreter.last_day) != days:
            changes.append(
                {
                    "interpreter_from": [interpreter.first_day.isoformat(), interpreter.last_day.isoformat()],
                    "interpreter_to": [days[0].isoformat(), days[1].isoformat()],
                }
            )
            interpreter.first_day, interpreter.last_day = days
            interpreter.save(update_fields=["first_day", "last_day"])
        if changes:
            order.updated_at = now
            order.save(update_fields=["updated_at"])
            audit_record(
                actor=None, action="concierge.order.retimed", target=order, after={"changes": changes}, now=now
            )
            notifications.notify_order_changed(order=order, now=now)
