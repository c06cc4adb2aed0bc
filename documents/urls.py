from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="list"),
    path("upload/", views.document_upload, name="upload"),
    path("<uuid:document_id>/download/", views.download, name="download"),
    path("<uuid:document_id>/grants/", views.grant_add, name="grant_add"),
    path("<uuid:document_id>/grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant_revoke"),
]
