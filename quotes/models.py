"""Quote requests and quotes: a patient asks providers for a treatment proposal and accepts one.

The tables keep the names they had when these models belonged to the kernel (label `marketplace`):
`db_table`, the constraints' and the indexes' names say so, and the move changed no table.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteRequestStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


QUOTE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    QuoteRequestStatus.DRAFT: frozenset({QuoteRequestStatus.SENT, QuoteRequestStatus.WITHDRAWN}),
    QuoteRequestStatus.SENT: frozenset(
        {QuoteRequestStatus.ANSWERED, QuoteRequestStatus.EXPIRED, QuoteRequestStatus.WITHDRAWN}
    ),
    QuoteRequestStatus.ANSWERED: frozenset(
        {
            QuoteRequestStatus.ACCEPTED,
            QuoteRequestStatus.DECLINED,
            QuoteRequestStatus.EXPIRED,
            QuoteRequestStatus.WITHDRAWN,
        }
    ),
    QuoteRequestStatus.ACCEPTED: frozenset(),
    QuoteRequestStatus.DECLINED: frozenset(),
    QuoteRequestStatus.EXPIRED: frozenset(),
    QuoteRequestStatus.WITHDRAWN: frozenset(),
}
OPEN_REQUEST_STATUSES = frozenset({QuoteRequestStatus.SENT, QuoteRequestStatus.ANSWERED})


class QuoteRequest(models.Model):
    """A patient asks one to five verified providers for a treatment proposal.

    `documents` are shared with the recipients when the request is sent; the grants this request
    created end when it closes, except the accepted provider's.
    """

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quote_requests")
    subject = models.CharField(_("subject"), max_length=200)
    specialty = models.ForeignKey(
        "providers.Specialty", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    procedure = models.ForeignKey(
        "providers.Procedure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("description"))
    desired_from = models.DateField(_("desired from"))
    desired_to = models.DateField(_("desired until"))
    travel_constraints = models.TextField(_("travel constraints"), blank=True)
    documents = models.ManyToManyField("documents.MedicalDocument", blank=True, related_name="quote_requests")
    grants = models.ManyToManyField("documents.DocumentGrant", blank=True, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=QuoteRequestStatus.choices, default=QuoteRequestStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("open until"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        db_table = "marketplace_quoterequest"
        indexes = [models.Index(fields=["status", "expires_at"], name="marketplace_status_ab57ec_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(desired_to__gte=models.F("desired_from")), name="marketplace_request_period"
            ),
        ]
        verbose_name = _("quote request")

    def __str__(self) -> str:
        return f"{self.subject} ({self.status})"


class QuoteRecipient(models.Model):
    """One provider a request was sent to, and when it first answered (for its response time)."""

    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="recipients")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="quote_recipients")
    sent_at = models.DateTimeField(_("sent at"))
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)

    # The provider's quotes on the request, set for its members (selectors.member_recipient).
    provider_quotes: list[Quote]

    class Meta:
        db_table = "marketplace_quoterecipient"
        ordering = ["request", "id"]
        indexes = [models.Index(fields=["provider", "first_answered_at"], name="marketplace_provide_99ef04_idx")]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="marketplace_recipient_once"),
        ]
        verbose_name = _("quote recipient")

    def __str__(self) -> str:
        return f"{self.request_id} → {self.provider_id}"


class QuoteStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")


QUOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    QuoteStatus.SENT: frozenset(
        {QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED, QuoteStatus.WITHDRAWN}
    ),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.DECLINED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
    QuoteStatus.WITHDRAWN: frozenset(),
}


class Quote(models.Model):
    """A provider's answer to a request: itemised lines, deposit, validity, proposed times.

    Amounts are integer minor units of `currency`. Once accepted, `patient_*` keep the conversion
    shown to the patient at that moment (the rate is locked at acceptance) and `booking` the
    booking it created.
    """

    request = models.ForeignKey(QuoteRequest, on_delete=models.CASCADE, related_name="quotes")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="quotes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=QuoteStatus.choices, default=QuoteStatus.SENT)
    currency = models.CharField(_("currency"), max_length=3)
    total_amount = models.BigIntegerField(_("total (minor units)"))
    deposit_amount = models.BigIntegerField(_("deposit (minor units)"))
    excluded = models.TextField(_("not included"), blank=True)
    message = models.TextField(_("message to the patient"), blank=True)
    valid_until = models.DateField(_("valid until"))
    payment_days = models.PositiveSmallIntegerField(_("days to pay the deposit once accepted"))
    max_variation_bps = models.PositiveIntegerField(_("maximum price variation (basis points)"))
    cancellation_policy = models.CharField(_("cancellation policy"), max_length=40)
    # Where the care takes place: proposed times are shown in this IANA timezone.
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC")
    sent_at = models.DateTimeField(_("sent at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    patient_currency = models.CharField(_("patient's currency"), max_length=3, blank=True)
    patient_total_amount = models.BigIntegerField(null=True, blank=True)
    patient_rate_date = models.DateField(null=True, blank=True)
    booking = models.OneToOneField(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="quote"
    )

    class Meta:
        db_table = "marketplace_quote"
        ordering = ["request", "total_amount", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total_amount__gt=0), name="marketplace_quote_total_positive"),
            models.CheckConstraint(
                condition=models.Q(deposit_amount__gte=0, deposit_amount__lte=models.F("total_amount")),
                name="marketplace_quote_deposit_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(max_variation_bps__lte=10_000), name="marketplace_quote_variation_bps"
            ),
            # One quote in force per provider and request; a withdrawn one may be replaced.
            models.UniqueConstraint(
                fields=["request", "provider"],
                condition=models.Q(status="sent"),
                name="marketplace_one_open_quote_per_provider",
            ),
        ]
        verbose_name = _("quote")

    def __str__(self) -> str:
        return f"Quote {self.pk} ({self.status})"

    @property
    def max_variation_percent(self) -> Decimal:
        return Decimal(self.max_variation_bps) / 100


class QuoteLineKind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    PROCEDURE = "procedure", _("Procedure")
    STAY = "stay", _("Hospital stay")
    TESTS = "tests", _("Tests and imaging")
    FEES = "fees", _("Fees")
    OTHER = "other", _("Other")


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=16, choices=QuoteLineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_amount = models.BigIntegerField(_("unit price (minor units)"))

    class Meta:
        db_table = "marketplace_quoteline"
        ordering = ["quote", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(unit_amount__gte=0), name="marketplace_line_not_negative"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="marketplace_line_quantity"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def amount(self) -> int:
        return self.quantity * self.unit_amount


class QuoteSlot(models.Model):
    """A time the provider proposes, [start, end) in UTC; accepting books all of a quote's slots."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        db_table = "marketplace_quoteslot"
        ordering = ["quote", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="marketplace_slot_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} UTC"


class Tender(models.Model):
    """The provider competition the careteam runs for a patient under their mandate (careteam
    assistance): one quote request in the patient's name sent to 2–5 verified providers, with an
    answer-by deadline. The log reads who invited them and when (`invited_by`, `invited_at`, each
    `QuoteRecipient.sent_at`), when each answered (`QuoteRecipient.first_answered_at`) and when the
    patient was sent the comparison of the quotes received."""

    order = models.ForeignKey("concierge.AddonOrder", on_delete=models.PROTECT, related_name="tenders")
    request = models.OneToOneField(QuoteRequest, on_delete=models.PROTECT, related_name="tender")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(_("invited at"))
    answer_by = models.DateTimeField(_("answers wanted by"))
    message = models.TextField(_("message to the providers"), blank=True)
    comparison_sent_at = models.DateTimeField(_("comparison sent at"), null=True, blank=True)
    comparison_sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_by__gt=models.F("invited_at")), name="quotes_tender_deadline"
            ),
        ]
        verbose_name = _("tender")

    def __str__(self) -> str:
        return f"tender {self.pk} for order {self.order_id}"
