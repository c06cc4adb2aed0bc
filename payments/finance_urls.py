from django.urls import path

from payments import finance_views as views

app_name = "finance"

urlpatterns = [
    path("", views.trust_register, name="trust_register"),
    path("trust-register.csv", views.trust_register_csv, name="trust_register_csv"),
    path("releases/", views.release_queue, name="releases"),
    path("releases/<int:release_id>/approve/", views.release_decide, {"decision": "approve"}, name="release_approve"),
    path("releases/<int:release_id>/reject/", views.release_decide, {"decision": "reject"}, name="release_reject"),
    path("releases/<int:release_id>/wire/", views.release_decide, {"decision": "wire"}, name="release_wire"),
    path("releases/request/<int:booking_id>/", views.release_ask, name="release_request"),
    path("bookings/", views.booking_lookup, name="booking_lookup"),
    path("bookings/<int:booking_id>/ledger/", views.booking_ledger, name="booking_ledger"),
    path("bookings/<int:booking_id>/ledger.csv", views.booking_ledger_csv, name="booking_ledger_csv"),
    path("ledger.csv", views.entries_csv, name="entries_csv"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation/run/", views.reconciliation_run, name="reconciliation_run"),
]
