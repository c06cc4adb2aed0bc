"""/disputes/… pages."""

from __future__ import annotations

from django.urls import path

from disputes import views

app_name = "disputes"

urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("open/booking/<int:booking_id>/", views.open_booking, name="open_booking"),
    path("open/order/<int:order_id>/", views.open_order, name="open_order"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/evidence/", views.evidence, name="evidence"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/send-back/", views.send_back, name="send_back"),
]
