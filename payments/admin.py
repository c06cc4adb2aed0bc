"""Payments in the admin: read-only. Everything that moves money is written by the services and the
ledger is append-only; where a provider is paid (its connected account, its release and commission
terms) decides where money goes, so it is not edited here either."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from payments.models import (
    Deposit,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
    OrphanedCharge,
    PayoutAccount,
    PayoutChange,
    ReconciliationRun,
    Refund,
    Release,
    StripeEvent,
)


@admin.register(Deposit)
class DepositAdmin(ReadOnlyAdmin):
    list_display = ["booking", "amount", "currency", "status", "dispute_status", "paid_at", "payment_intent_id"]
    list_filter = ["status", "dispute_status", "currency"]
    search_fields = ["booking__id", "payment_intent_id", "charge_id", "verification_code"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["booking", "amount", "fee", "fee_commission", "currency", "status", "stripe_refund_id"]
    list_filter = ["status", "currency"]
    search_fields = ["booking__id", "stripe_refund_id"]


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ["booking", "provider", "amount", "commission", "currency", "status", "paid_at"]
    list_filter = ["status", "currency"]
    search_fields = ["booking__id", "provider__name", "stripe_transfer_id", "wire_reference"]


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["created", "id", "type", "processed_at", "attempts", "last_error"]
    list_filter = ["type"]
    search_fields = ["id"]


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = readonly_fields = ("account", "amount", "currency")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "kind", "external_source", "external_id", "booking"]
    list_filter = ["kind", "external_source"]
    search_fields = ["external_id", "booking__id"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "currency", "kind", "balance"]
    list_filter = ["kind", "currency", "is_trust"]
    search_fields = ["code"]


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    pass


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = [
        "provider",
        "stripe_account_id",
        "payouts_enabled",
        "transfers_active",
        "auto_release",
        "commission_bps",
    ]
    search_fields = ["provider__name", "stripe_account_id"]


# Payments safety: written by their services only (orphans, payout_changes), shown here read-only.
@admin.register(OrphanedCharge)
class OrphanedChargeAdmin(ReadOnlyAdmin):
    list_display = ["found_at", "payment_intent_id", "amount", "currency", "reason", "status", "stripe_refund_id"]
    list_filter = ["status", "reason", "currency"]
    search_fields = ["payment_intent_id", "charge_id", "stripe_refund_id", "booking__id"]


@admin.register(PayoutChange)
class PayoutChangeAdmin(ReadOnlyAdmin):
    list_display = ["proposed_at", "provider", "new_stripe_account_id", "new_auto_release", "status", "proposed_by"]
    list_filter = ["status"]
    search_fields = ["provider__name", "new_stripe_account_id", "old_stripe_account_id"]
