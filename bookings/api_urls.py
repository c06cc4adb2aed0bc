"""Booking API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from bookings import aftercare_api, api

urlpatterns = [
    path("bookings/", api.MyBookingsAPI.as_view(), name="api_bookings"),
    path("bookings/hold/", api.HoldAPI.as_view(), name="api_booking_hold"),
    path("bookings/<int:booking_id>/", api.BookingAPI.as_view(), name="api_booking"),
    path("bookings/<int:booking_id>/cancel/", api.CancelAPI.as_view(), name="api_booking_cancel"),
    path("bookings/<int:booking_id>/evidence/", api.EvidenceAPI.as_view(), name="api_booking_evidence"),
    path("bookings/<int:booking_id>/reschedule/", api.RescheduleAPI.as_view(), name="api_booking_reschedule"),
    path("bookings/<int:booking_id>/complete/", api.CompleteAPI.as_view(), name="api_booking_complete"),
    path("bookings/<int:booking_id>/no-show/", api.NoShowAPI.as_view(), name="api_booking_no_show"),
    path("bookings/evidence/", api.EvidenceQueueAPI.as_view(), name="api_booking_evidence_queue"),
    path(
        "bookings/<int:booking_id>/evidence/review/",
        api.EvidenceReviewAPI.as_view(),
        name="api_booking_evidence_review",
    ),
    path("my/providers/<int:provider_id>/bookings/", api.ProviderBookingsAPI.as_view(), name="api_provider_bookings"),
    # Aftercare: the discharge pack (bookings/aftercare_api.py).
    path(
        "bookings/<int:booking_id>/discharge-pack/",
        aftercare_api.DischargePackAPI.as_view(),
        name="api_booking_discharge_pack",
    ),
    path(
        "bookings/<int:booking_id>/discharge-pack/items/",
        aftercare_api.DischargeItemsAPI.as_view(),
        name="api_booking_discharge_items",
    ),
    path(
        "bookings/<int:booking_id>/discharge-pack/links/",
        aftercare_api.PackLinksAPI.as_view(),
        name="api_booking_pack_links",
    ),
    path(
        "bookings/<int:booking_id>/discharge-pack/links/<int:link_id>/",
        aftercare_api.PackLinkAPI.as_view(),
        name="api_booking_pack_link",
    ),
]
