"""What payments hold about a person (`core.personal_data`): their deposits, refunds, the ledger's
movements of their money and Stripe's events about their payments.

The ledger never names a person: its accounts are per booking (`L:trust:deposit:<booking>`), a
booking's patient is only a user id, and no posting writes a memo (the ledger is append-only, so a
name written there could never be erased: a test keeps it so). Erasure scrubs the name, e-mail and
phone out of Stripe's event payloads; ids and amounts stay, so the ledger still balances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingStatus
from core.money import Money
from core.personal_data import Blocker, Declaration, Kept, Subject, redact
from payments import ledger
from payments.models import (
    Deposit,
    DepositStatus,
    DisputeStatus,
    LedgerTransaction,
    Refund,
    RefundStatus,
    Release,
    StripeEvent,
)
from payments.pdf import deposit_confirmation_pdf
from payments.services.deposits import deposit_confirmation_check

ACCOUNTING_YEARS = 10
# Keys of a Stripe object that hold a person's details; their values are replaced whatever they are.
PERSONAL_KEYS = frozenset(
    {
        "email",
        "receipt_email",
        "customer_email",
        "name",
        "customer_name",
        "phone",
        "customer_phone",
        "address",
        "customer_address",
        "customer_details",
        "shipping",
        "customer_shipping",
        "billing_details",
        "description",
    }
)


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    deposits = Deposit.objects.filter(booking__patient_id=person.pk).order_by("created_at", "pk")
    refunds = Refund.objects.filter(booking__patient_id=person.pk).order_by("created_at", "pk")
    transactions = (
        LedgerTransaction.objects.filter(booking__patient_id=person.pk)
        .prefetch_related("entries__account")
        .order_by("posted_at", "pk")
    )
    return {
        "deposits": [
            {
                "id": d.pk,
                "booking": d.booking_id,
                "amount": d.amount,
                "currency": d.currency,
                "status": d.status,
                "paid_at": _iso(d.paid_at),
                "dispute": d.dispute_status,
                "card_payment": d.payment_intent_id,
                "verification_code": d.verification_code,
                "created_at": _iso(d.created_at),
            }
            for d in deposits
        ],
        "refunds": [
            {
                "id": r.pk,
                "booking": r.booking_id,
                "amount": r.amount,
                "fee_kept": r.fee,
                "currency": r.currency,
                "reason": r.reason,
                "card_refund": r.stripe_refund_id,
                "status": r.status,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in refunds
        ],
        "ledger": [
            {
                "id": t.pk,
                "booking": t.booking_id,
                "kind": t.kind,
                "posted_at": _iso(t.posted_at),
                "entries": [
                    {"account": e.account.code, "amount": e.amount, "currency": e.currency} for e in t.entries.all()
                ],
            }
            for t in transactions
        ],
    }


def files(person: Any, now: dt.datetime) -> Iterable[tuple[str, bytes]]:
    """The payment confirmations the person can download (a deposit held, its check not withdrawn),
    as PDFs beside the export's JSON."""
    deposits = Deposit.objects.filter(booking__patient_id=person.pk, verification_code__isnull=False)
    for deposit in deposits.select_related("booking").order_by("pk"):
        if not deposit_confirmation_check(booking=deposit.booking, actor=person).allowed:
            continue
        verify_url = settings.SITE_URL + reverse("payments:verify", args=[deposit.verification_code])
        pdf = deposit_confirmation_pdf(deposit=deposit, verify_url=verify_url)
        yield f"payments/payment-confirmation-{deposit.booking_id}.pdf", pdf


def _scrub(value: Any, subject: Subject) -> Any:
    """`value` (a Stripe object) with the person's details replaced: ids and amounts stay."""
    if isinstance(value, dict):
        scrubbed: dict[str, Any] = {}
        for key, item in value.items():
            if key in PERSONAL_KEYS and item not in (None, "", {}, []):
                scrubbed[key] = subject.pseudonym if isinstance(item, str) else None
            else:
                scrubbed[key] = _scrub(item, subject)
        return scrubbed
    if isinstance(value, list):
        return [_scrub(item, subject) for item in value]
    if isinstance(value, str):
        return redact(value, subject)
    return value


def _payment_ids(user_id: int) -> set[str]:
    ids: set[str] = set()
    for pi, charge in Deposit.objects.filter(booking__patient_id=user_id).values_list("payment_intent_id", "charge_id"):
        ids.update(x for x in (pi, charge) if x)
    ids.update(
        x for x in Refund.objects.filter(booking__patient_id=user_id).values_list("stripe_refund_id", flat=True) if x
    )
    return ids


def stripe_events_scrub(*, subject: Subject, payment_ids: Iterable[str]) -> int:
    """Scrub the person out of Stripe's stored events about `payment_ids` (PaymentIntents, charges,
    refunds: the higher floors pass their own, add-on orders' say) or carrying their e-mail: the
    values of personal keys (`PERSONAL_KEYS`) become the pseudonym, and the person's strings
    elsewhere are redacted; ids, amounts and types stay. Returns how many events changed; running
    it again changes nothing.

    Events are matched by an exact id (quoted, so `pi_1` never matches `pi_12`) or the e-mail, never
    by a name alone: a first name matches too many other people's events."""
    about = Q()
    for payment_id in sorted({p for p in payment_ids if p}):
        about |= Q(text__contains=f'"{payment_id}"')
    if subject.email:
        about |= Q(text__icontains=subject.email)
    if not about:
        return 0
    changed = 0
    events = StripeEvent.objects.annotate(text=Cast("payload", TextField())).filter(about)
    for event in events.order_by("pk").only("pk", "payload"):
        scrubbed = _scrub(event.payload, subject)
        if scrubbed != event.payload:
            StripeEvent.objects.filter(pk=event.pk).update(payload=scrubbed)
            changed += 1
    return changed


def erase(subject: Subject, now: dt.datetime) -> None:
    """Scrub Stripe's event payloads about the person's deposits and refunds (or carrying their
    e-mail); ids and amounts stay. The ledger is append-only (a database trigger refuses any
    change) and never names a person: its accounts are per booking and no caller writes a memo
    (`payments/tests/test_personal_data.py` checks both). Idempotent."""
    stripe_events_scrub(subject=subject, payment_ids=_payment_ids(subject.user_id))
    # Staff's words about the person's bookings' money (a release refused, a refund failed).
    for release in Release.objects.filter(booking__patient_id=subject.user_id).exclude(reject_reason="").order_by("pk"):
        reason = redact(release.reject_reason, subject)[:500]
        if reason != release.reject_reason:
            Release.objects.filter(pk=release.pk).update(reject_reason=reason)
    for refund in Refund.objects.filter(booking__patient_id=subject.user_id).exclude(failure_reason="").order_by("pk"):
        reason = redact(refund.failure_reason, subject)[:200]
        if reason != refund.failure_reason:
            Refund.objects.filter(pk=refund.pk).update(failure_reason=reason)


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    last = (
        LedgerTransaction.objects.filter(booking__patient_id=person.pk)
        .order_by("-posted_at")
        .values_list("posted_at", flat=True)
    ).first()
    if last is None:
        return []
    return [
        Kept(
            what=gettext("The ledger's entries, deposits and refunds of your payments: amounts and ids, no name"),
            why=gettext("Accounting law: 10 years after the last movement (French Commercial Code, L123-22)"),
            until=_plus_years(last.date(), ACCOUNTING_YEARS),
        ),
        Kept(
            what=gettext("Stripe's records of your card payments, with your name, e-mail and phone removed"),
            why=gettext("Proof of payment for refunds and card disputes, until the retention period ends"),
            until=None,
        ),
    ]


def blockers(person: Any, now: dt.datetime) -> list[Blocker]:
    """Never erase while money is held for the person or on its way to them."""
    found: list[Blocker] = []
    deposits = (
        Deposit.objects.filter(booking__patient_id=person.pk, status=DepositStatus.HELD)
        .select_related("booking", "booking__provider")
        .order_by("pk")
    )
    for deposit in deposits:
        booking: Booking = deposit.booking
        held = ledger.held(booking=booking, currency=deposit.currency)
        url = reverse("bookings:detail", args=[booking.pk])
        money = Money(held, deposit.currency)
        names = {"id": booking.pk, "provider": booking.provider.name, "amount": money}
        if deposit.dispute_status == DisputeStatus.OPEN:
            found.append(
                Blocker(
                    what=gettext("Booking %(id)s with %(provider)s: its deposit is disputed with your card issuer")
                    % names,
                    action=gettext("Wait until the dispute with your bank ends; nothing can be erased before."),
                    url=url,
                )
            )
            continue
        if held <= 0:
            continue
        what = gettext("Booking %(id)s with %(provider)s: %(amount)s deposit held in trust") % names
        if booking.status in (BookingStatus.HELD, BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED):
            action = gettext("Ask for the cancellation of the booking first: its deposit is then refunded or kept.")
        elif booking.evidence_awaited:
            action = gettext("Wait until your evidence for the cancellation is reviewed (due %(due)s).") % {
                "due": _iso(booking.evidence_due_at.date()) if booking.evidence_due_at else "—"
            }
        else:
            action = gettext("Wait until the deposit is refunded to you or released to the provider.")
        found.append(Blocker(what=what, action=action, url=url))
    in_flight = (
        Refund.objects.filter(booking__patient_id=person.pk, status__in=(RefundStatus.PENDING, RefundStatus.SUBMITTED))
        .select_related("booking")
        .order_by("pk")
    )
    for refund in in_flight:
        found.append(
            Blocker(
                what=gettext("A refund of %(amount)s for booking %(id)s is on its way to your card")
                % {"amount": Money(refund.amount, refund.currency), "id": refund.booking_id},
                action=gettext("Wait until the refund has reached your card (a few days)."),
                url=reverse("bookings:detail", args=[refund.booking_id]),
            )
        )
    return found


DECLARATION = Declaration(
    app="payments",
    models={
        "payments.Deposit": _("The deposits you paid: amounts, dates, card disputes"),
        "payments.Refund": _("The refunds made to your card and the fees kept"),
        "payments.LedgerTransaction": _("The ledger's movements of your money (amounts and booking ids)"),
        "payments.LedgerEntry": _("The amounts of each movement of your money"),
        "payments.StripeEvent": _("Stripe's messages about your card payments, which may hold your name and e-mail"),
    },
    not_personal={
        "payments.Release": _(
            "A provider's payout requested and decided by staff: the users are staff (a refusal's reason that names "
            "the patient is redacted with them)"
        ),
        "payments.ReconciliationRun": _("Finance's daily reconciliation, run by a finance user"),
        "payments.PayoutChange": _("A provider's payout account change, proposed and decided by staff"),
    },
    export=export,
    erase=erase,
    files=files,
    erased=_("Your name, e-mail and phone in Stripe's records of your payments"),
    kept=kept,
    blockers=blockers,
)
