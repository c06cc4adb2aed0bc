"""Disputes opened by a patient or a provider on a booking or an add-on order, and card chargebacks.

A dispute hangs on exactly one booking (its deposit) or one add-on order (its price). A patient
opens one on their booking or order, a provider's member on a booking of their provider; the other
side answers before `answer_due_at`; the careteam decides, and a decision that moves money waits
for finance's approval (another person than the one who proposed it). Card chargebacks of a
deposit are recorded here too (`kind` chargeback), read-only, closed by the card issuer's outcome.
Statuses move only through `disputes.services` with the `DISPUTE` machine (`DISPUTE_TRANSITIONS`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DisputeKind(models.TextChoices):
    CLAIM = "claim", _("Dispute")  # opened on the site by a patient or a provider
    CHARGEBACK = "chargeback", _("Card chargeback")  # opened with the card issuer, recorded from Stripe


class DisputeSide(models.TextChoices):
    PATIENT = "patient", _("Patient")
    PROVIDER = "provider", _("Provider")
    CARD_ISSUER = "card_issuer", _("Card issuer")


class DisputeReason(models.TextChoices):
    NOT_PROVIDED = "not_provided", _("The care or service was not provided")
    NOT_AS_AGREED = "not_as_agreed", _("It was not what was agreed")
    QUALITY = "quality", _("The quality of the care or service")
    WRONG_AMOUNT = "wrong_amount", _("The amount charged is wrong")
    NO_SHOW = "no_show", _("The other side did not come")
    OTHER = "other", _("Another reason")
    CHARGEBACK = "chargeback", _("Disputed with the card issuer")


# Reasons a person may choose (a chargeback's is set by Stripe's event).
OPENABLE_REASONS = [choice for choice in DisputeReason.choices if choice[0] != DisputeReason.CHARGEBACK]


class DisputeStatus(models.TextChoices):
    AWAITING_ANSWER = "awaiting_answer", _("Awaiting the other side's answer")
    UNDER_REVIEW = "under_review", _("Under review by the careteam")
    AWAITING_FINANCE = "awaiting_finance", _("Decision awaiting finance's approval")
    DECIDED = "decided", _("Decided")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    WITH_CARD_ISSUER = "with_card_issuer", _("With the card issuer")
    CLOSED = "closed", _("Closed by the card issuer")


# While a dispute is in one of these, the booking's deposit is not released (core.hooks.release_holds).
OPEN_STATUSES = (
    DisputeStatus.AWAITING_ANSWER,
    DisputeStatus.UNDER_REVIEW,
    DisputeStatus.AWAITING_FINANCE,
    DisputeStatus.WITH_CARD_ISSUER,
)

DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    DisputeStatus.AWAITING_ANSWER: frozenset(
        {DisputeStatus.UNDER_REVIEW, DisputeStatus.DECIDED, DisputeStatus.WITHDRAWN}
    ),
    # A money decision waits for finance; a rejection is decided at once.
    DisputeStatus.UNDER_REVIEW: frozenset(
        {DisputeStatus.AWAITING_FINANCE, DisputeStatus.DECIDED, DisputeStatus.WITHDRAWN}
    ),
    # Finance approves (decided) or sends the proposal back to the careteam (under review).
    DisputeStatus.AWAITING_FINANCE: frozenset({DisputeStatus.DECIDED, DisputeStatus.UNDER_REVIEW}),
    DisputeStatus.WITH_CARD_ISSUER: frozenset({DisputeStatus.CLOSED}),
    DisputeStatus.DECIDED: frozenset(),
    DisputeStatus.WITHDRAWN: frozenset(),
    DisputeStatus.CLOSED: frozenset(),
}


class Outcome(models.TextChoices):
    REFUND_FULL = "refund_full", _("Full refund to the patient")
    REFUND_PARTIAL = "refund_partial", _("Partial refund, the rest released to the provider")
    RELEASE = "release", _("Released to the provider")
    REJECT = "reject", _("Rejected: nothing changes")
    # A chargeback's end, as the card issuer decided it.
    CARD_WON = "card_won", _("The card issuer decided for the provider")
    CARD_LOST = "card_lost", _("The card issuer refunded the card holder")


MONEY_OUTCOMES = (Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RELEASE)


class Dispute(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=DisputeKind.choices, default=DisputeKind.CLAIM)
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    order = models.ForeignKey(
        "concierge.AddonOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="disputes"
    )
    # The patient the dispute is about (the booking's or the order's), kept for scoping and erasure.
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="disputes")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_by_side = models.CharField(_("opened by"), max_length=12, choices=DisputeSide.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=DisputeReason.choices)
    statement = models.TextField(_("statement"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DisputeStatus.choices)
    opened_at = models.DateTimeField(_("opened at"))
    answer_due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decision_due_at = models.DateTimeField(_("decision due by"), null=True, blank=True)
    # The amount (minor units, in `currency`) in dispute: the deposit held, the order's price, or
    # what the card issuer took back.
    amount = models.BigIntegerField(_("amount in dispute (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3)
    # The careteam's decision (proposed), finance's approval, and what was posted.
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices, blank=True)
    refund_amount = models.BigIntegerField(_("refund (minor units)"), null=True, blank=True)
    decision_note = models.TextField(_("reasons of the decision"), max_length=5000, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refund = models.ForeignKey("payments.Refund", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    release = models.ForeignKey("payments.Release", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    order_refund_id = models.CharField(_("Stripe refund of the order"), max_length=255, blank=True)
    # A chargeback's Stripe reason ("fraudulent", "product_not_received"...).
    card_reason = models.CharField(_("card issuer's reason"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(booking__isnull=False) & Q(order__isnull=True))
                | (Q(booking__isnull=True) & Q(order__isnull=False)),
                name="disputes_one_subject",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="disputes_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0), name="disputes_refund_not_negative"
            ),
            # One open claim per booking or order at a time; one chargeback per booking.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(kind="claim", status__in=["awaiting_answer", "under_review", "awaiting_finance"]),
                name="disputes_one_open_per_booking",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind="claim", status__in=["awaiting_answer", "under_review", "awaiting_finance"]),
                name="disputes_one_open_per_order",
            ),
            models.UniqueConstraint(
                fields=["booking"], condition=Q(kind="chargeback"), name="disputes_one_chargeback_per_booking"
            ),
        ]
        verbose_name = _("dispute")

    def __str__(self) -> str:
        return f"Dispute {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_finance(self) -> bool:
        return self.status == DisputeStatus.AWAITING_FINANCE


class EvidenceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice or receipt")
    MEDICAL_REPORT = "medical_report", _("Medical report")
    PHOTO = "photo", _("Photo")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class DisputeEvidence(models.Model):
    """A medical document (encrypted, typed, audited in `documents`) given as evidence. The dispute's
    parties, the careteam and finance read it (`disputes.access`); the file never leaves `documents`."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    document = models.ForeignKey("documents.MedicalDocument", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what it is"), max_length=20, choices=EvidenceKind.choices)
    side = models.CharField(_("given by"), max_length=12, choices=DisputeSide.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        ordering = ["dispute", "added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["dispute", "document"], name="disputes_evidence_once")]
        verbose_name = _("evidence")

    def __str__(self) -> str:
        return f"Evidence {self.pk} of dispute {self.dispute_id}"
