"""A booking's money in the API (payments/booking_api.py), included under "api/v1/" by the project's urls."""

from django.urls import path

from payments import booking_api

urlpatterns = [
    path("bookings/<int:booking_id>/payment/", booking_api.DepositPaymentAPI.as_view(), name="api_booking_payment"),
    path(
        "bookings/<int:booking_id>/payment/confirm/",
        booking_api.DepositConfirmAPI.as_view(),
        name="api_booking_payment_confirm",
    ),
    path(
        "bookings/<int:booking_id>/confirmation.pdf",
        booking_api.ConfirmationPdfAPI.as_view(),
        name="api_booking_confirmation",
    ),
    path(
        "bookings/<int:booking_id>/release-request/",
        booking_api.ReleaseRequestAPI.as_view(),
        name="api_booking_release_request",
    ),
]
