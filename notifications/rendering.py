"""Rendering a message in a person's language: notifications/<template>/<language>/<part>.

Parts: subject.txt, body.txt and body.html for e-mail, sms.txt for SMS. A part missing in the
person's language falls back to English, and the fallback is logged so the gap gets filled.
Text parts are rendered without HTML escaping.

Templates are found by name through Django's loaders, so each app keeps the templates of the
messages it sends in its own `templates/notifications/` (bookings' in `bookings/templates/`…);
the e-mail layout they extend, `notifications/email_base.html`, stays here.
"""

from __future__ import annotations

import logging
import zoneinfo
from typing import Any

from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

from accounts.selectors import user_language
from core.when import valid_timezone

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
SUBJECT_MAX = 200
SMS_MAX = 320  # two SMS segments


def language_of(user) -> str:
    """The recipient's own language, never the sender's: a patient's profile language, else the
    account's (staff, provider members), when the site offers it; English otherwise."""
    return user_language(user=user) or FALLBACK_LANGUAGE


def _template(template: str, language: str, part: str):
    name = f"notifications/{template}/{language}/{part}"
    try:
        return get_template(name)
    except TemplateDoesNotExist:
        if language == FALLBACK_LANGUAGE:
            raise
        logger.warning("Notification template %s is missing: falling back to English", name)
        return get_template(f"notifications/{template}/{FALLBACK_LANGUAGE}/{part}")


def render_part(
    *, template: str, language: str, part: str, context: dict[str, Any], tz: str = "UTC", viewer_tz: str = ""
) -> str:
    """One part rendered in `language`. `tz` is the place's timezone (the provider's), `viewer_tz`
    the recipient's own (User.timezone): {% when %} shows deadlines in the recipient's, else in the
    place's; {% appointment start timezone %} the place's time with the recipient's beside it."""
    found = _template(template, language, part)
    active = valid_timezone(viewer_tz) or valid_timezone(tz) or "UTC"
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(active)):
        if part.endswith(".txt"):
            return found.template.render(Context(context, autoescape=False))
        return found.render(context)


def one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]
