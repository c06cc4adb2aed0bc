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

from django.conf import settings
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"
SUBJECT_MAX = 200
SMS_MAX = 320  # two SMS segments


def language_of(user) -> str:
    """The person's preferred language when the site offers it, English otherwise."""
    profile = getattr(user, "patient_profile", None)
    language = getattr(profile, "preferred_language", "") or ""
    return language if language in dict(settings.LANGUAGES) else FALLBACK_LANGUAGE


def _template(template: str, language: str, part: str):
    name = f"notifications/{template}/{language}/{part}"
    try:
        return get_template(name)
    except TemplateDoesNotExist:
        if language == FALLBACK_LANGUAGE:
            raise
        logger.warning("Notification template %s is missing: falling back to English", name)
        return get_template(f"notifications/{template}/{FALLBACK_LANGUAGE}/{part}")


def render_part(*, template: str, language: str, part: str, context: dict[str, Any], tz: str = "UTC") -> str:
    """One part rendered in `language`, dates shown in the timezone `tz` (the provider's)."""
    found = _template(template, language, part)
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(tz)):
        if part.endswith(".txt"):
            return found.template.render(Context(context, autoescape=False))
        return found.render(context)


def one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]
