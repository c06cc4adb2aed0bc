"""{{ timedelta|duration_words }}: a response time as people say it ("3 hours", "2 days")."""

import datetime as dt

from django import template
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration_words(value: dt.timedelta | None) -> str:
    if value is None:
        return ""
    hours = max(1, round(value.total_seconds() / 3600))
    if hours < 48:
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    days = round(hours / 24)
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
