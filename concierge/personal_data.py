"""What concierge holds about a person (`core.personal_data`): their add-on orders (transfers with
addresses and flights, interpreters, visa letters with passport data, VIP packages, careteam
mandates). Paid orders not yet done block the erasure; unpaid ones are cancelled by it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_language
from concierge.models import (
    AddonKind,
    AddonOrder,
    AddonOrderStatus,
    CareMandate,
    InterpreterRequest,
    OrderLine,
    PackageItem,
    TransferLeg,
    VisaLetter,
)
from concierge.services.ordering import order_cancel_refund
from concierge.services.orders import ADDON_ORDER
from concierge.visa_pdf import visa_letter_pdf
from core.audit import audit_record
from core.personal_data import Blocker, Declaration, Kept, Subject, redact
from core.state import transition
from payments.personal_data import stripe_events_scrub

ACCOUNTING_YEARS = 10
# What a visa letter keeps once its person is erased: no name, no passport, a date that is no one's.
ERASED_BIRTH_DATE = dt.date(1900, 1, 1)
UNPAID_OPEN = (AddonOrderStatus.REQUESTED, AddonOrderStatus.QUOTED, AddonOrderStatus.AWAITING_PAYMENT)
PAID_NOT_DONE = (AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    orders = (
        AddonOrder.objects.filter(patient_id=person.pk)
        .prefetch_related("lines", "legs", "visa_letters", "package_items")
        .select_related("interpreter", "mandate")
        .order_by("created_at", "pk")
    )
    items = []
    for order in orders:
        interpreter = getattr(order, "interpreter", None)
        mandate = getattr(order, "mandate", None)
        items.append(
            {
                "id": order.pk,
                "kind": order.kind,
                "booking": order.booking_id,
                "description": order.description,
                "city": order.city,
                "status": order.status,
                "amount": order.amount,
                "currency": order.currency,
                "your_note": order.patient_note,
                "paid_at": _iso(order.paid_at),
                "supplier": {
                    "name": order.supplier_name,
                    "phone": order.supplier_phone,
                    "details": order.supplier_detail,
                },
                "fulfilled_at": _iso(order.fulfilled_at),
                "cancelled_at": _iso(order.cancelled_at),
                "refund_amount": order.refund_amount,
                "refund_explanation": order.refund_explanation,
                "created_at": _iso(order.created_at),
                "lines": [
                    {
                        "label": line.label or line.label_key,
                        "unit": line.unit,
                        "quantity_hundredths": line.quantity_hundredths,
                        "unit_amount": line.unit_amount,
                        "amount": line.amount,
                    }
                    for line in order.lines.all()
                ],
                "transfer_legs": [
                    {
                        "from": leg.origin,
                        "to": leg.destination,
                        "pickup_at": _iso(leg.pickup_at),
                        "flight_number": leg.flight_number,
                        "passengers": leg.passengers,
                        "luggage": leg.luggage,
                        "wheelchair": leg.wheelchair,
                    }
                    for leg in order.legs.all()
                ],
                "interpreter": None
                if interpreter is None
                else {
                    "language": interpreter.language,
                    "provider_language": interpreter.provider_language,
                    "booked_minutes": interpreter.booked_minutes,
                    "first_day": _iso(interpreter.first_day),
                    "last_day": _iso(interpreter.last_day),
                    "worked_minutes": interpreter.worked_minutes,
                },
                "visa_letters": [
                    {
                        "id": letter.pk,
                        "for": letter.person,
                        "surname": letter.surname,
                        "given_names": letter.given_names,
                        "passport_number": letter.passport_number,
                        "nationality": str(letter.nationality),
                        "birth_date": _iso(letter.birth_date),
                        "issued_at": _iso(letter.issued_at),
                        "revoked_at": _iso(letter.revoked_at),
                    }
                    for letter in order.visa_letters.all()
                ],
                "package_items": [
                    {
                        "category": item.category,
                        "description": item.description,
                        "amount": item.amount,
                        "status": item.status,
                    }
                    for item in order.package_items.all()
                ],
                "mandate": None
                if mandate is None
                else {
                    "scope": mandate.scope,
                    "granted_at": _iso(mandate.granted_at),
                    "expires_at": _iso(mandate.expires_at),
                    "revoked_at": _iso(mandate.revoked_at),
                },
            }
        )
    return {"addon_orders": items}


def files(person: Any, now: dt.datetime) -> Iterable[tuple[str, bytes]]:
    """The visa letters still valid (issued, not revoked), as the PDFs the person can download."""
    language = user_language(user=person) or "en"
    letters = VisaLetter.objects.filter(order__patient_id=person.pk, issued_at__isnull=False, revoked_at__isnull=True)
    for letter in letters.select_related("order", "booking").order_by("pk"):
        verify_url = settings.SITE_URL + reverse("concierge:visa_verify", args=[letter.verification_code])
        yield (
            f"concierge/visa-letter-{letter.pk}.pdf",
            visa_letter_pdf(letter=letter, verify_url=verify_url, patient_language=language),
        )


def _cancel_unpaid(order: AddonOrder, now: dt.datetime) -> None:
    with transaction.atomic():
        locked = AddonOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status not in UNPAID_OPEN:
            return
        transition(
            machine=ADDON_ORDER,
            instance=locked,
            locked=True,
            target=AddonOrderStatus.CANCELLED,
            actor=None,
            action="concierge.order.cancelled",
            now=now,
            fields={"cancelled_at": now, "updated_at": now},
            audit_after={"because": "patient erased"},
        )


def erase(subject: Subject, now: dt.datetime) -> None:
    """Cancel unpaid open orders, revoke live mandates and visa letters, then empty the person's
    details (passport data, addresses, flights, their notes) and redact the rest. Orders stay for
    the money. Idempotent."""
    user_id = subject.user_id
    for order in AddonOrder.objects.filter(patient_id=user_id, status__in=UNPAID_OPEN).order_by("pk"):
        _cancel_unpaid(order, now)
    for order in AddonOrder.objects.filter(patient_id=user_id).order_by("pk"):
        AddonOrder.objects.filter(pk=order.pk).update(
            description=redact(order.description, subject)[:300],
            patient_note="",
            supplier_detail=redact(order.supplier_detail, subject)[:200],
            refund_explanation=redact(order.refund_explanation, subject)[:300],
        )
    TransferLeg.objects.filter(order__patient_id=user_id).update(origin="", destination="", flight_number="")
    for line in OrderLine.objects.filter(order__patient_id=user_id).exclude(label="").order_by("pk"):
        OrderLine.objects.filter(pk=line.pk).update(label=redact(line.label, subject)[:200])
    for item in PackageItem.objects.filter(order__patient_id=user_id).order_by("pk"):
        PackageItem.objects.filter(pk=item.pk).update(description=redact(item.description, subject)[:300])
    for mandate in CareMandate.objects.filter(order__patient_id=user_id).order_by("pk"):
        if mandate.revoked_at is None:
            CareMandate.objects.filter(pk=mandate.pk).update(revoked_at=now)
            audit_record(
                actor=None,
                action="concierge.mandate.revoked",
                target=mandate,
                after={"because": "patient erased"},
                now=now,
            )
        CareMandate.objects.filter(pk=mandate.pk).update(scope=redact(mandate.scope, subject))
    # Stripe's events about the orders' payments and refunds (billing names, e-mails) are scrubbed.
    payment_ids: set[str] = set()
    for row in AddonOrder.objects.filter(patient_id=user_id).values_list("payment_intent_id", "stripe_refund_id"):
        payment_ids.update(x for x in row if x)
    for row in InterpreterRequest.objects.filter(order__patient_id=user_id).values_list(
        "adjustment_payment_intent_id", "adjustment_refund_id"
    ):
        payment_ids.update(x for x in row if x)
    for refund_id in PackageItem.objects.filter(order__patient_id=user_id).values_list("stripe_refund_id", flat=True):
        if refund_id:
            payment_ids.add(refund_id)
    stripe_events_scrub(subject=subject, payment_ids=payment_ids)
    for letter in VisaLetter.objects.filter(order__patient_id=user_id).order_by("pk"):
        fields: dict[str, Any] = {
            "surname": "",
            "given_names": "",
            "passport_number": "",
            "nationality": "",
            "birth_date": ERASED_BIRTH_DATE,
            "revoke_reason": redact(letter.revoke_reason, subject)[:300],
        }
        if letter.revoked_at is None:
            fields.update(revoked_at=now, revoke_reason=gettext("The person named was erased at their request."))
            audit_record(
                actor=None,
                action="concierge.visa_letter.revoked",
                target=letter,
                after={"because": "patient erased"},
                now=now,
            )
        VisaLetter.objects.filter(pk=letter.pk).update(**fields)


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    last = (
        AddonOrder.objects.filter(patient_id=person.pk, paid_at__isnull=False)
        .order_by("-paid_at")
        .values_list("paid_at", flat=True)
        .first()
    )
    if last is None:
        return []
    return [
        Kept(
            what=gettext(
                "Your paid add-on orders: what was ordered, amounts, refunds (no addresses, no passport data)"
            ),
            why=gettext("Accounting law: 10 years (French Commercial Code, L123-22)"),
            until=_plus_years(last.date(), ACCOUNTING_YEARS),
        )
    ]


def blockers(person: Any, now: dt.datetime) -> list[Blocker]:
    found: list[Blocker] = []
    orders = AddonOrder.objects.filter(patient_id=person.pk, status__in=PAID_NOT_DONE).order_by("pk")
    # A second opinion's order is withdrawn from its case (secondopinion's declaration says how).
    for order in orders.exclude(kind=AddonKind.SECOND_OPINION):
        refund = order_cancel_refund(order=order, now=now)
        found.append(
            Blocker(
                what=gettext("Add-on order %(id)s (%(kind)s), paid and not yet done")
                % {"id": order.pk, "kind": order.get_kind_display()},
                action=gettext("Cancel the order: %(refund)s is refunded. %(rule)s")
                % {"refund": refund.amount, "rule": refund.explanation},
                url=reverse("concierge:order_detail", args=[order.pk]),
            )
        )
    return found


DECLARATION = Declaration(
    app="concierge",
    models={
        "concierge.AddonOrder": _("Your add-on orders: what you asked for, your notes, amounts, who arranges it"),
        "concierge.OrderLine": _("The lines of your add-on orders"),
        "concierge.TransferLeg": _("Your transfers: addresses, pickup times, flight numbers, wheelchair needs"),
        "concierge.InterpreterRequest": _("Your interpreter bookings: your language, days and hours"),
        "concierge.VisaLetter": _("Visa letters: surname, given names, passport number, nationality, date of birth"),
        "concierge.PackageItem": _("The items of your VIP package"),
        "concierge.CareMandate": _("The mandate you gave the careteam to act for you"),
    },
    not_personal={
        "concierge.PriceList": _("A price list, proposed and decided by staff"),
        "concierge.Supplier": _("A supplier's business contact (a company's desk), not a patient's data"),
    },
    export=export,
    erase=erase,
    files=files,
    erased=_(
        "Your visa letters' names and passport data (the letters are no longer valid), your transfers' "
        "addresses and flights, and your notes on add-on orders"
    ),
    kept=kept,
    blockers=blockers,
)
