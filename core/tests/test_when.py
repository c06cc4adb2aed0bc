"""One way to show an instant (core/when.py): the viewer's zone for deadlines, the place's for appointments."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from core import when
from core.middleware import ViewerTimezoneMiddleware

MOMENT = dt.datetime(2026, 12, 9, 15, 47, tzinfo=dt.UTC)
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def iso_of(html: str) -> dt.datetime:
    return dt.datetime.fromisoformat(re.search(r'datetime="([^"]+)"', html).group(1))


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        (TOKYO, "Thursday, 10 December 2026, 00:47 (Tokyo time)"),
        (LONDON, "Wednesday, 9 December 2026, 15:47 (London time)"),
    ],
)
def test_a_deadline_reads_in_the_viewers_zone_and_carries_the_instant(tz, expected):
    with translation.override("en"), timezone.override(tz):
        html = Template("{% load when %}{% when moment %}").render(Context({"moment": MOMENT}))
    assert expected in html
    assert iso_of(html) == MOMENT


def test_french_uses_the_same_style_in_french():
    with translation.override("fr"), timezone.override(LONDON):
        assert when.when_text(MOMENT).lower().startswith("mercredi 9 décembre 2026, 15:47")


def test_an_appointment_shows_the_place_time_and_the_viewers_beside_it():
    with translation.override("en"), timezone.override(LONDON):
        html = str(when.appointment_html(MOMENT, "Europe/Istanbul"))
    assert "18:47 (Istanbul time)" in html
    assert "15:47 your time, London" in html
    assert iso_of(html) == MOMENT


def test_an_appointment_in_the_viewers_own_zone_is_not_repeated():
    with translation.override("en"), timezone.override(zoneinfo.ZoneInfo("Europe/Istanbul")):
        html = str(when.appointment_html(MOMENT, "Europe/Istanbul"))
    assert "your time" not in html


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../../etc", "x" * 200, None])
def test_an_unknown_zone_falls_back_to_the_site_default(name, settings):
    assert when.valid_timezone(name) is None
    assert when.zone(name).key == settings.TIME_ZONE


def test_the_recipient_gets_their_own_zone_and_language():
    assert when.recipient_when(MOMENT, "Asia/Tokyo", "en") == "Thursday, 10 December 2026, 00:47 (Tokyo time)"


class _Anonymous:
    is_authenticated = False


class _Member:
    is_authenticated = True

    def __init__(self, tz: str) -> None:
        self.timezone = tz


def _zone_seen(request) -> str:
    seen = {}

    def view(_request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    ViewerTimezoneMiddleware(view)(request)
    return seen["zone"]


def test_the_middleware_prefers_the_account_then_the_browser_cookie():
    factory = RequestFactory()
    request = factory.get("/")
    request.user = _Member("Asia/Tokyo")
    request.COOKIES["tz"] = "Europe/London"
    assert _zone_seen(request) == "Asia/Tokyo"
    request.user = _Member("")
    assert _zone_seen(request) == "Europe/London"
    request.COOKIES["tz"] = "America%2FNew_York"  # as static/js/timezone.js writes it (encodeURIComponent)
    assert _zone_seen(request) == "America/New_York"
    request.user = _Anonymous()
    request.COOKIES["tz"] = "Not/AZone"
    assert _zone_seen(request) == "UTC"
    assert timezone.get_current_timezone_name() == "UTC"


def test_in_a_text_part_the_tags_write_plain_words_for_the_recipient():
    """E-mails' text parts and SMS are rendered without autoescaping: no <time> markup there."""
    source = "{% load when %}{% when moment %} | {% appointment moment 'Europe/Istanbul' %} | {% day moment %}"
    with translation.override("en"), timezone.override(TOKYO):
        text = Template(source).render(Context({"moment": MOMENT}, autoescape=False))
    assert text == (
        "Thursday, 10 December 2026, 00:47 (Tokyo time)"
        " | Wednesday, 9 December 2026, 18:47 (Istanbul time) (Thu, 10 Dec 2026, 00:47 your time, Tokyo)"
        " | 10 December 2026"
    )


def test_the_tags_feed_a_blocktranslate_through_as():
    source = "{% load i18n when %}{% when moment as date %}{% blocktranslate %}Due by {{ date }}{% endblocktranslate %}"
    with translation.override("en"), timezone.override(LONDON):
        html = Template(source).render(Context({"moment": MOMENT}))
    assert (
        html == 'Due by <bdi><time datetime="2026-12-09T15:47:00+00:00">'
        "Wednesday, 9 December 2026, 15:47 (London time)</time></bdi>"
    )


def test_an_hour_in_a_grid_is_the_place_s_time_of_day_or_a_time_as_it_is():
    source = "{% load when %}{% hour moment 'Asia/Tokyo' %}/{% hour opening %}"
    with translation.override("en"), timezone.override(LONDON):
        html = Template(source).render(Context({"moment": MOMENT, "opening": dt.time(9, 30)}))
    assert html == '<bdi><time datetime="2026-12-09T15:47:00+00:00">00:47</time></bdi>/09:30'
