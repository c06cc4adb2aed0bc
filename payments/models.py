"""Payments: the double-entry ledger (below), deposits and their Stripe objects, webhooks. Add-on
orders, which are paid by card too, belong to `concierge`.

Ledger sign convention: an entry's `amount` is positive for a debit and negative for a credit, in
integer minor units of the entry's currency. An account's `balance` is the sum of its entries, so
asset and expense accounts carry positive balances and liability and income accounts negative
ones: a trust account holds `-balance`. (docs/decisions.md#ledger.)
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
    """One account in one currency, named by a code from the chart of accounts (docs/decisions.md#ledger):
    `A:stripe`, `L:trust:deposit:<booking>`, `L:payable:provider:<provider>`,
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

    # The entries as debits and credits, set for the finance page (finance_views.booking_ledger).
    lines: list[dict[str, object]]

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
    out of order end in the same state (docs/decisions.md#webhooks)."""

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
    # Set when processing failed STRIPE_EVENT_MAX_ATTEMPTS times: the retry job leaves it alone and
    # finance sees it in the dead letters (docs/decisions.md#dead-letters) until it retries it.
    dead_at = models.DateTimeField(null=True, blank=True)
    # Retention (docs/decisions.md "Retention"): when the payload was reduced to its ids,
    # RETENTION_STRIPE_PAYLOAD_DAYS after it was received (processed events only).
    payload_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created", "id"]
        indexes = [models.Index(fields=["processed_at", "received_at"])]
        verbose_name = _("Stripe event")

    def __str__(self) -> str:
        return f"{self.id} {self.type}"


# --- refunds and releases ---------------------------------------------------------------------------


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # authorised in the ledger, not yet accepted by Stripe
    SUBMITTED = "submitted", _("Submitted")  # Stripe has it, not yet succeeded
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")  # the money is back in trust; finance is told


# What Stripe says of a refund moves it once: an answer that comes after a final one changes nothing.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    RefundStatus.PENDING: frozenset({RefundStatus.SUBMITTED, RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUBMITTED: frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED}),
    RefundStatus.SUCCEEDED: frozenset(),
    RefundStatus.FAILED: frozenset(),
}


class Refund(models.Model):
    """Money going back to the patient's card from a booking's deposit, and the fee the booking's
    cancellation kept (to the provider, minus the platform's commission)."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="refunds")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.BigIntegerField(_("refunded (minor units)"))
    fee = models.BigIntegerField(_("kept as the cancellation fee"), default=0)
    fee_commission = models.BigIntegerField(_("platform commission on the fee"), default=0)
    reason = models.CharField(_("reason"), max_length=40)
    status = models.CharField(_("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    payment_intent_id = models.CharField(max_length=255)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    failure_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0, fee__gte=0), name="payments_refund_not_negative"),
            models.CheckConstraint(condition=Q(fee_commission__lte=models.F("fee")), name="payments_refund_commission"),
            # One settlement per cancelled booking.
            models.UniqueConstraint(fields=["booking"], name="payments_one_refund_per_booking"),
        ]
        verbose_name = _("refund")

    def __str__(self) -> str:
        return f"Refund {self.pk} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"refund:{self.pk}"


class ReleaseStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    REJECTED = "rejected", _("Rejected")
    APPROVED = "approved", _("Approved, transfer under way")
    AWAITING_WIRE = "awaiting_wire", _("Approved, to pay by bank wire")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Transfer failed")


RELEASE_TRANSITIONS: dict[str, frozenset[str]] = {
    ReleaseStatus.REQUESTED: frozenset({ReleaseStatus.REJECTED, ReleaseStatus.APPROVED, ReleaseStatus.AWAITING_WIRE}),
    ReleaseStatus.APPROVED: frozenset({ReleaseStatus.PAID, ReleaseStatus.FAILED}),
    ReleaseStatus.AWAITING_WIRE: frozenset({ReleaseStatus.PAID}),
    # A failed transfer is sent again (finance's retry, same key: back to approved), paid by wire,
    # or found at Stripe after all (its `transfer.created`, the look-up before a wire): paid.
    ReleaseStatus.FAILED: frozenset({ReleaseStatus.AWAITING_WIRE, ReleaseStatus.APPROVED, ReleaseStatus.PAID}),
    ReleaseStatus.REJECTED: frozenset(),
    ReleaseStatus.PAID: frozenset(),
}


class Release(models.Model):
    """The provider asks for a booking's deposit after the first appointment; finance approves it
    (or a per-provider rule does), the platform keeps its commission, and the rest is transferred
    to the provider's connected account or paid by bank wire."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="releases")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="releases")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.BigIntegerField(_("released from trust (minor units)"))
    commission = models.BigIntegerField(_("platform commission"), default=0)
    commission_waived = models.BooleanField(_("commission waived"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.REQUESTED
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    wire_reference = models.CharField(_("bank wire reference"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # Tries of the transfer (always under `transfer:<id>`); an approved release whose answer from
    # Stripe was lost keeps its status and is tried again (docs/decisions.md#releases-retry).
    transfer_attempts = models.PositiveIntegerField(_("transfer attempts"), default=0)
    transfer_error = models.CharField(_("last transfer error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_release_positive"),
            models.CheckConstraint(
                condition=Q(commission__gte=0, commission__lte=models.F("amount")), name="payments_release_commission"
            ),
            # One release in progress or done per booking; a rejected one may be asked again.
            models.UniqueConstraint(
                fields=["booking"], condition=~Q(status="rejected"), name="payments_one_live_release_per_booking"
            ),
        ]
        verbose_name = _("release")

    def __str__(self) -> str:
        return f"Release {self.pk} ({self.status})"

    @property
    def payout(self) -> int:
        return self.amount - self.commission

    @property
    def idempotency_key(self) -> str:
        return f"transfer:{self.pk}"


class PayoutAccount(models.Model):
    """How a provider is paid: its Stripe connected account when usable (kept up to date by the
    Connect webhook's `account.updated`), else by bank wire; and its release and commission terms."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.CASCADE, related_name="payout_account")
    stripe_account_id = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True)
    payouts_enabled = models.BooleanField(default=False)
    transfers_active = models.BooleanField(default=False)
    # Releases are approved without finance when set (docs/decisions.md#releases).
    auto_release = models.BooleanField(_("approve releases automatically"), default=False)
    # Basis points of the deposit; empty for the platform's PAYMENTS_COMMISSION_BPS.
    commission_bps = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(commission_bps__isnull=True) | Q(commission_bps__lte=10_000),
                name="payments_commission_bps",
            )
        ]
        verbose_name = _("payout account")

    def __str__(self) -> str:
        return f"{self.provider_id}: {self.stripe_account_id or 'bank wire'}"

    @property
    def can_receive_transfers(self) -> bool:
        return bool(self.stripe_account_id) and self.payouts_enabled and self.transfers_active


# --- deposits (the Stripe side of a booking's deposit) ---------------------------------------------


class DepositStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    HELD = "held", _("Paid, held in trust")


# Paying is the only transition here; what happens to the money afterwards (refunds, releases,
# disputes) is recorded by the Refund and Release rows and the ledger.
DEPOSIT_TRANSITIONS: dict[str, frozenset[str]] = {
    DepositStatus.PENDING: frozenset({DepositStatus.HELD}),
    DepositStatus.HELD: frozenset(),
}


class DisputeStatus(models.TextChoices):
    """A card dispute of the deposit's charge; a deposit never disputed has "" (`NO_DISPUTE`)."""

    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


NO_DISPUTE = ""

# A dispute opens once and closes once: a closed one is final, whatever arrives late.
DISPUTE_TRANSITIONS: dict[str, frozenset[str]] = {
    NO_DISPUTE: frozenset({DisputeStatus.OPEN, DisputeStatus.WON, DisputeStatus.LOST}),
    DisputeStatus.OPEN: frozenset({DisputeStatus.WON, DisputeStatus.LOST}),
    DisputeStatus.WON: frozenset(),
    DisputeStatus.LOST: frozenset(),
}


class Deposit(models.Model):
    """A booking's deposit as charged through Stripe: one per booking, whatever the attempts.

    Each payment attempt is a new PaymentIntent made under the idempotency key
    `deposit:<booking>:<attempt>`; `payment_intent_id` is the latest attempt's until one succeeds,
    then the one that paid. Amounts are integer minor units in `currency`.
    """

    booking = models.OneToOneField("bookings.Booking", on_delete=models.PROTECT, related_name="deposit_payment")
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=20, choices=DepositStatus.choices, default=DepositStatus.PENDING)
    attempts = models.PositiveIntegerField(_("payment attempts"), default=0)
    setup_intent_id = models.CharField(_("Stripe SetupIntent"), max_length=255, blank=True)
    payment_intent_id = models.CharField(_("Stripe PaymentIntent"), max_length=255, null=True, blank=True, unique=True)
    charge_id = models.CharField(_("Stripe charge"), max_length=255, null=True, blank=True, unique=True)
    balance_transaction_id = models.CharField(_("Stripe balance transaction"), max_length=255, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # A card dispute freezes the deposit: no refund, no release until it is won ("" = none).
    dispute_status = models.CharField(_("dispute"), max_length=8, blank=True, choices=DisputeStatus.choices)
    # Printed on the payment confirmation; anyone can check it at /payments/verify/<code>/.
    verification_code = models.CharField(_("verification code"), max_length=20, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_deposit_positive"),
            models.CheckConstraint(
                condition=~Q(status=DepositStatus.HELD)
                | (Q(paid_at__isnull=False) & Q(payment_intent_id__isnull=False)),
                name="payments_held_deposit_is_paid",
            ),
        ]
        verbose_name = _("deposit")

    def __str__(self) -> str:
        return f"Deposit of booking {self.booking_id} ({self.status})"

    @property
    def money(self):
        from core.money import Money

        return Money(self.amount, self.currency)


# --- reconciliation ---------------------------------------------------------------------------------


class ReconciliationRun(models.Model):
    """One run of the daily reconciliation (payments.services.reconciliation): Stripe's balance transactions
    of a UTC day against the ledger, and the trust coverage when it ran. Kept for history; the
    report's items are plain JSON (see `reconciliation.Report.as_json`)."""

    day = models.DateField(_("day (UTC)"))
    ran_at = models.DateTimeField(_("ran at"), db_index=True)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the Stripe balance came from: Stripe's API, or the ledger's A:stripe under the emulator.
    balance_source = models.CharField(_("balance from"), max_length=10)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    problems = models.PositiveIntegerField(_("problems"), default=0)
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("reconciliation run")

    def __str__(self) -> str:
        return f"Reconciliation of {self.day} ({self.problems} problems)"

    @property
    def ok(self) -> bool:
        return self.problems == 0


# --- orphaned charges --------------------------------------------------------------------------------


class OrphanStatus(models.TextChoices):
    PENDING = "pending", _("To refund")  # posted as money in; the refund not yet accepted by Stripe
    REFUNDED = "refunded", _("Refunded")


ORPHAN_TRANSITIONS: dict[str, frozenset[str]] = {
    OrphanStatus.PENDING: frozenset({OrphanStatus.REFUNDED}),
    OrphanStatus.REFUNDED: frozenset(),
}


class OrphanedCharge(models.Model):
    """A card payment that succeeded for something that could no longer take it (a booking that
    expired or was cancelled, a deposit or an add-on order already paid): the money came in, is
    owed back to the card, and is refunded under `orphan-refund:<payment intent>`
    (docs/decisions.md#orphaned-charges)."""

    payment_intent_id = models.CharField(max_length=255, unique=True)
    charge_id = models.CharField(max_length=255, blank=True)
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    booking = models.ForeignKey(
        "bookings.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="orphaned_charges"
    )
    # What the payment was for, as its metadata says (`deposit`, `addon_order:<id>`).
    purpose = models.CharField(_("paid for"), max_length=100, blank=True)
    reason = models.CharField(_("why it cannot be kept"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=OrphanStatus.choices, default=OrphanStatus.PENDING)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    refund_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    found_at = models.DateTimeField(_("found at"))
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payments_orphan_positive")]
        verbose_name = _("orphaned charge")

    def __str__(self) -> str:
        return f"Orphaned {self.payment_intent_id} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"orphan-refund:{self.payment_intent_id}"


# --- payout destination changes ------------------------------------------------------------------------


class PayoutChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


PAYOUT_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    PayoutChangeStatus.PROPOSED: frozenset({PayoutChangeStatus.APPROVED, PayoutChangeStatus.REJECTED}),
    PayoutChangeStatus.APPROVED: frozenset(),
    PayoutChangeStatus.REJECTED: frozenset(),
}


class PayoutChange(models.Model):
    """A change of where (connected account) or how (automatic releases) a provider is paid: one
    finance member proposes it, a second, different one approves it, and only then the payout
    account changes (docs/decisions.md#payout-changes)."""

    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="payout_changes")
    # What the account held when proposed, and what it is to hold.
    old_stripe_account_id = models.CharField(max_length=255, blank=True)
    old_auto_release = models.BooleanField(default=False)
    new_stripe_account_id = models.CharField(_("new connected account"), max_length=255, blank=True)
    new_auto_release = models.BooleanField(_("approve releases automatically"), default=False)
    note = models.CharField(_("why"), max_length=500)
    status = models.CharField(
        _("status"), max_length=10, choices=PayoutChangeStatus.choices, default=PayoutChangeStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reject_reason = models.CharField(_("reason for rejecting"), max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            # One open proposal per provider: a second would be approved over the first unseen.
            models.UniqueConstraint(
                fields=["provider"], condition=Q(status="proposed"), name="payments_one_open_payout_change"
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("proposed_by")) | Q(status="rejected"),
                name="payments_payout_change_four_eyes",
            ),
        ]
        verbose_name = _("payout change")

    def __str__(self) -> str:
        return f"Payout change {self.pk} ({self.status})"
