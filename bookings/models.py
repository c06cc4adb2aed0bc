"""Bookings, their appointments and their cancellation rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.policy import PolicyTerms, Tier
from marketplace.money import Money, currency_choices


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


# Which status may follow which; services check it under select_for_update before any change.
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


class Booking(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    offering = models.ForeignKey("providers.Offering", on_delete=models.PROTECT, related_name="bookings")
    # Denormalised from the offering so that appointments can be constrained per provider.
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(_("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.HELD)
    deposit_amount = models.BigIntegerField(_("deposit (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, choices=currency_choices())
    cancellation_policy = models.ForeignKey(
        CancellationPolicy, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("cancellation policy")
    )
    hold_expires_at = models.DateTimeField(_("hold expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "hold_expires_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(deposit_amount__gte=0), name="bookings_deposit_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status=BookingStatus.HELD) | models.Q(hold_expires_at__isnull=False),
                name="bookings_held_has_expiry",
            ),
        ]
        verbose_name = _("booking")

    def __str__(self) -> str:
        return f"Booking {self.pk} ({self.status})"

    @property
    def deposit(self) -> Money:
        return Money(self.deposit_amount, self.currency)


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
