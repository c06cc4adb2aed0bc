"""Shapes of the messaging API (validation of shape only; the services hold the rules)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from messaging.models import BODY_MAX_LENGTH, Message, SubjectKind, Thread


class ThreadOpenSerializer(serializers.Serializer):
    about = serializers.ChoiceField(choices=SubjectKind.choices, help_text="What the thread is about.")
    subject_id = serializers.IntegerField(min_value=1, max_value=2**62)


class ThreadSerializer(serializers.ModelSerializer):
    about = serializers.ChoiceField(source="kind", choices=SubjectKind.choices, read_only=True)
    title = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()
    provider_takes_part = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "about",
            "subject_id",
            "title",
            "created_at",
            "last_message_at",
            "unread",
            "provider_takes_part",
            "page_url",
        ]

    def get_title(self, thread: Thread) -> str:
        return thread.subject.title  # type: ignore[attr-defined]

    def get_unread(self, thread: Thread) -> int:
        return int(getattr(thread, "unread", 0) or 0)

    def get_provider_takes_part(self, thread: Thread) -> bool:
        return bool(thread.subject.provider_takes_part)  # type: ignore[attr-defined]

    def get_page_url(self, thread: Thread) -> str:
        return reverse("messaging:thread", args=[thread.pk])


class AttachmentOutSerializer(serializers.Serializer):
    document_id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()


class MessageSerializer(serializers.ModelSerializer):
    notice = serializers.CharField()
    notice_text = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    erased = serializers.SerializerMethodField()
    author_name = serializers.SerializerMethodField(
        help_text="How the conversation names the author: a patient's name, a provider's name, the careteam; "
        "empty for an automatic notice."
    )

    class Meta:
        model = Message
        fields = ["id", "author", "author_name", "body", "sent_at", "notice", "notice_text", "erased", "attachments"]

    def get_author_name(self, message: Message) -> str:
        return self.context.get("names", {}).get(message.author_id, "")

    def get_notice_text(self, message: Message) -> str:
        from messaging.views import notice_text

        return notice_text(message.notice) if message.notice else ""

    def get_erased(self, message: Message) -> bool:
        return message.redacted_at is not None

    def get_attachments(self, message: Message) -> list[dict]:
        return [
            {
                "document_id": str(a.document_id),
                "title": a.document.title,
                "kind": a.document.kind,
                "size": a.document.size,
            }
            for a in message.attachments.all()
        ]


class MessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=BODY_MAX_LENGTH,
        allow_blank=True,
        trim_whitespace=True,
        error_messages={"required": _("Write your message before sending it.")},
    )
    attachment = serializers.FileField(required=False, allow_empty_file=True)
    attachment_title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReadSerializer(serializers.Serializer):
    thread = serializers.IntegerField()
    last_read_at = serializers.DateTimeField()
