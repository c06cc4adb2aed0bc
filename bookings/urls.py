from django.urls import path

from bookings import aftercare_views, views

app_name = "bookings"

urlpatterns = [
    path("", views.my_bookings, name="list"),
    path("<int:booking_id>/", views.detail, name="detail"),
    path("<int:booking_id>/cancel/", views.cancel, name="cancel"),
    path("<int:booking_id>/evidence/", views.evidence, name="evidence"),
    path("<int:booking_id>/reschedule/", views.reschedule, name="reschedule"),
    path("hold/<int:offering_id>/", views.hold, name="hold"),
    path("<int:booking_id>/evidence/review/", views.evidence_review, name="evidence_review"),
    path("<int:booking_id>/complete/", views.complete, name="complete"),
    path("<int:booking_id>/no-show/", views.no_show, name="no_show"),
    path(
        "<int:booking_id>/appointments/<int:appointment_id>.ics",
        views.appointment_calendar_file,
        name="appointment_ics",
    ),
    path("evidence/", views.evidence_queue, name="evidence_queue"),
    path("provider/<int:provider_id>/", views.provider_calendar, name="provider_calendar"),
    path("provider/<int:provider_id>/list/", views.provider_bookings, name="provider_bookings"),
    path("provider/<int:provider_id>/bookings.csv", views.provider_bookings_csv, name="provider_bookings_csv"),
    # Aftercare: the discharge pack (bookings/aftercare_views.py).
    path("<int:booking_id>/discharge-pack/items/", aftercare_views.pack_item, name="pack_item"),
    path("<int:booking_id>/discharge-pack/links/", aftercare_views.pack_link_create, name="pack_link_create"),
    path(
        "<int:booking_id>/discharge-pack/links/<int:link_id>/revoke/",
        aftercare_views.pack_link_revoke,
        name="pack_link_revoke",
    ),
    path("discharge-pack/<str:token>/", aftercare_views.pack_shared, name="pack_shared"),
    path("discharge-pack/<str:token>/<int:item_id>/", aftercare_views.pack_shared_file, name="pack_shared_file"),
]
