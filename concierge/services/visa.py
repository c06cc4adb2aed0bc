"""Visa invitation letters (docs/decisions.md#visa-invitation-letters): ordered from a booking whose
deposit is held, for the patient and up to two companions, named exactly as in their passports'
machine-readable zone; issued when the order is paid; revoked by the careteam or by the booking's
cancellation.

1. `visa_letters_order` validates every person first (per-field details, nothing written on any
   error), then, under the booking's row lock, checks the gate (the patient's own booking,
   confirmed, its deposit held) and writes the order at the exact price with one letter per person.
2. `visa_letters_issue` runs when the order is paid (`order_record_paid` calls it through
   `AFTER_PAID`): each letter gets its `issued_at` and the order is fulfilled. An issued letter is
   not refundable (`visa_letters_refund_check`).
3. `visa_letter_revoke` (the careteam) and `visa_letters_booking_changed` (the booking's
   cancellation, through `core.hooks.booking_changed`) mark letters revoked; their verification
   page then says so.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import StaffGroup, User
from bookings.models import Booking, BookingStatus
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, PriceList, VisaLetter, VisaPerson
from concierge.pricing import Price, visa_letter_price
from concierge.selectors import price_list_in_force, price_lists_in_force
from concierge.services.orders import ADDON_ORDER, order_create
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.state import transition
from payments.models import DepositStatus
from payments.services.deposits import deposit_of_booking
from providers.models import Location

MAX_PERSONS = 3  # the patient and two companions (the operator's terms)
MRZ_NAME_MAX = 39  # the name field of a passport's machine-readable zone (ICAO 9303, TD3)
MAX_AGE_YEARS = 120
_MRZ_NAME = re.compile(r"^[A-Z][A-Z '\-]*$")
_PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{6,9}$")
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed from paper


@dataclass(frozen=True)
class PassportDetails:
    """One person as the patient typed them (the service normalises and checks them)."""

    surname: str
    given_names: str
    passport_number: str
    nationality: str  # an ISO 3166 country code (alpha-2 or alpha-3)
    birth_date: dt.date | None


@dataclass(frozen=True)
class CheckedPassport:
    """One person as their letter will name them: normalised and checked."""

    surname: str
    given_names: str
    passport_number: str
    nationality: str
    birth_date: dt.date


# --- validation ---------------------------------------------------------------------------------------


def _mrz_name(value: str, *, required: bool) -> tuple[str, str | None]:
    """The name upper-cased with its spaces collapsed, or why it cannot be the passport's MRZ name."""
    name = " ".join((value or "").split()).upper()
    if not name:
        return name, _("Enter this name as printed in your passport.") if required else None
    if len(name) > MRZ_NAME_MAX:
        return name, _("At most %(count)d characters, as in the passport's machine-readable zone.") % {
            "count": MRZ_NAME_MAX
        }
    if not _MRZ_NAME.match(name):
        return name, _(
            "Use only the letters A to Z, spaces, hyphens and apostrophes: copy the name from the two lines "
            "of letters and < signs at the bottom of your passport's photo page (the machine-readable zone)."
        )
    return name, None


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _passport_person(person: PassportDetails, *, today: dt.date) -> tuple[CheckedPassport | None, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    surname, problem = _mrz_name(person.surname, required=True)
    if problem:
        errors["surname"] = [problem]
    given, problem = _mrz_name(person.given_names, required=False)  # some passports hold a single name
    if problem:
        errors["given_names"] = [problem]
    number = "".join((person.passport_number or "").split()).upper()
    if not _PASSPORT_NUMBER.match(number):
        errors["passport_number"] = [_("A passport number has 6 to 9 letters and digits.")]
    raw_country = (person.nationality or "").strip().upper()
    nationality = countries.alpha2(raw_country) if raw_country else ""
    if not nationality:
        errors["nationality"] = [_("Choose the country that issued the passport (its nationality).")]
    birth = person.birth_date
    if birth is None:
        errors["birth_date"] = [_("Enter the date of birth.")]
    elif birth >= today:
        errors["birth_date"] = [_("The date of birth must be in the past.")]
    elif birth < _years_before(today, MAX_AGE_YEARS):
        errors["birth_date"] = [_("Check the year of birth: it is more than 120 years ago.")]
    if errors or birth is None:
        return None, errors
    return CheckedPassport(surname, given, number, nationality, birth), {}


def visa_persons_validate(*, persons: list[PassportDetails], now: dt.datetime) -> list[CheckedPassport]:
    """Every person checked, or `ValidationFailed` whose `details["persons"]` holds one dict of
    field errors per person (empty for a person without errors), so a page or client can show
    each message by its field."""
    if not persons:
        message = _("Enter the patient's passport details.")
        raise ValidationFailed(message, code="no_person", details={"persons": [message]})
    if len(persons) > MAX_PERSONS:
        message = _("A letter for you and at most two companions: %(count)d people is too many.") % {
            "count": len(persons)
        }
        raise ValidationFailed(message, code="too_many_persons", details={"persons": [message]})
    today = now.date()
    cleaned: list[CheckedPassport | None] = []
    per_person: list[dict[str, list[str]]] = []
    for person in persons:
        clean, errors = _passport_person(person, today=today)
        cleaned.append(clean)
        per_person.append(errors)
    seen: set[str] = set()
    for clean, errors in zip(cleaned, per_person, strict=True):
        if clean is None:
            continue
        if clean.passport_number in seen:
            errors["passport_number"] = [_("One letter per person: this passport number is already in the order.")]
        seen.add(clean.passport_number)
    if any(per_person):
        raise ValidationFailed(
            _("Some passport details need correcting."), code="invalid_passport", details={"persons": per_person}
        )
    return [clean for clean in cleaned if clean is not None]


# --- reads used by the services and pages --------------------------------------------------------------


def booking_location(booking: Booking) -> Location | None:
    """Where the booking's care takes place: its offering's location, else (a quote's booking) the
    provider's first location."""
    if booking.offering_id is not None and booking.offering is not None:
        return booking.offering.location
    return Location.objects.filter(provider_id=booking.provider_id).order_by("pk").first()


def visa_letters_order_check(*, booking: Booking, actor: User | Any) -> Check:
    """May `actor` order visa letters for `booking`: their own booking, confirmed, its deposit held."""
    if not getattr(actor, "is_authenticated", False) or booking.patient_id != actor.pk:
        return refuse(NotFound(_("You have no booking with this number.")))
    deposit = deposit_of_booking(booking=booking)
    if booking.status != BookingStatus.CONFIRMED or deposit is None or deposit.status != DepositStatus.HELD:
        return refuse(
            Conflict(
                _("A visa letter is issued once the booking's deposit is paid. Pay the deposit first."),
                code="deposit_not_held",
            )
        )
    return ALLOWED


def visa_letters_price(*, booking: Booking, letters: int, currency: str) -> tuple[Price, PriceList]:
    """The exact price of `letters` letters for `booking` in `currency` (what the review step shows),
    from the visa-letter price in force in the booking's city; `ValidationFailed` when there is none."""
    location = booking_location(booking)
    city = location.city if location is not None else ""
    currency = (currency or "").strip().upper()
    price_list = price_list_in_force(kind=AddonKind.VISA_LETTER, city=city, currency=currency)
    if price_list is None:
        message = _("Visa letters cannot be ordered in %(currency)s for %(city)s.") % {
            "currency": currency or "-",
            "city": city or _("this booking"),
        }
        raise ValidationFailed(message, code="no_price_list", details={"currency": [message]})
    price = visa_letter_price(letters=letters, per_letter=price_list.unit_amount, currency=price_list.currency)
    return price, price_list


def visa_letter_price_lists(*, booking: Booking) -> list[PriceList]:
    """The visa-letter prices in force in `booking`'s city, one per currency it can be ordered in."""
    location = booking_location(booking)
    if location is None:
        return []
    return [row for row in price_lists_in_force(city=location.city) if row.kind == AddonKind.VISA_LETTER]


# --- ordering ------------------------------------------------------------------------------------------


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if not VisaLetter.objects.filter(verification_code=code).exists():
            return code


@dataclass(frozen=True)
class VisaReview:
    """What the patient is about to order: the persons as the letters will name them, and the price."""

    persons: list[CheckedPassport]
    price: Price
    price_list: PriceList


def visa_letters_review(
    *, patient: User, booking: Booking, persons: list[PassportDetails], currency: str, now: dt.datetime
) -> VisaReview:
    """Every rule of `visa_letters_order`, writing nothing: the review step shows its answer (the
    names as they will be printed, the exact price) before the patient clicks "order"."""
    cleaned = visa_persons_validate(persons=persons, now=now)
    visa_letters_order_check(booking=booking, actor=patient).enforce()
    price, price_list = visa_letters_price(booking=booking, letters=len(cleaned), currency=currency)
    already = set(
        VisaLetter.objects.filter(booking=booking, issued_at__isnull=False, revoked_at__isnull=True).values_list(
            "passport_number", flat=True
        )
    )
    for index, person in enumerate(cleaned):
        if person.passport_number in already:
            message = _("A letter for passport %(number)s was already issued for this booking.") % {
                "number": person.passport_number
            }
            details: list[dict[str, list[str]]] = [{} for _person in cleaned]
            details[index] = {"passport_number": [message]}
            raise Conflict(message, code="letter_exists", details={"persons": details})
    return VisaReview(persons=cleaned, price=price, price_list=price_list)


def visa_letters_order(
    *, patient: User, booking: Booking, persons: list[PassportDetails], currency: str, now: dt.datetime
) -> AddonOrder:
    """The order of one letter per person (the patient first, then up to two companions), at the
    visa-letter price of the booking's city in `currency`, awaiting its payment."""
    visa_persons_validate(persons=persons, now=now)  # bad input is refused before any lock is taken
    with transaction.atomic():
        locked = Booking.objects.select_for_update().filter(pk=booking.pk, patient_id=patient.pk).first()
        if locked is None:
            raise NotFound(_("You have no booking with this number."))
        review = visa_letters_review(patient=patient, booking=locked, persons=persons, currency=currency, now=now)
        cleaned, price, price_list = review.persons, review.price, review.price_list
        order = order_create(
            patient=patient,
            kind=AddonKind.VISA_LETTER,
            description=_("Visa invitation letters (%(count)d) for booking no. %(number)s")
            % {"count": len(cleaned), "number": locked.pk},
            price=price,
            now=now,
            booking=locked,
            city=price_list.city,
            price_list=price_list,
        )
        VisaLetter.objects.bulk_create(
            VisaLetter(
                order=order,
                booking=locked,
                person=VisaPerson.PATIENT if index == 0 else VisaPerson.COMPANION,
                surname=person.surname,
                given_names=person.given_names,
                passport_number=person.passport_number,
                nationality=person.nationality,
                birth_date=person.birth_date,
                verification_code=_new_code(),
            )
            for index, person in enumerate(cleaned)
        )
    return order


# --- issue on payment ----------------------------------------------------------------------------------


def visa_letters_issue(*, order: AddonOrder, now: dt.datetime) -> AddonOrder:
    """The order is paid: its letters (not revoked meanwhile) are issued and the order is fulfilled.
    The caller holds the order's row lock, inside its transaction."""
    VisaLetter.objects.filter(order=order, issued_at__isnull=True, revoked_at__isnull=True).update(issued_at=now)
    return transition(
        machine=ADDON_ORDER,
        instance=order,
        locked=True,
        target=AddonOrderStatus.FULFILLED,
        actor=None,
        action="concierge.visa_letters.issued",
        now=now,
        fields={"fulfilled_at": now},
    ).instance


def visa_letters_refund_check(*, order: AddonOrder) -> Check:
    """A visa-letter order whose letters were issued is not refundable (docs/decisions.md#add-ons)."""
    if order.kind == AddonKind.VISA_LETTER and order.visa_letters.filter(issued_at__isnull=False).exists():
        return refuse(Conflict(_("A visa letter once issued is not refundable."), code="letter_issued"))
    return ALLOWED


# --- revocation ----------------------------------------------------------------------------------------


def visa_letter_revoker_check(*, actor: User | Any) -> Check:
    """Is `actor` someone who revokes letters (the careteam), whatever the letter."""
    if not (getattr(actor, "is_authenticated", False) and actor.in_group(StaffGroup.CARETEAM)):
        return refuse(Forbidden(_("Only the careteam can revoke a visa letter.")))
    return ALLOWED


def visa_letter_revoke_check(*, letter: VisaLetter, actor: User | Any) -> Check:
    """May `actor` revoke `letter`: the careteam, a letter issued and not revoked yet."""
    role = visa_letter_revoker_check(actor=actor)
    if not role.allowed:
        return role
    if letter.revoked_at is not None:
        return refuse(Conflict(_("This letter is already revoked."), code="already_revoked"))
    if letter.issued_at is None:
        return refuse(Conflict(_("This letter has not been issued."), code="not_issued"))
    return ALLOWED


def visa_letter_revoke(*, letter: VisaLetter, actor: User, reason: str, now: dt.datetime) -> VisaLetter:
    """The careteam revokes an issued letter with a reason; its verification page says so from now on."""
    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Say why the letter is revoked.")
        raise ValidationFailed(message, code="reason_required", details={"reason": [message]})
    with transaction.atomic():
        locked = VisaLetter.objects.select_for_update().filter(pk=letter.pk).first()
        if locked is None:
            raise NotFound(_("There is no visa letter with this id."))
        visa_letter_revoke_check(letter=locked, actor=actor).enforce()
        _revoke(locked, actor=actor, reason=reason[:300], now=now)
    return locked


def _revoke(letter: VisaLetter, *, actor: User | None, reason: str, now: dt.datetime) -> None:
    letter.revoked_at = now
    letter.revoked_by = actor
    letter.revoke_reason = reason
    letter.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    audit_record(
        actor=actor,
        action="concierge.visa_letter.revoked",
        target=letter,
        after={"reason": reason, "order": letter.order_id},
        now=now,
    )


def visa_letters_booking_changed(*, booking_id: int, change: str, now: dt.datetime) -> None:
    """`core.hooks.booking_changed`: a cancelled booking revokes its letters and cancels their orders
    still awaiting payment (inside the cancellation's transaction). A moved appointment changes
    nothing: the letter's verification page shows the dates it states."""
    if change != "cancelled":
        return
    reason = _("The booking was cancelled.")
    for letter in VisaLetter.objects.select_for_update().filter(booking_id=booking_id, revoked_at__isnull=True):
        _revoke(letter, actor=None, reason=reason, now=now)
    unpaid = AddonOrder.objects.select_for_update().filter(
        booking_id=booking_id, kind=AddonKind.VISA_LETTER, status=AddonOrderStatus.AWAITING_PAYMENT
    )
    for order in unpaid:
        transition(
            machine=ADDON_ORDER,
            instance=order,
            locked=True,
            target=AddonOrderStatus.CANCELLED,
            actor=None,
            action="concierge.visa_letters.cancelled_with_booking",
            now=now,
            fields={"cancelled_at": now},
            reason="booking_cancelled",
        )


# --- reads ---------------------------------------------------------------------------------------------


def visa_letter_by_code(*, code: str) -> VisaLetter | None:
    """The issued letter a verification code names, or None (unknown, malformed or not issued yet)."""
    normalised = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(normalised) != 12:
        return None
    formatted = f"{normalised[:4]}-{normalised[4:8]}-{normalised[8:]}"
    return (
        VisaLetter.objects.select_related("booking__provider", "booking__offering")
        .filter(verification_code=formatted, issued_at__isnull=False)
        .first()
    )


def visa_letter_download_check(*, letter: VisaLetter, actor: User | Any) -> Check:
    """May `actor` download `letter`: the order's patient, once issued and while not revoked."""
    if not getattr(actor, "is_authenticated", False) or letter.order.patient_id != actor.pk:
        return refuse(NotFound(_("You have no visa letter with this id.")))
    if letter.issued_at is None:
        return refuse(NotFound(_("This letter is issued once its order is paid.")))
    if letter.revoked_at is not None:
        return refuse(NotFound(_("This letter was revoked.")))
    return ALLOWED
