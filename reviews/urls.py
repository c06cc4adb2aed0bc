"""/reviews/… pages."""

from __future__ import annotations

from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("charter/", views.charter, name="charter"),
    path("mine/", views.mine, name="mine"),
    path("bookings/<int:booking_id>/write/", views.write, name="write"),
    path("orders/<int:order_id>/write/", views.write_supplier, name="write_supplier"),
    path("provider/", views.provider_reviews, name="provider_reviews"),
    path("moderation/", views.moderation, name="moderation"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("reports/<int:report_id>/respond/", views.report_respond, name="report_respond"),
    path("reports/<int:report_id>/decide/", views.report_decide, name="report_decide"),
    path("supplier-reviews/<int:pk>/publish/", views.supplier_publish, name="supplier_publish"),
    path("supplier-reviews/<int:pk>/reject/", views.supplier_reject, name="supplier_reject"),
    path("suppliers/<int:supplier_id>/", views.supplier, name="supplier"),
]
