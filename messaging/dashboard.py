"""What awaits a provider's member in messaging (`core.hooks.provider_dashboard_counts`): the
conversations of the provider with messages they have not read."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from messaging.selectors import threads_of


def dashboard_counts(*, provider_id: int, viewer_id: int, now: dt.datetime) -> list[dict[str, object]]:
    viewer = User.objects.filter(pk=viewer_id).first()
    if viewer is None:
        return []
    unread = len(
        [
            thread
            for thread in threads_of(user=viewer)
            if getattr(thread, "unread", 0) and thread.subject.provider_id == provider_id  # type: ignore[attr-defined]
        ]
    )
    return [
        {
            "key": "messages_unread",
            "label": _("Conversations with unread messages"),
            "count": unread,
            "url": reverse("messaging:inbox"),
            "order": 15,
        }
    ]
