from django.urls import path

from core.db import replica_view
from payments import finance_views as views

app_name = "finance"

urlpatterns = [
    path("", replica_view(views.trust_register), name="trust_register"),
    path("trust-register.csv", replica_view(views.trust_register_csv), name="trust_register_csv"),
    path("releases/", views.release_queue, name="releases"),
    path("releases/<int:release_id>/approve/", views.release_decide, {"decision": "approve"}, name="release_approve"),
    path("releases/<int:release_id>/reject/", views.release_decide, {"decision": "reject"}, name="release_reject"),
    path("releases/<int:release_id>/wire/", views.release_wire, name="release_wire"),
    path("releases/<int:release_id>/retry/", views.release_retry, name="release_retry"),
    path("orphaned-charges/", views.orphaned_charges, name="orphaned_charges"),
    path("orphaned-charges/<int:orphan_id>/refund/", views.orphaned_charge_refund, name="orphaned_charge_refund"),
    path("stripe-events/", views.stripe_events, name="stripe_events"),
    path("stripe-events/<str:event_id>/retry/", views.stripe_event_retry, name="stripe_event_retry"),
    path("payout-accounts/", views.payout_accounts, name="payout_accounts"),
    path("payout-accounts/changes/", views.payout_change_new, name="payout_change_new"),
    path(
        "payout-accounts/changes/<int:change_id>/approve/",
        views.payout_change_decide,
        {"decision": "approve"},
        name="payout_change_approve",
    ),
    path(
        "payout-accounts/changes/<int:change_id>/reject/",
        views.payout_change_decide,
        {"decision": "reject"},
        name="payout_change_reject",
    ),
    path("releases/request/<int:booking_id>/", views.release_ask, name="release_request"),
    path("bookings/", views.booking_lookup, name="booking_lookup"),
    path("bookings/<int:booking_id>/ledger/", views.booking_ledger, name="booking_ledger"),
    path("bookings/<int:booking_id>/ledger.csv", views.booking_ledger_csv, name="booking_ledger_csv"),
    path("ledger.csv", replica_view(views.entries_csv), name="entries_csv"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/run/", views.reconciliation_run, name="reconciliation_run"),
]
