"""/api/v1/messages/… endpoints."""

from __future__ import annotations

from django.urls import path

from messaging import api

app_name = "messaging-api"

urlpatterns = [
    path("", api.ThreadListAPI.as_view(), name="threads"),
    path("<int:thread_id>/", api.ThreadAPI.as_view(), name="thread"),
    path("<int:thread_id>/messages/", api.MessageListAPI.as_view(), name="messages"),
    path("<int:thread_id>/read/", api.ThreadReadAPI.as_view(), name="read"),
    path("<int:thread_id>/attachments/<uuid:document_id>/", api.AttachmentAPI.as_view(), name="attachment"),
    path("providers/<int:provider_id>/settings/", api.ProviderMessagingAPI.as_view(), name="provider_settings"),
]
