"""Finance's API routes, included under "api/v1/finance/" by the project's urls (payments/finance_api.py)."""

from django.urls import path

from payments import finance_api as api

urlpatterns = [
    path("releases/", api.ReleaseQueueAPI.as_view(), name="api_finance_releases"),
    path("releases/<int:release_id>/", api.ReleaseAPI.as_view(), name="api_finance_release"),
    path("releases/<int:release_id>/approve/", api.ReleaseApproveAPI.as_view(), name="api_finance_release_approve"),
    path("releases/<int:release_id>/reject/", api.ReleaseRejectAPI.as_view(), name="api_finance_release_reject"),
    path("releases/<int:release_id>/wire/", api.ReleaseWireAPI.as_view(), name="api_finance_release_wire"),
    path("releases/<int:release_id>/retry/", api.ReleaseRetryAPI.as_view(), name="api_finance_release_retry"),
    path("orphaned-charges/", api.OrphanedChargeListAPI.as_view(), name="api_finance_orphaned_charges"),
    path(
        "orphaned-charges/<int:orphan_id>/refund/",
        api.OrphanedChargeRefundAPI.as_view(),
        name="api_finance_orphaned_charge_refund",
    ),
    path("stripe-events/", api.StripeEventListAPI.as_view(), name="api_finance_stripe_events"),
    path(
        "stripe-events/<str:event_id>/retry/", api.StripeEventRetryAPI.as_view(), name="api_finance_stripe_event_retry"
    ),
    path("payout-accounts/", api.PayoutAccountsAPI.as_view(), name="api_finance_payout_accounts"),
    path("payout-accounts/changes/", api.PayoutChangeProposeAPI.as_view(), name="api_finance_payout_change_new"),
    path(
        "payout-accounts/changes/<int:change_id>/approve/",
        api.PayoutChangeApproveAPI.as_view(),
        name="api_finance_payout_change_approve",
    ),
    path(
        "payout-accounts/changes/<int:change_id>/reject/",
        api.PayoutChangeRejectAPI.as_view(),
        name="api_finance_payout_change_reject",
    ),
    path("reconciliation/", api.ReconciliationAPI.as_view(), name="api_finance_reconciliation"),
    path("reconciliation/run/", api.ReconciliationRunAPI.as_view(), name="api_finance_reconciliation_run"),
    path("trust-register/", api.TrustRegisterAPI.as_view(), name="api_finance_trust_register"),
    path("bookings/<int:booking_id>/ledger/", api.BookingLedgerAPI.as_view(), name="api_finance_booking_ledger"),
]
