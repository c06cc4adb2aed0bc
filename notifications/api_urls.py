"""Notifications' API routes, mounted at /api/v1/notifications/."""

from django.urls import URLPattern, path

from notifications import api

urlpatterns: list[URLPattern] = [
    path("preferences/", api.NotificationPreferencesAPI.as_view(), name="api_notification_preferences"),
]
