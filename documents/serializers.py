from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from core.checks import ActionState, actions_payload
from core.serializers import BoundedDateTimeField, available_actions_field
from documents.models import DocumentGrant, MedicalDocument
from documents.services import TITLE_MAX_LENGTH, document_grant_check, document_revoke_check
from providers.models import Provider


def _actor(serializer: serializers.Serializer):
    return serializer.context["request"].user


class GrantSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    is_live = serializers.SerializerMethodField(help_text="Whether the provider's members may read the document now.")
    available_actions = available_actions_field("revoke")

    class Meta:
        model = DocumentGrant
        fields = [
            "id",
            "provider",
            "provider_name",
            "granted_at",
            "expires_at",
            "revoked_at",
            "is_live",
            "available_actions",
        ]
        read_only_fields = fields

    def get_is_live(self, grant: DocumentGrant) -> bool:
        return grant.is_live(now=self.context.get("now") or timezone.now())

    def get_available_actions(self, grant: DocumentGrant) -> dict[str, ActionState]:
        now = self.context.get("now") or timezone.now()
        return actions_payload({"revoke": document_revoke_check(grant=grant, actor=_actor(self), now=now)})


class DocumentSerializer(serializers.ModelSerializer):
    content_type = serializers.CharField(read_only=True)
    download_url = serializers.SerializerMethodField()
    available_actions = available_actions_field("share")

    class Meta:
        model = MedicalDocument
        fields = [
            "id",
            "title",
            "kind",
            "content_type",
            "size",
            "sha256",
            "created_at",
            "download_url",
            "available_actions",
        ]
        read_only_fields = fields

    def get_download_url(self, document: MedicalDocument) -> str:
        return reverse("api_document_download", kwargs={"document_id": document.pk})

    def get_available_actions(self, document: MedicalDocument) -> dict[str, ActionState]:
        return actions_payload({"share": document_grant_check(document=document, actor=_actor(self))})


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
    expires_at = BoundedDateTimeField(
        required=False, allow_null=True, help_text="When access ends; omitted or null: until revoked."
    )
