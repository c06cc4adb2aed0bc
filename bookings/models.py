"""Bookings and their cancellation rules. (The booking itself arrives with issue #5.)"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from bookings.policy import PolicyTerms, Tier


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
