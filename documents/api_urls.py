"""Document API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from documents import api

urlpatterns = [
    path("documents/", api.DocumentListAPI.as_view(), name="api_documents"),
    path("documents/<uuid:document_id>/download/", api.DocumentDownloadAPI.as_view(), name="api_document_download"),
    path("documents/<uuid:document_id>/grants/", api.DocumentGrantListAPI.as_view(), name="api_document_grants"),
    path(
        "documents/<uuid:document_id>/grants/<int:grant_id>/",
        api.DocumentGrantAPI.as_view(),
        name="api_document_grant",
    ),
]
