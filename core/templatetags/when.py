"""{% when deadline %} and {% appointment start tz %}: every date and time on a page (core/when.py)."""

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from core import when as formatter

register = template.Library()


@register.simple_tag
def when(moment: dt.datetime | None, tz: str | None = None) -> SafeString:
    """A deadline or an event, in the viewer's timezone (or in `tz` when the page names one)."""
    return formatter.when_html(moment, formatter.zone(tz) if tz else None)


@register.simple_tag
def day(moment: dt.datetime | dt.date | None, tz: str | None = None) -> SafeString:
    """A date alone: a `date` as it is, an instant as the day it falls on for the viewer (or in `tz`)."""
    if moment is None:
        return SafeString("")
    if not isinstance(moment, dt.datetime):
        return format_html('<time datetime="{}">{}</time>', moment.isoformat(), date_format(moment, "DATE_FORMAT"))
    return formatter.when_html(moment, formatter.zone(tz) if tz else None, date_only=True)


@register.simple_tag
def appointment(moment: dt.datetime | None, place_tz: str | None) -> SafeString:
    """An appointment in its place's time, with the viewer's own time beside it when it differs."""
    return formatter.appointment_html(moment, place_tz)
