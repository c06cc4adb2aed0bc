"""What finance's API (payments/finance_api.py) answers and takes: the rows of finance's pages as
plain JSON, each with the actions the user asking may take on it (`available_actions`, the
services' own checks), and the bodies of its writes.

Amounts are `core.serializers.MoneySerializer` objects (a decimal string in major units, the
currency and the integer minor units), never floats.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.serializers import (
    BoundedDateField,
    MoneySerializer,
    available_actions_field,
    bounded_integer,
    currency_field,
)

RELEASE_ACTIONS = ("approve", "reject", "wire", "retry")


class FinancePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class FinanceProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReleaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    booking = serializers.IntegerField(help_text="The booking whose deposit is released.")
    provider = FinanceProviderSerializer()
    status = serializers.CharField(help_text="requested, rejected, approved, awaiting_wire, paid or failed.")
    status_label = serializers.CharField()
    amount = MoneySerializer(help_text="Released from trust.")
    commission = MoneySerializer(help_text="The platform's commission kept (zero when waived).")
    payout = MoneySerializer(help_text="What the provider receives.")
    commission_waived = serializers.BooleanField()
    by_transfer = serializers.BooleanField(
        help_text="Approving pays by Stripe transfer (the provider has a usable connected account); else by bank wire."
    )
    requested_by = FinancePersonSerializer()
    requested_at = serializers.DateTimeField()
    decided_by = FinancePersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField(allow_blank=True)
    stripe_transfer_id = serializers.CharField(allow_null=True)
    wire_reference = serializers.CharField(allow_blank=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    transfer_attempts = serializers.IntegerField()
    transfer_error = serializers.CharField(allow_blank=True)
    available_actions = available_actions_field(*RELEASE_ACTIONS)

    def get_available_actions(self, row: dict[str, Any]) -> dict[str, Any]:
        return row["available_actions"]


class ReleaseQueueSerializer(serializers.Serializer):
    requested = ReleaseSerializer(many=True, help_text="Waiting for a decision, oldest first.")
    awaiting_wire = ReleaseSerializer(many=True, help_text="Approved to pay by bank wire, or whose transfer failed.")
    unanswered = ReleaseSerializer(many=True, help_text="Transfers sent whose answer from Stripe never came.")
    recent = ReleaseSerializer(many=True, help_text="The last decided releases.")


class ReleaseApproveInputSerializer(serializers.Serializer):
    waive_commission = serializers.BooleanField(required=False, default=False)


class ReleaseRejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, help_text="For the provider; required."
    )


class ReleaseWireInputSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        help_text="The bank's reference of the wire; required.",
    )


class ReleaseWireResultSerializer(ReleaseSerializer):
    paid_by_transfer = serializers.BooleanField(
        help_text="Stripe made the release's transfer after all: it is recorded instead of the wire. Pay no wire."
    )


# --- orphaned charges and Stripe events -----------------------------------------------------------------


class OrphanedChargeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    payment_intent_id = serializers.CharField()
    amount = MoneySerializer()
    booking = serializers.IntegerField(allow_null=True)
    purpose = serializers.CharField(allow_blank=True, help_text="What the payment was for (its metadata).")
    reason = serializers.CharField(help_text="Why it cannot be kept.")
    status = serializers.CharField(help_text="pending (to refund) or refunded.")
    status_label = serializers.CharField()
    stripe_refund_id = serializers.CharField(allow_null=True)
    refund_attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    found_at = serializers.DateTimeField()
    refunded_at = serializers.DateTimeField(allow_null=True)
    available_actions = available_actions_field("refund")

    def get_available_actions(self, row: dict[str, Any]) -> dict[str, Any]:
        return row["available_actions"]


class StripeEventSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    account = serializers.CharField(allow_blank=True, help_text="The connected account that sent it; empty: ours.")
    created = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    processed_at = serializers.DateTimeField(allow_null=True)
    dead_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField(allow_blank=True)
    available_actions = available_actions_field("retry")

    def get_available_actions(self, row: dict[str, Any]) -> dict[str, Any]:
        return row["available_actions"]


# --- payout accounts ------------------------------------------------------------------------------------


class PayoutAccountSerializer(serializers.Serializer):
    provider = FinanceProviderSerializer()
    stripe_account_id = serializers.CharField(allow_blank=True, help_text="Empty: paid by bank wire.")
    payouts_enabled = serializers.BooleanField()
    transfers_active = serializers.BooleanField()
    can_receive_transfers = serializers.BooleanField()
    auto_release = serializers.BooleanField()
    commission_bps = serializers.IntegerField(allow_null=True, help_text="Null: the platform's rate.")


class PayoutChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = FinanceProviderSerializer()
    old_stripe_account_id = serializers.CharField(allow_blank=True)
    old_auto_release = serializers.BooleanField()
    new_stripe_account_id = serializers.CharField(allow_blank=True)
    new_auto_release = serializers.BooleanField()
    note = serializers.CharField()
    status = serializers.CharField(help_text="proposed, approved or rejected.")
    status_label = serializers.CharField()
    proposed_by = FinancePersonSerializer()
    proposed_at = serializers.DateTimeField()
    decided_by = FinancePersonSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    reject_reason = serializers.CharField(allow_blank=True)
    available_actions = available_actions_field("approve", "reject")

    def get_available_actions(self, row: dict[str, Any]) -> dict[str, Any]:
        return row["available_actions"]


class PayoutOverviewSerializer(serializers.Serializer):
    accounts = PayoutAccountSerializer(many=True)
    proposals = PayoutChangeSerializer(many=True, help_text="Open proposals, oldest first.")
    recent = PayoutChangeSerializer(many=True, help_text="The last decided proposals.")


_CODE_HELP = (
    "A current code of your authenticator app (or a recovery code): the API's form of the pages' "
    "recent sign-in, asked again for every change of where a provider is paid."
)


class PayoutDecisionInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text=_CODE_HELP)


class PayoutChangeInputSerializer(PayoutDecisionInputSerializer):
    provider = bounded_integer(min_value=1, help_text="The provider's id.")
    stripe_account_id = serializers.CharField(
        max_length=255, allow_blank=True, required=False, default="", help_text="Empty: pay by bank wire."
    )
    auto_release = serializers.BooleanField(required=False, default=False)
    note = serializers.CharField(
        max_length=500, required=False, default="", allow_blank=True, help_text="Why; required."
    )


class PayoutChangeRejectInputSerializer(PayoutDecisionInputSerializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True, help_text="Required.")


# --- reconciliation -------------------------------------------------------------------------------------


class ReconciliationRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    day = serializers.DateField(help_text="The UTC day reconciled.")
    ran_at = serializers.DateTimeField()
    ran_by = FinancePersonSerializer(allow_null=True, help_text="Null: the daily job.")
    ok = serializers.BooleanField(help_text="The ledger and Stripe agree.")
    balance_source = serializers.CharField()
    matched = serializers.IntegerField()
    problems = serializers.IntegerField()
    report = serializers.JSONField(help_text="The differences and the trust coverage, as the page shows them.")


class ReconciliationSerializer(serializers.Serializer):
    latest = ReconciliationRunSerializer(allow_null=True)
    history = ReconciliationRunSerializer(many=True, help_text="The last runs, newest first.")


class ReconciliationRunInputSerializer(serializers.Serializer):
    day = BoundedDateField(help_text="The UTC day to reconcile.")


# --- the trust register and a booking's ledger ----------------------------------------------------------


class TrustRegisterQuerySerializer(serializers.Serializer):
    """Documents the register's filters; they are checked by the page's own form."""

    status = serializers.CharField(required=False, help_text="A booking status.")
    currency = serializers.CharField(required=False)
    provider = serializers.IntegerField(required=False, help_text="A provider with money in trust.")
    paid_from = serializers.DateField(required=False, help_text="Paid on or after this day.")
    paid_to = serializers.DateField(required=False, help_text="Paid on or before this day (included).")


class TrustLineSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    booking_status = serializers.CharField()
    provider = FinanceProviderSerializer()
    held = MoneySerializer()
    paid_at = serializers.DateTimeField(allow_null=True)
    age_days = serializers.IntegerField()
    bucket = serializers.CharField(help_text="0-30, 31-90 or 90+ days since paid.")


class TrustProviderSerializer(serializers.Serializer):
    provider = FinanceProviderSerializer()
    held = MoneySerializer()
    buckets = serializers.DictField(child=MoneySerializer(), help_text="Age bucket → held in it.")
    bookings = serializers.IntegerField()


class TrustTotalSerializer(serializers.Serializer):
    currency = currency_field()
    held = MoneySerializer()


class TrustRegisterSerializer(serializers.Serializer):
    lines = TrustLineSerializer(many=True)
    providers = TrustProviderSerializer(many=True)
    totals = TrustTotalSerializer(many=True)


class FinanceLedgerLineSerializer(serializers.Serializer):
    account = serializers.CharField()
    amount = MoneySerializer(help_text="Positive: debit; negative: credit.")


class FinanceLedgerTransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    posted_at = serializers.DateTimeField()
    kind = serializers.CharField()
    external_source = serializers.CharField(allow_blank=True)
    external_id = serializers.CharField(allow_blank=True)
    lines = FinanceLedgerLineSerializer(many=True)


class FinanceLedgerAccountSerializer(serializers.Serializer):
    code = serializers.CharField()
    balance = MoneySerializer()


class BookingLedgerSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    booking_status = serializers.CharField()
    provider = FinanceProviderSerializer()
    transactions = FinanceLedgerTransactionSerializer(many=True)
    accounts = FinanceLedgerAccountSerializer(many=True)
    releases = ReleaseSerializer(many=True)
