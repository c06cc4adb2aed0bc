"""Booking API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from bookings import api

urlpatterns = [
    path("bookings/", api.MyBookingsAPI.as_view(), name="api_bookings"),
    path("bookings/hold/", api.HoldAPI.as_view(), name="api_booking_hold"),
    path("bookings/<int:booking_id>/", api.BookingAPI.as_view(), name="api_booking"),
    path("bookings/<int:booking_id>/cancel/", api.CancelAPI.as_view(), name="api_booking_cancel"),
    path("bookings/<int:booking_id>/evidence/", api.EvidenceAPI.as_view(), name="api_booking_evidence"),
    path("bookings/<int:booking_id>/reschedule/", api.RescheduleAPI.as_view(), name="api_booking_reschedule"),
    path("my/providers/<int:provider_id>/bookings/", api.ProviderBookingsAPI.as_view(), name="api_provider_bookings"),
]
