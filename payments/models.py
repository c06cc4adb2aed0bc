"""Payments: the double-entry ledger (below), deposits and their Stripe objects, webhooks.

Ledger sign convention: an entry's `amount` is positive for a debit and negative for a credit, in
integer minor units of the entry's currency. An account's `balance` is the sum of its entries, so
asset and expense accounts carry positive balances and liability and income accounts negative
ones: a trust account holds `-balance`. (DESIGN.md §4, research-payments.md §3.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# --- ledger ---------------------------------------------------------------------------------------


class AccountKind(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


class LedgerAccount(models.Model):
    """One account in one currency, named by a code from the chart of accounts (research §3.2):
    `A:stripe:available`, `L:trust:deposit:<booking>`, `L:payable:provider:<provider>`,
    `I:commission`, `E:stripe_fees`… The currency is a separate column, not part of the code."""

    code = models.CharField(_("code"), max_length=120)
    currency = models.CharField(_("currency"), max_length=3)
    kind = models.CharField(_("kind"), max_length=10, choices=AccountKind.choices)
    # A trust account holds a patient's deposit for one booking; it may never go below zero.
    is_trust = models.BooleanField(default=False)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_accounts"
    )
    # The sum of the account's entries, kept by the posting service under the row's lock and
    # recomputed by `manage.py check_ledger`.
    balance = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["code", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["code", "currency"], name="payments_account_once"),
            models.CheckConstraint(condition=Q(is_trust=False) | Q(balance__lte=0), name="payments_trust_not_negative"),
            models.CheckConstraint(
                condition=Q(is_trust=False) | Q(kind="liability"), name="payments_trust_is_a_liability"
            ),
        ]
        verbose_name = _("ledger account")

    def __str__(self) -> str:
        return f"{self.code} ({self.currency})"


class LedgerTransaction(models.Model):
    """A set of entries that balance per currency; never changed once written (corrections are
    new transactions). `(external_source, external_id, kind)` maps one outside money object
    (a Stripe balance transaction, refund, transfer, dispute; a bank wire) to exactly one
    transaction."""

    kind = models.CharField(_("kind"), max_length=40)
    external_source = models.CharField(_("source"), max_length=20, blank=True)
    external_id = models.CharField(_("external id"), max_length=255, blank=True)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_transactions"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    posted_at = models.DateTimeField(_("posted at"), db_index=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_source", "external_id", "kind"],
                condition=~Q(external_id=""),
                name="payments_one_transaction_per_external_object",
            ),
        ]
        verbose_name = _("ledger transaction")

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id or self.pk}"


class LedgerEntry(models.Model):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount = models.BigIntegerField(_("amount (minor units, + debit, − credit)"))
    currency = models.CharField(_("currency"), max_length=3)

    class Meta:
        ordering = ["transaction", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="payments_entry_not_zero")]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount:+d} {self.currency}"


# --- Stripe webhooks --------------------------------------------------------------------------------


class StripeEvent(models.Model):
    """One Stripe event, stored once (its id is the key) when its signature checks out, then
    processed after commit. Processing re-fetches the object from Stripe, so duplicates and events
    out of order end in the same state (research-payments.md §6)."""

    id = models.CharField(primary_key=True, max_length=255)
    type = models.CharField(max_length=100, db_index=True)
    # The connected account that sent it (Connect endpoint), blank for the platform's own.
    account = models.CharField(max_length=255, blank=True)
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=40, blank=True)
    created = models.DateTimeField()
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["processed_at", "received_at"])]
        verbose_name = _("Stripe event")

    def __str__(self) -> str:
        return f"{self.id} {self.type}"
