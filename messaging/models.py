"""Secure threads between a patient, a provider's members and the careteam.

One `Thread` per subject: a quote request as sent to one provider (a `QuoteRecipient`: the
providers a request went to never read each other's threads), a booking, a concierge add-on order,
a second-opinion case. Who takes part is never stored: it is read from the subject each time
(`messaging.participants`). A message's attachments are medical documents (`documents`), read by
the thread's participants through `core.hooks.document_read_rights`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

BODY_MAX_LENGTH = 5000


class SubjectKind(models.TextChoices):
    QUOTE = "quote", _("Quote request")  # a QuoteRecipient: one request as sent to one provider
    BOOKING = "booking", _("Booking")
    ORDER = "order", _("Add-on order")
    OPINION = "opinion", _("Second opinion")


class Notice(models.TextChoices):
    FIRST = "first", _("Not for emergencies")
    OUTSIDE_HOURS = "outside_hours", _("Outside office hours")


class Thread(models.Model):
    kind = models.CharField(_("about"), max_length=16, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(
        pgettext_lazy("what a conversation is about: a booking, an order, a request", "subject")
    )
    # The subject's patient (or the representative whose account holds it): read from the subject
    # when the thread is opened, kept for scoping, the export and the erasure.
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="message_threads")
    created_at = models.DateTimeField(_("opened at"))
    last_message_at = models.DateTimeField(_("last message at"), null=True, blank=True)
    # Since when the patient's latest message waits for an answer from someone else (None: answered).
    awaiting_reply_since = models.DateTimeField(_("awaiting a reply since"), null=True, blank=True)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "subject_id"], name="messaging_thread_one_per_subject")]
        indexes = [models.Index(fields=["awaiting_reply_since"], name="messaging_thread_awaiting")]
        verbose_name = _("message thread")

    def __str__(self) -> str:
        return f"{self.kind}:{self.subject_id}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    # None for an automatic notice.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    # An automatic notice (`Notice`, worded when shown, in the reader's language) has no author and no body.
    notice = models.CharField(_("automatic notice"), max_length=16, choices=Notice.choices, blank=True)
    redacted_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["thread", "sent_at"], name="messaging_message_thread_sent")]
        verbose_name = _("message")

    def __str__(self) -> str:
        return f"message {self.pk} in thread {self.thread_id}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("documents.MedicalDocument", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["message", "document"], name="messaging_attachment_once")]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return f"document {self.document_id} on message {self.message_id}"


class ThreadRead(models.Model):
    """A participant's read receipt: everything sent up to `last_read_at` is read."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(_("read up to"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="messaging_read_once")]
        verbose_name = _("read receipt")

    def __str__(self) -> str:
        return f"{self.user_id} read thread {self.thread_id} up to {self.last_read_at}"


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class ProviderMessaging(models.Model):
    """A provider's choice to take patients' messages: on which offerings, for quote requests, and
    its office hours (outside them a patient's message gets the emergency notice)."""

    provider = models.OneToOneField("providers.Provider", on_delete=models.CASCADE, related_name="messaging")
    offering_ids = models.JSONField(_("offerings open to messages"), default=list, blank=True)
    quote_requests = models.BooleanField(_("take messages about quote requests"), default=False)
    timezone = models.CharField(_("timezone of the office hours"), max_length=64, default="Europe/Paris")
    weekdays = models.JSONField(_("office days"), default=default_weekdays)  # 0 = Monday
    opens_at = models.TimeField(_("opens at"), default=dt.time(9))
    closes_at = models.TimeField(_("closes at"), default=dt.time(18))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("provider messaging settings")

    def __str__(self) -> str:
        return f"messaging of provider {self.provider_id}"
