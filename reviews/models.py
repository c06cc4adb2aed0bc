"""Verified reviews: only the patient of a completed booking reviews its provider, once per booking;
the patient of a fulfilled add-on order reviews its interpreter or driver, once per order.

- `Review`: a booking's review. Submitted → published or rejected by the careteam against the
  charter (`reviews/charter`), within 10 working days (`moderation_due_at`). A published review
  may get one public reply from a member of the provider (`reply_*`) and may be reported by one
  as abusive (`ReviewReport`): it is then `reported` (hidden, not counted) until the careteam
  keeps it (published again) or removes it.
- `ReviewReport`: the provider's report, the author's answer (7 days) and the careteam's decision.
- `SupplierReview`: the review of the supplier (interpreter, driver) of a fulfilled add-on order,
  moderated the same way; shown to the careteam on the supplier's reviews page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    REPORTED = "reported", _("Reported by the provider")
    REMOVED = "removed", _("Removed")


class RejectionReason(models.TextChoices):
    """The charter's rules a moderator may name when refusing a review (the public charter page)."""

    HEALTH_DETAILS = "health_details", _("It gives health details of an identifiable person")
    INSULT = "insult", _("It insults or threatens someone")
    ADVERTISING = "advertising", _("It advertises or promotes something")
    NOT_EXPERIENCE = "not_experience", _("It does not describe the reviewer's own experience")


# The named dimensions a review rates, 1 to 5 each; the review's rating is their mean.
DIMENSIONS = ("care", "communication", "value", "cleanliness")
# An interpreter's or driver's review.
SUPPLIER_DIMENSIONS = ("service", "communication", "punctuality")

_STARS = [MinValueValidator(1), MaxValueValidator(5)]


def dimension_label(model: type[models.Model], name: str) -> str:
    """A dimension's words ("value for money"), from its field."""
    field = model._meta.get_field(name)
    return str(field.verbose_name) if isinstance(field, models.Field) else name


TEXT_MAX_LENGTH = 5_000
NOTE_MAX_LENGTH = 2_000


class Review(models.Model):
    """A patient's review of the provider of one of their completed bookings.

    Only published reviews count in a provider's rating (`reviews.selectors.provider_ratings`); every
    review here is verified by construction (it hangs on the author's own completed booking).
    """

    # Not "review": the bookings pages use that attribute for the evidence review of a cancellation.
    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="patient_review")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    care = models.PositiveSmallIntegerField(_("care"), validators=_STARS)
    communication = models.PositiveSmallIntegerField(_("communication"), validators=_STARS)
    value = models.PositiveSmallIntegerField(_("value for money"), validators=_STARS)
    cleanliness = models.PositiveSmallIntegerField(_("cleanliness"), validators=_STARS)
    text = models.TextField(pgettext_lazy("the text a patient writes about a provider", "review"))
    submitted_at = models.DateTimeField(_("submitted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    # Moderation: due 10 working days after submission; a rejection names the charter's rule.
    moderation_due_at = models.DateTimeField(_("moderation due by"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(
        _("reason for rejecting"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("note to the author"), blank=True)
    # The provider's public reply: one per review.
    reply_text = models.TextField(_("the provider's reply"), blank=True)
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["provider", "status"], name="reviews_provider_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(care__gte=1, care__lte=5)
                & Q(communication__gte=1, communication__lte=5)
                & Q(value__gte=1, value__lte=5)
                & Q(cleanliness__gte=1, cleanliness__lte=5),
                name="reviews_stars_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="reviews_published_has_date",
            ),
        ]
        verbose_name = _("review")

    def __str__(self) -> str:
        return f"Review {self.pk} of booking {self.booking_id} ({self.status})"

    @property
    def rating(self) -> float:
        return sum(getattr(self, name) for name in DIMENSIONS) / len(DIMENSIONS)

    def stars(self) -> list[tuple[str, int]]:
        """(dimension's label, stars) in the dimensions' order, for pages."""
        return [(dimension_label(Review, name), getattr(self, name)) for name in DIMENSIONS]


class ReportStatus(models.TextChoices):
    AWAITING_AUTHOR = "awaiting_author", _("Waiting for the author's answer")
    AWAITING_DECISION = "awaiting_decision", _("Waiting for the careteam's decision")
    KEPT = "kept", _("Review kept")
    REMOVED = "removed", _("Review removed")


class ReviewReport(models.Model):
    """A provider's report of a published review as abusive. The author has 7 days to answer
    (`respond_by`); after their answer or that day, the careteam keeps or removes the review."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why the review is abusive"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.AWAITING_AUTHOR
    )
    reported_at = models.DateTimeField(_("reported at"))
    respond_by = models.DateTimeField(_("the author may answer until"))
    response = models.TextField(_("the author's answer"), blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("the careteam's reasons"), blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            # One open report per review at a time.
            models.UniqueConstraint(
                fields=["review"],
                condition=Q(status__in=["awaiting_author", "awaiting_decision"]),
                name="reviews_one_open_report",
            ),
        ]
        verbose_name = _("review report")

    def __str__(self) -> str:
        return f"Report {self.pk} of review {self.review_id} ({self.status})"


class SupplierReview(models.Model):
    """A patient's review of the interpreter or driver of one of their fulfilled add-on orders."""

    order = models.OneToOneField("concierge.AddonOrder", on_delete=models.PROTECT, related_name="supplier_review")
    supplier = models.ForeignKey("concierge.Supplier", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supplier_reviews")
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    service = models.PositiveSmallIntegerField(_("service"), validators=_STARS)
    communication = models.PositiveSmallIntegerField(_("communication"), validators=_STARS)
    punctuality = models.PositiveSmallIntegerField(_("punctuality"), validators=_STARS)
    text = models.TextField(pgettext_lazy("the text a patient writes about a provider", "review"))
    submitted_at = models.DateTimeField(_("submitted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    moderation_due_at = models.DateTimeField(_("moderation due by"), null=True, blank=True)
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(
        _("reason for rejecting"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("note to the author"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__gte=1, service__lte=5)
                & Q(communication__gte=1, communication__lte=5)
                & Q(punctuality__gte=1, punctuality__lte=5),
                name="reviews_supplier_stars_1_to_5",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="reviews_supplier_published_has_date",
            ),
        ]
        verbose_name = _("supplier review")

    def __str__(self) -> str:
        return f"Supplier review {self.pk} of order {self.order_id} ({self.status})"

    @property
    def rating(self) -> float:
        return sum(getattr(self, name) for name in SUPPLIER_DIMENSIONS) / len(SUPPLIER_DIMENSIONS)

    def stars(self) -> list[tuple[str, int]]:
        return [(dimension_label(SupplierReview, name), getattr(self, name)) for name in SUPPLIER_DIMENSIONS]
