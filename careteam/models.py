"""The only state the case board keeps: who owns a case, and the careteam's notes on it.

Everything else about a case is read live from the app that owns the work, through
`core.hooks.case_items`, by the case's `key` ("<app>.<what>:<pk>").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseOwner(models.Model):
    """Who on the careteam has a case in hand. Kept (with no owner) when it is unassigned, so the
    audit trail's events on it stay one row's history."""

    key = models.CharField(_("case"), max_length=100, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by")
    )
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("case owner")

    def __str__(self) -> str:
        return f"{self.key} → {self.owner_id}"


class CaseNote(models.Model):
    """A careteam member's note on a case. Notes say what was done or agreed; medical files stay in
    `documents` and are linked from the case, never pasted here."""

    key = models.CharField(_("case"), max_length=100, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(_("written at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case note")

    def __str__(self) -> str:
        return f"note {self.pk} on {self.key}"
