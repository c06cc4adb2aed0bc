"""{% when deadline %}, {% day date %}, {% appointment start tz %}, {% hour slot tz %}: every date and
time a person reads (core/when.py).

On a page each renders `<bdi><time datetime="…">` (isolated: its direction is its own in a sentence
of the other direction); in a template rendered without autoescaping (the text
parts of an e-mail, an SMS) the same words as plain text. Each takes `as name` to feed a
{% blocktranslate %}. In an e-mail the "viewer" is the recipient: notifications.rendering activates
their timezone while rendering.
"""

import datetime as dt

from django import template
from django.template import Context
from django.utils.html import format_html

from core import when as formatter

register = template.Library()


def _zone(tz: str | dt.tzinfo | None) -> dt.tzinfo | None:
    if tz is None or tz == "":
        return None
    return tz if isinstance(tz, dt.tzinfo) else formatter.zone(tz)


@register.simple_tag(takes_context=True)
def when(context: Context, moment: dt.datetime | None, tz: str | None = None) -> str:
    """A deadline or an event, in the viewer's timezone (or in `tz` when the page names one)."""
    if not context.autoescape:
        return "" if moment is None else formatter.when_text(moment, _zone(tz))
    return formatter.when_html(moment, _zone(tz))


@register.simple_tag(takes_context=True)
def day(context: Context, moment: dt.datetime | dt.date | None, tz: str | None = None) -> str:
    """A date alone: a `date` as it is, an instant as the day it falls on for the viewer (or in `tz`)."""
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, dt.datetime):
        text = formatter.date_text(moment)
        if not context.autoescape:
            return text
        return formatter.isolated(format_html('<time datetime="{}">{}</time>', moment.isoformat(), text))
    if not context.autoescape:
        return formatter.when_text(moment, _zone(tz), date_only=True)
    return formatter.when_html(moment, _zone(tz), date_only=True)


@register.simple_tag(takes_context=True)
def appointment(context: Context, moment: dt.datetime | None, place_tz: str | None) -> str:
    """An appointment in its place's time, with the viewer's own time beside it when it differs."""
    if not context.autoescape:
        return "" if moment is None else formatter.appointment_text(moment, place_tz)
    return formatter.appointment_html(moment, place_tz)


@register.simple_tag(takes_context=True)
def hour(context: Context, moment: dt.datetime | dt.time | None, tz: str | None = None) -> str:
    """The time of day alone ("09:00", in `tz` or the viewer's), for a grid that names its day and place;
    a `time` (opening hours) as it is."""
    if moment is None:
        return ""
    if isinstance(moment, dt.time):
        return formatter.clock_text(moment)
    text = formatter.time_text(moment, _zone(tz))
    if not context.autoescape:
        return text
    return formatter.isolated(format_html('<time datetime="{}">{}</time>', moment.astimezone(dt.UTC).isoformat(), text))
