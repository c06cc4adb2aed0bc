"""Data-rights requests (export, rectification, erasure, objection) with their legal clock, the
providers each is forwarded to and their answers, and the export files.

A request is answered within one month of its receipt (GDPR art. 12(3)), extendable by two months
with a reason given to the person; `due_at` is that deadline (docs/decisions.md, "Personal data").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from providers.models import Provider


class RequestKind(models.TextChoices):
    EXPORT = "export", _("Copy of my data")
    RECTIFICATION = "rectification", _("Correction of my data")
    ERASURE = "erasure", _("Erasure of my data and closure of my account")
    OBJECTION = "objection", _("Objection to a use of my data")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class DataRequest(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    # The person's own words (what to correct, what use they object to); pseudonymised on erasure.
    details = models.TextField(_("details"), blank=True, max_length=5000)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due by"))
    extension_reason = models.TextField(_("why the deadline was extended"), blank=True, max_length=2000)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=5000)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Export: how far the task has got (0–100), the encrypted ZIP in storage, its single-use link.
    progress = models.PositiveSmallIntegerField(default=0)
    export_path = models.CharField(max_length=200, blank=True)
    export_token_hash = models.CharField(max_length=64, blank=True)
    export_expires_at = models.DateTimeField(null=True, blank=True)
    export_downloaded_at = models.DateTimeField(null=True, blank=True)
    # Erasure: the apps (their labels) whose part is erased; a resumed run skips them.
    steps_done = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # One open request of each kind per person: asking again shows the one that runs.
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status__in=["received", "in_progress"]),
                name="privacy_one_open_request_per_kind",
            ),
        ]
        verbose_name = _("data-rights request")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ForwardOutcome(models.TextChoices):
    DONE = "done", _("Done as asked")
    NOTHING_HELD = "nothing_held", _("We hold nothing about this person")
    KEPT_BY_LAW = "kept_by_law", _("Kept: the law requires us to keep it")
    REFUSED = "refused", _("Refused, with the reason given")


class ProviderForward(models.Model):
    """A request about data a provider holds (its own medical records: it is their controller),
    forwarded to that provider, and the provider's answer."""

    request = models.ForeignKey(DataRequest, on_delete=models.CASCADE, related_name="forwards")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="data_request_forwards")
    sent_at = models.DateTimeField(_("sent at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ForwardOutcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=5000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="privacy_forward_once_per_provider"),
        ]
        verbose_name = _("request forwarded to a provider")

    def __str__(self) -> str:
        return f"{self.request_id} → {self.provider_id}"
