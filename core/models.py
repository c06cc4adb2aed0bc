from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One line of the append-only audit trail; the database refuses updates and deletes.

    `actor` keeps the id of whoever acted even if that account is later erased (no FK
    constraint, nothing cascades into the trail). `target_type` is "app_label.model".
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)
    # The client's address, for events a request without an account can cause (a refused
    # document read): without it such events name nobody (core.http.client_ip).
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.target_type}#{self.target_id}"


class ExchangeRate(models.Model):
    """How many units of `currency` one euro buys on `date` (reference rates, EUR-based).

    Any pair converts through the euro. Finance edits these in the admin; the
    `load_exchange_rates` command loads a reference-rates CSV.
    """

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("units per euro"), max_digits=20, decimal_places=10)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["-date", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="marketplace_rate_once_per_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="marketplace_rate_positive"),
        ]
        verbose_name = _("exchange rate")

    def __str__(self) -> str:
        return f"1 EUR = {self.rate} {self.currency} ({self.date})"


class IdempotencyStatus(models.TextChoices):
    IN_FLIGHT = "in_flight", _("In flight")
    DONE = "done", _("Done")


class IdempotencyRecord(models.Model):
    """The response given to one (user, Idempotency-Key), replayed when the same request comes again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=IdempotencyStatus.choices, default=IdempotencyStatus.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="marketplace_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.status})"
