"""Concierge: the add-ons a patient buys besides their treatment. An order is paid by card like a
shop's order, through payments' card-payment services: the platform's income at once, never a
deposit held in trust.

The table is still `payments_addonorder` (the orders were payments' before this app existed), with
its constraints' names unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AddonKind(models.TextChoices):
    SECOND_OPINION = "second_opinion", _("Remote second opinion")
    INTERPRETER = "interpreter", _("On-site interpreter")
    TRANSFER = "transfer", _("Airport–hotel–hospital transfer")
    VISA_LETTER = "visa_letter", _("Visa invitation letter")
    VIP_CONCIERGE = "vip_concierge", _("VIP concierge")
    CARETEAM = "careteam", _("Careteam assistance")


class AddonOrderStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")


ADDON_ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    AddonOrderStatus.PENDING: frozenset({AddonOrderStatus.PAID}),
    AddonOrderStatus.PAID: frozenset({AddonOrderStatus.REFUNDED}),
    AddonOrderStatus.REFUNDED: frozenset(),
}


class AddonOrder(models.Model):
    """An add-on a patient buys (the concierge work sells through this). Paid by card like a shop
    order: the money is the platform's income at once, never a deposit held in trust."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="addon_orders")
    kind = models.CharField(_("add-on"), max_length=20, choices=AddonKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.BigIntegerField(_("price (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=AddonOrderStatus.choices, default=AddonOrderStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "payments_addonorder"
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_addon_positive")]
        verbose_name = _("add-on order")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"
