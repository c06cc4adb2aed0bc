"""One way to show an instant: every date and time a person reads goes through here.

Two kinds of instants, two rules (docs/decisions.md, "Time"):

- **Appointments** (a slot, a booking's first appointment, a transfer's pick-up) happen somewhere:
  they are shown in the place's own timezone, named ("09:00 Istanbul time"), and, when the viewer
  lives elsewhere, in the viewer's time beside it.
- **Deadlines and events** (pay by, a hold's end, a refund's date, a message sent) are shown in the
  viewer's own timezone: the one on their account, else the one their browser reported (the `tz`
  cookie set by static/js/timezone.js), else `settings.TIME_ZONE`. `ViewerTimezoneMiddleware`
  activates it for the request; e-mails and PDFs pass the recipient's.

The style is the active language's, through Babel and CLDR (core/locales.py): the full date and a
time ("Wednesday, 9 December 2026, 22:47"; "mercredi 9 décembre 2026, 22:47"; in Arabic
"الأربعاء، 9 ديسمبر 2026، 10:47 م"), a long date alone ("9 December 2026"), a short one beside a
place's time ("Wed, 9 Dec 2026, 06:00"). Every rendering carries the instant itself in ISO 8601 (the
`<time datetime>` attribute in HTML), so a reader (or a test) can check that two views of one instant
agree, and the HTML isolates it in a `<bdi>`, so a date keeps its own direction inside a sentence of
the other direction (an English date in Arabic text and the reverse).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_skeleton, format_time
from django.conf import settings
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.locales import babel_locale

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


@cache
def _cldr_names() -> dict[str, str]:
    """IANA name → the older name CLDR files a zone's city under ("Asia/Kolkata" → "Asia/Calcutta")."""
    return {new: old for old, new in get_global("zone_aliases").items()}


def zone_label(tz: dt.tzinfo) -> str:
    """A person's name for a timezone in the active language: its city as CLDR writes it there
    ("Istanbul", "Londres" in French, "إسطنبول" in Arabic), else the city of its IANA name
    ("Buenos Aires"), or "UTC"."""
    key = getattr(tz, "key", None) or str(tz)
    if "/" not in key:
        return key
    names = _locale().time_zones
    city = names.get(key, {}).get("city") or names.get(_cldr_names().get(key, ""), {}).get("city")
    return str(city) if city else key.rsplit("/", 1)[1].replace("_", " ")


def _locale() -> Locale:  # the active language's, for dates
    return babel_locale(translation.get_language(), for_dates=True)


def _time(value: dt.datetime | dt.time, loc: Locale) -> str:
    return format_time(value, loc.time_formats["short"], locale=loc)


def _joined(day: str, time: str, loc: Locale) -> str:
    return str(loc.datetime_formats["medium"]).replace("{1}", day).replace("{0}", time)


def date_text(value: dt.date) -> str:
    """A date in the active language, long style: "9 December 2026", "9 décembre 2026"."""
    loc = _locale()
    return format_date(value, "long", locale=loc)


def day_month_text(value: dt.date) -> str:
    """A day of a year said around it: "9 December", "9 décembre", "9. Dezember"."""
    loc = _locale()
    return format_skeleton("MMMMd", value, locale=loc)


def datetime_text(shown: dt.datetime) -> str:
    """A wall-clock date and time as it is (no conversion): "Wednesday, 9 December 2026, 22:47"."""
    loc = _locale()
    text = _joined(format_date(shown, "full", locale=loc), _time(shown, loc), loc)
    return text


def short_datetime_text(shown: dt.datetime) -> str:
    """The same, short, for a time beside another: "Wed, 9 Dec 2026, 06:00"."""
    loc = _locale()
    text = _joined(format_skeleton("yMMMEd", shown, locale=loc), _time(shown, loc), loc)
    return text


def clock_text(value: dt.datetime | dt.time) -> str:
    """A time of day as it is: "22:47" (English, French), "10:47 م" (Arabic)."""
    loc = _locale()
    return _time(value, loc)


def isolated(html: str) -> SafeString:
    """Safe HTML wrapped in `<bdi>`: its direction is its own, whatever the text around it."""
    return format_html("<bdi>{}</bdi>", SafeString(html))


def local(moment: dt.datetime, tz: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` (aware) in `tz`, or in the timezone active for this request."""
    return timezone.localtime(moment, tz or timezone.get_current_timezone())


def when_text(
    moment: dt.datetime, tz: dt.tzinfo | None = None, *, date_only: bool = False, with_zone: bool = True
) -> str:
    """Plain text in the active language: "Wednesday, 9 December 2026, 22:47 (Istanbul time)"."""
    shown = local(moment, tz)
    text = date_text(shown.date()) if date_only else datetime_text(shown)
    if date_only or not with_zone:
        return text
    return _("%(when)s (%(place)s time)") % {"when": text, "place": zone_label(shown.tzinfo or dt.UTC)}


def when_html(moment: dt.datetime | None, tz: dt.tzinfo | None = None, *, date_only: bool = False) -> SafeString:
    """`when_text` inside `<bdi><time datetime="…">` carrying the instant in UTC."""
    if moment is None:
        return SafeString("")
    return isolated(
        format_html(
            '<time datetime="{}">{}</time>',
            moment.astimezone(dt.UTC).isoformat(),
            when_text(moment, tz, date_only=date_only),
        )
    )


def _viewer_aside(moment: dt.datetime, place: dt.tzinfo, viewer_tz: dt.tzinfo | None) -> str:
    """ "(Mon, 7 Dec 2026, 06:00 your time, London)" when the viewer's clock differs from the place's, else ""."""
    viewer = viewer_tz or timezone.get_current_timezone()
    there = local(moment, viewer)
    if local(moment, place).utcoffset() == there.utcoffset():
        return ""
    return _("(%(when)s your time, %(place)s)") % {
        "when": short_datetime_text(there),
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
    return clock_text(local(moment, tz))


def recipient_when(moment: dt.datetime, tz_name: str | None, language: str, *, date_only: bool = False) -> str:
    """For e-mails, SMS and PDFs: the instant in the recipient's timezone and language."""
    with translation.override(language):
        return when_text(moment, zone(tz_name), date_only=date_only)


def recipient_appointment(moment: dt.datetime, place_tz: str | None, viewer_tz: str | None, language: str) -> str:
    """For e-mails, SMS and PDFs: an appointment in its place's time (and the recipient's beside it)."""
    with translation.override(language):
        return appointment_text(moment, place_tz, zone(viewer_tz or place_tz))
