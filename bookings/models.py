"""Bookings, their appointments and their cancellation rules."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.policy import Evidence, PolicyTerms, Reason, Tier
from core.money import Money, currency_choices


class CancellationPolicy(models.Model):
    """A published version of a cancellation policy; a booking keeps the version it was sold under.

    `tiers` is a list of {"days": N, "fee_bps": B}: cancelled at least N calendar days before the
    first appointment costs B basis points of the deposit.
    """

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=120)
    tiers = models.JSONField(_("tiers"))
    no_show_fee_bps = models.PositiveIntegerField(_("no-show fee (basis points)"))
    refund_window_days = models.PositiveIntegerField(_("no refund after (days since payment)"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="bookings_policy_version_once"),
            models.CheckConstraint(condition=models.Q(no_show_fee_bps__lte=10_000), name="bookings_policy_no_show_bps"),
        ]
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def terms(self) -> PolicyTerms:
        return PolicyTerms(
            tiers=tuple(Tier(days=int(t["days"]), fee_bps=int(t["fee_bps"])) for t in self.tiers),
            no_show_fee_bps=self.no_show_fee_bps,
            refund_window_days=self.refund_window_days,
        )


class BookingStatus(models.TextChoices):
    HELD = "held", _("Held while paying")
    AWAITING_DEPOSIT = "awaiting_deposit", _("Awaiting deposit")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# Which status may follow which: the table of `bookings.services.common.BOOKING`, which every
# change of status goes through (core.state).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    BookingStatus.HELD: frozenset(
        {BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED}
    ),
    BookingStatus.AWAITING_DEPOSIT: frozenset(
        {BookingStatus.CONFIRMED, BookingStatus.EXPIRED, BookingStatus.CANCELLED}
    ),
    BookingStatus.CONFIRMED: frozenset({BookingStatus.COMPLETED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW}),
    BookingStatus.COMPLETED: frozenset(),
    BookingStatus.EXPIRED: frozenset(),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.NO_SHOW: frozenset(),
}

# A booking in one of these statuses keeps its appointments' time (a held one only until its hold
# expires, which `booking_expire_holds` turns into `expired`).
LIVE_STATUSES = frozenset({BookingStatus.HELD, BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED})


class CancellationReason(models.TextChoices):
    """`bookings.policy.Reason` with labels for forms and the admin."""

    NONE = Reason.NONE.value, _("No particular reason")
    DOCTOR_DECLINES = Reason.DOCTOR_DECLINES.value, _("The doctor declined the care after examining me")
    UNFIT_TO_TRAVEL = Reason.UNFIT_TO_TRAVEL.value, _("A doctor found me unfit to travel")
    FORCE_MAJEURE = Reason.FORCE_MAJEURE.value, _("Force majeure")
    DEATH = Reason.DEATH.value, _("Death")


class EvidenceStatus(models.TextChoices):
    """`bookings.policy.Evidence` with labels: where the evidence of a legitimate reason stands."""

    NONE = Evidence.NONE.value, _("No evidence received")
    PENDING = Evidence.PENDING.value, _("Evidence awaiting review")
    ACCEPTED = Evidence.ACCEPTED.value, _("Evidence accepted")
    REJECTED = Evidence.REJECTED.value, _("Evidence rejected")
    LATE = Evidence.LATE.value, _("No accepted evidence by the deadline")


# Where the evidence of a legitimate reason may go next (`Booking.evidence_status`). A second
# document while one awaits review keeps it pending; the deadline makes a rejection final
# without changing it.
EVIDENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    EvidenceStatus.NONE: frozenset({EvidenceStatus.PENDING, EvidenceStatus.LATE}),
    EvidenceStatus.PENDING: frozenset({EvidenceStatus.PENDING, EvidenceStatus.ACCEPTED, EvidenceStatus.REJECTED}),
    EvidenceStatus.REJECTED: frozenset({EvidenceStatus.PENDING, EvidenceStatus.REJECTED}),
    EvidenceStatus.ACCEPTED: frozenset(),
    EvidenceStatus.LATE: frozenset(),
}


class Booking(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    # Empty for a booking made from an accepted quote, which need not name an offering.
    offering = models.ForeignKey(
        "providers.Offering", on_delete=models.PROTECT, related_name="bookings", null=True, blank=True
    )
    # Denormalised from the offering (or the quote) so that appointments can be constrained per provider.
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(_("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.HELD)
    deposit_amount = models.BigIntegerField(_("deposit (minor units)"))
    # The whole price when known (a quote's total), in the deposit's currency.
    total_amount = models.BigIntegerField(_("total (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices())
    # The provider's timezone (IANA) when booked: times are shown and cancellation days counted in it.
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC")
    cancellation_policy = models.ForeignKey(
        CancellationPolicy, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("cancellation policy")
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    deposit_due_at = models.DateTimeField(_("deposit due by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("deposit paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=255, blank=True)

    # Cancellation: the decision of bookings.policy.decide, as recorded (the refund itself is the
    # payments app's job). Not final while the evidence of a legitimate reason is awaited.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.CharField(
        _("reason for cancelling"), max_length=20, choices=CancellationReason.choices, blank=True
    )
    evidence_status = models.CharField(
        _("evidence"), max_length=10, choices=EvidenceStatus.choices, default=EvidenceStatus.NONE
    )
    evidence_due_at = models.DateTimeField(_("evidence due by"), null=True, blank=True)
    cancellation_fee = models.BigIntegerField(_("cancellation fee (minor units)"), null=True, blank=True)
    cancellation_refund = models.BigIntegerField(_("refund (minor units)"), null=True, blank=True)
    cancellation_rule = models.CharField(_("rule applied"), max_length=20, blank=True)
    cancellation_explanation = models.TextField(_("explanation"), blank=True)
    cancellation_final = models.BooleanField(_("decision final"), default=False)
    completed_at = models.DateTimeField(_("completed or marked no-show at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "hold_expires_at"]),
            models.Index(fields=["status", "deposit_due_at"]),
            models.Index(fields=["status", "cancellation_final", "evidence_due_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit_amount__gte=0), name="bookings_deposit_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.HELD) | models.Q(hold_expires_at__isnull=False),
                name="bookings_held_has_expiry",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.AWAITING_DEPOSIT) | models.Q(deposit_due_at__isnull=False),
                name="bookings_awaiting_deposit_has_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(total_amount__isnull=True) | models.Q(total_amount__gte=models.F("deposit_amount")),
                name="bookings_total_covers_deposit",
            ),
            models.CheckConstraint(
                condition=models.Q(cancellation_fee__isnull=True)
                | models.Q(cancellation_fee__gte=0, cancellation_refund__gte=0),
                name="bookings_cancellation_amounts_not_negative",
            ),
        ]
        verbose_name = _("booking")

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.status})"

    @property
    def deposit(self) -> Money:
        return Money(self.deposit_amount, self.currency)

    @property
    def total(self) -> Money | None:
        return None if self.total_amount is None else Money(self.total_amount, self.currency)

    @property
    def cancellation_fee_money(self) -> Money | None:
        return None if self.cancellation_fee is None else Money(self.cancellation_fee, self.currency)

    @property
    def cancellation_refund_money(self) -> Money | None:
        return None if self.cancellation_refund is None else Money(self.cancellation_refund, self.currency)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def evidence_awaited(self) -> bool:
        """A legitimate reason was given and no final decision is recorded yet."""
        return self.status == BookingStatus.CANCELLED and not self.cancellation_final


class EvidenceReview(models.TextChoices):
    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# The careteam's review of one document (`CancellationEvidence.status`): once, either way.
EVIDENCE_REVIEW_TRANSITIONS: dict[str, frozenset[str]] = {
    EvidenceReview.PENDING: frozenset({EvidenceReview.ACCEPTED, EvidenceReview.REJECTED}),
    EvidenceReview.ACCEPTED: frozenset(),
    EvidenceReview.REJECTED: frozenset(),
}


class CancellationEvidence(models.Model):
    """A document sent to prove a legitimate reason for cancelling (a medical certificate…)."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="evidence")
    document = models.ForeignKey("documents.MedicalDocument", on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(
        _("review"), max_length=10, choices=EvidenceReview.choices, default=EvidenceReview.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    note = models.TextField(_("review note"), blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(fields=["booking", "document"], name="bookings_evidence_document_once"),
        ]
        verbose_name = _("cancellation evidence")
        verbose_name_plural = _("cancellation evidence")

    def __str__(self) -> str:
        return f"Evidence {self.pk} for booking {self.booking_id} ({self.status})"


class Appointment(models.Model):
    """A time a booking takes at its provider, [start, end) in UTC.

    `live` is False once the booking no longer holds the time (expired, cancelled); on PostgreSQL
    an exclusion constraint (migration 0004) forbids two live appointments of one provider to
    overlap.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="appointments")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    live = models.BooleanField(_("holds its time"), default=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["provider", "start"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="bookings_appointment_ordered")
        ]
        verbose_name = _("appointment")

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC ({self.provider_id})"


# --- aftercare: the discharge pack (docs/decisions.md#discharge-pack) --------------------------------


class DischargeItemKind(models.TextChoices):
    """The checklist of a discharge pack, in the order the pages show it."""

    OPERATIVE_REPORT = "operative_report", _("Operative and anaesthesia report")
    IMPLANTS = "implants", _("Implant details")
    DISCHARGE_INSTRUCTIONS = "discharge_instructions", _("Discharge instructions")
    FOLLOW_UP = "follow_up", _("Follow-up schedule")
    INVOICE = "invoice", _("Itemised invoice")
    TRANSLATION = "translation", _("Translation into the patient's language")


class DischargeItem(models.Model):
    """One item of a booking's discharge pack: a medical document the provider uploaded (owned by
    the patient), or, for the items that may not apply, the provider's statement that it does not.

    A new upload for the same item replaces the current one; the old row stays with `replaced_at`
    as the record of what was sent when.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="discharge_items")
    kind = models.CharField(_("item"), max_length=24, choices=DischargeItemKind.choices)
    document = models.ForeignKey(
        "documents.MedicalDocument", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    not_applicable = models.BooleanField(_("does not apply"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("added at"))
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    class Meta:
        ordering = ["booking", "kind", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind"],
                condition=models.Q(replaced_at__isnull=True),
                name="bookings_discharge_item_current_once",
            ),
            models.CheckConstraint(
                condition=models.Q(document__isnull=False, not_applicable=False)
                | models.Q(document__isnull=True, not_applicable=True),
                name="bookings_discharge_item_document_or_not_applicable",
            ),
        ]
        verbose_name = _("discharge pack item")

    def __str__(self) -> str:
        return f"{self.kind} of booking {self.booking_id}"


class PackShareLink(models.Model):
    """A 7-day link the patient gives their home doctor to read the discharge pack without an account.

    Only the SHA-256 of the token is stored. Rows are never deleted: a revoked or expired link stays
    as the record of who could read the pack when.
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="pack_share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    recipient = models.CharField(_("for"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    opened_count = models.PositiveIntegerField(_("opened"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="bookings_pack_link_expires_after"
            ),
        ]
        verbose_name = _("discharge pack link")

    def __str__(self) -> str:
        return f"Pack link {self.pk} of booking {self.booking_id}"
