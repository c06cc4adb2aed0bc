from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from documents.models import DocumentGrant, MedicalDocument
from documents.services import TITLE_MAX_LENGTH
from providers.models import Provider


class GrantSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    is_live = serializers.SerializerMethodField(help_text="Whether the provider's members may read the document now.")

    class Meta:
        model = DocumentGrant
        fields = ["id", "provider", "provider_name", "granted_at", "expires_at", "revoked_at", "is_live"]
        read_only_fields = fields

    def get_is_live(self, grant: DocumentGrant) -> bool:
        return grant.is_live(now=self.context.get("now") or timezone.now())


class DocumentSerializer(serializers.ModelSerializer):
    content_type = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = MedicalDocument
        fields = ["id", "title", "kind", "content_type", "size", "sha256", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, document: MedicalDocument) -> str:
        return reverse("api_document_download", kwargs={"document_id": document.pk})


class DocumentUploadSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX_LENGTH)
    # Empty files reach the service, which says what to do in the same words as the page.
    file = serializers.FileField(
        allow_empty_file=True, help_text="PDF, JPEG, PNG or DICOM; the type is read from the contents."
    )


class GrantInputSerializer(serializers.Serializer):
    provider = serializers.PrimaryKeyRelatedField(
        queryset=Provider.objects.all(), help_text="A verified provider's id."
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When access ends; omitted or null: until revoked."
    )
