from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("bookings/<int:booking_id>/pay/", views.pay, name="pay"),
    path("bookings/<int:booking_id>/pay/start/", views.pay_start, name="pay_start"),
    path("bookings/<int:booking_id>/pay/card/", views.pay_card, name="pay_card"),
    path("bookings/<int:booking_id>/pay/confirm/", views.pay_confirm, name="pay_confirm"),
    path("bookings/<int:booking_id>/confirmation.pdf", views.confirmation, name="confirmation"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
