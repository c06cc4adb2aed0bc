"""Verified reviews: only the patient of a completed booking reviews its provider, once per booking."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    REPORTED = "reported", _("Reported by the provider")
    REMOVED = "removed", _("Removed")


# The named dimensions a review rates, 1 to 5 each; the review's rating is their mean.
DIMENSIONS = ("care", "communication", "value", "cleanliness")

_STARS = [MinValueValidator(1), MaxValueValidator(5)]


class Review(models.Model):
    """A patient's review of the provider of one of their completed bookings.

    Only published reviews count in a provider's rating (`reviews.selectors.provider_ratings`); every
    review here is verified by construction (it hangs on the author's own completed booking).
    """

    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="review")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(_("status"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.SUBMITTED)
    care = models.PositiveSmallIntegerField(_("care"), validators=_STARS)
    communication = models.PositiveSmallIntegerField(_("communication"), validators=_STARS)
    value = models.PositiveSmallIntegerField(_("value for money"), validators=_STARS)
    cleanliness = models.PositiveSmallIntegerField(_("cleanliness"), validators=_STARS)
    text = models.TextField(_("review"))
    submitted_at = models.DateTimeField(_("submitted at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

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
