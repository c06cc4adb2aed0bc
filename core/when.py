"""One way to show an instant: every date and time a person reads goes through here.

Two kinds of instants, two rules (docs/decisions.md, "Time"):

- **Appointments** (a slot, a booking's first appointment, a transfer's pick-up) happen somewhere:
  they are shown in the place's own timezone, named ("09:00 Istanbul time"), and, when the viewer
  lives elsewhere, in the viewer's time beside it.
- **Deadlines and events** (pay by, a hold's end, a refund's date, a message sent) are shown in the
  viewer's own timezone: the one on their account, else the one their browser reported (the `tz`
  cookie set by static/js/timezone.js), else `settings.TIME_ZONE`. `ViewerTimezoneMiddleware`
  activates it for the request; e-mails and PDFs pass the recipient's.

The style is one per language: `DATETIME_FORMAT` / `DATE_FORMAT` of config/formats/<lang>/. Every
rendering carries the instant itself in ISO 8601 (the `<time datetime>` attribute in HTML), so a
reader (or a test) can check that two views of one instant agree.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

TZ_COOKIE = "tz"


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def valid_timezone(name: str | None) -> str | None:
    """The IANA name when it is one this machine knows, else None (a cookie or a form is input)."""
    if name and len(name) <= 64 and name in known_timezones():
        return name
    return None


def zone(name: str | None) -> dt.tzinfo:
    """The timezone called `name`, or the site's default for an unknown or empty name."""
    checked = valid_timezone(name)
    return zoneinfo.ZoneInfo(checked) if checked else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def zone_label(tz: dt.tzinfo) -> str:
    """A person's name for a timezone: its city ("Istanbul", "New York"), or "UTC"."""
    key = getattr(tz, "key", None) or str(tz)
    if "/" not in key:
        return key
    return key.rsplit("/", 1)[1].replace("_", " ")


def local(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` (aware) in `tz`, or in the timezone active for this request."""
    return timezone.localtime(moment, tz or timezone.get_current_timezone())


def when_text(
    moment: dt.datetime, tz: dt.tzinfo | None = None, *, date_only: bool = False, with_zone: bool = True
) -> str:
    """Plain text in the active language: "Wednesday 9 December 2026, 22:47 (Istanbul time)"."""
    shown = local(moment, tz)
    text = date_format(shown, "DATE_FORMAT" if date_only else "DATETIME_FORMAT")
    if date_only or not with_zone:
        return text
    return _("%(when)s (%(place)s time)") % {"when": text, "place": zone_label(shown.tzinfo or dt.UTC)}


def when_html(moment: dt.datetime | None, tz: dt.tzinfo | None = None, *, date_only: bool = False) -> SafeString:
    """`when_text` inside `<time datetime="…">` carrying the instant in UTC."""
    if moment is None:
        return SafeString("")
    return format_html(
        '<time datetime="{}">{}</time>',
        moment.astimezone(dt.UTC).isoformat(),
        when_text(moment, tz, date_only=date_only),
    )


def _viewer_aside(moment: dt.datetime, place: dt.tzinfo, viewer_tz: dt.tzinfo | None) -> str:
    """ "(Mon 7 Dec 2026, 06:00 your time, London)" when the viewer's clock differs from the place's, else ""."""
    viewer = viewer_tz or timezone.get_current_timezone()
    there = local(moment, viewer)
    if local(moment, place).utcoffset() == there.utcoffset():
        return ""
    return _("(%(when)s your time, %(place)s)") % {
        "when": date_format(there, "SHORT_DATETIME_FORMAT"),
        "place": zone_label(viewer),
    }


def _place(place_tz: str | dt.tzinfo | None) -> dt.tzinfo:
    return place_tz if isinstance(place_tz, dt.tzinfo) else zone(place_tz)


def appointment_html(
    moment: dt.datetime | None, place_tz: str | dt.tzinfo | None, viewer_tz: dt.tzinfo | None = None
) -> SafeString:
    """An appointment in its place's time, and in the viewer's beside it when they differ."""
    if moment is None:
        return SafeString("")
    place = _place(place_tz)
    main = when_html(moment, place)
    aside = _viewer_aside(moment, place, viewer_tz)
    return format_html('{} <span class="your-time">{}</span>', main, aside) if aside else main


def appointment_text(moment: dt.datetime, place_tz: str | dt.tzinfo | None, viewer_tz: dt.tzinfo | None = None) -> str:
    """`appointment_html` as plain text, for e-mails' text parts, SMS and PDFs."""
    place = _place(place_tz)
    main = when_text(moment, place)
    aside = _viewer_aside(moment, place, viewer_tz)
    return f"{main} {aside}" if aside else main


def time_text(moment: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """The time of day alone ("09:00"), for a grid whose day and place are said around it."""
    return date_format(local(moment, tz), "TIME_FORMAT")


def recipient_when(moment: dt.datetime, tz_name: str | None, language: str, *, date_only: bool = False) -> str:
    """For e-mails, SMS and PDFs: the instant in the recipient's timezone and language."""
    with translation.override(language):
        return when_text(moment, zone(tz_name), date_only=date_only)


def recipient_appointment(moment: dt.datetime, place_tz: str | None, viewer_tz: str | None, language: str) -> str:
    """For e-mails, SMS and PDFs: an appointment in its place's time (and the recipient's beside it)."""
    with translation.override(language):
        return appointment_text(moment, place_tz, zone(viewer_tz or place_tz))
