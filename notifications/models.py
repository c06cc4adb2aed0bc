"""Messages sent to people (e-mail and SMS) and what each person accepts to receive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # Claimed by one worker (a conditional update from queued): no other worker sends it.
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one person on one channel for one event, rendered in their language.

    `key` is unique: the same event for the same person and channel is recorded, hence sent, once.
    `subject` never carries health information (no procedure, specialty or request subject); the
    bodies may name the provider and the appointment's time, and are never shown in the log page.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    event = models.CharField(_("event"), max_length=40)
    template = models.CharField(_("template"), max_length=60)
    language = models.CharField(_("language"), max_length=8)
    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    # The address or E.164 number used, as it was when the message was recorded.
    to = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    # [{"filename", "content" (text), "mimetype"}]: small text attachments (the .ics file).
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    provider_message_id = models.CharField(_("provider's message id"), max_length=64, blank=True, db_index=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    # For the careteam's log: which booking or quote request the message is about.
    booking_id = models.BigIntegerField(_("booking"), null=True, blank=True, db_index=True)
    quote_request_id = models.BigIntegerField(_("quote request"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    # Retention (docs/decisions.md "Retention"): when the texts (subject, body, HTML, attachments)
    # were emptied, RETENTION_MESSAGE_BODY_DAYS after the message was recorded; the row stays.
    body_purged_at = models.DateTimeField(_("text purged at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"])]
        verbose_name = _("message")

    def __str__(self) -> str:
        return f"{self.event} {self.channel} to {self.recipient_id} ({self.status})"


class NotificationPreference(models.Model):
    """What a person accepts to receive. Without a row: e-mail and SMS both on.

    `sms_opted_out_at` is set when the person answered STOP (Twilio reports it) or Twilio refused
    to send because of it (error 21610); no SMS goes out while it is set, whatever `sms` says,
    until the person turns SMS back on themselves or texts START.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(_("e-mail messages"), default=True)
    sms = models.BooleanField(_("SMS messages"), default=True)
    sms_opted_out_at = models.DateTimeField(_("SMS stopped (STOP) at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("notification preference")

    def __str__(self) -> str:
        return f"Preferences of {self.user_id}"


class DeliveryReport(models.Model):
    """A status callback from Twilio, kept as received (signature verified), applied or not.

    A report may arrive before the send that it is about has recorded Twilio's message id; it waits
    here and is applied when that id is recorded, so no report is lost.
    """

    provider_message_id = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=20)
    error_code = models.CharField(max_length=10, blank=True)
    received_at = models.DateTimeField()
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("delivery report")

    def __str__(self) -> str:
        return f"{self.provider_message_id} {self.status}"
