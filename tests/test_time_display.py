"""One way to show time (issue 15, item 2).

1. Each page with a deadline, opened by a viewer whose account says Asia/Tokyo and by one in
   Europe/London: every `<time datetime>` on it reads as that instant in the viewer's own timezone
   (and an appointment in its place's, with the viewer's time beside it). The expected words are
   computed here from the stored instant with zoneinfo, not with core.when, so a wrong conversion
   in the formatter fails too.
2. A guard: no template formats a date by itself any more (`|date`, `|time`, `{% timezone %}`,
   `|timezone:`, `{% localtime off %}`); every date goes through {% when %}, {% day %},
   {% appointment %} or {% hour %}.
"""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.services import api_token_create
from bookings.tests.support import NOW, booked
from notifications.models import NotificationPreference
from providers.tests.factories import SpecialtyFactory
from secondopinion.models import CaseStatus
from secondopinion.tests.support_deadlines import case_at

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VIEWERS = {"Asia/Tokyo": "Tokyo", "Europe/London": "London"}
TIME = re.compile(r'<bdi><time datetime="([^"]+)">([^<]*)</time></bdi>(\s*<span class="your-time">([^<]*)</span>)?')


def english_datetime(moment: dt.datetime, zone: str) -> str:
    """British English's full date and short time in CLDR (core/when.py through Babel), computed independently."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A}, {local.day} {local:%B} {local.year}, {local:%H:%M}"


def english_date(day: dt.date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def times_on(page: str) -> list[tuple[str, str, str]]:
    """(datetime attribute, visible text, the viewer's-time note or "") of every <time> on the page,
    each isolated in its <bdi> (an isolated date keeps its own direction in text of the other)."""
    return [(m.group(1), unescape(m.group(2)), unescape(m.group(4) or "")) for m in TIME.finditer(page)]


def assert_in_viewer_zone(page: str, viewer_zone: str, *, appointments_in: str | None = None) -> int:
    """Every <time> on `page` is its instant in `viewer_zone` (an appointment: in `appointments_in`,
    with the viewer's time beside it). Returns how many were checked."""
    found = times_on(page)
    for attribute, text, your_time in found:
        if "T" not in attribute:  # a plain date (a birth date, a rate's date): shown as it is
            assert text == english_date(dt.date.fromisoformat(attribute)), (attribute, text)
            continue
        moment = dt.datetime.fromisoformat(attribute)
        assert moment.utcoffset() == dt.timedelta(0), attribute  # the attribute carries the instant in UTC
        if text.endswith(")") and "(" in text:
            when, place = text[:-1].rsplit(" (", 1)
            city = place.removesuffix(" time")
            if appointments_in is not None and city == appointments_in.rsplit("/", 1)[1]:
                assert when == english_datetime(moment, appointments_in), (attribute, text)
                local = moment.astimezone(ZoneInfo(viewer_zone))
                assert your_time.startswith(f"({local:%a}, {local.day} {local:%b} {local.year}, {local:%H:%M}"), (
                    attribute,
                    your_time,
                )
                assert your_time.endswith(f"your time, {VIEWERS[viewer_zone]})"), your_time
                continue
            assert city == VIEWERS[viewer_zone], (attribute, text)
            assert when == english_datetime(moment, viewer_zone), (attribute, text)
        else:  # an instant shown as a day: the day it is for the viewer
            assert text == english_date(moment.astimezone(ZoneInfo(viewer_zone)).date()), (attribute, text)
    return len(found)


@pytest.fixture(params=sorted(VIEWERS))
def viewer_zone(request):
    return request.param


def signed_in(client, user, zone: str):
    user.timezone = zone
    user.save(update_fields=["timezone"])
    client.force_login(user)
    return client


def test_a_second_opinion_s_due_date_reads_in_the_viewer_s_own_time(client, patient, viewer_zone):
    started = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    case = case_at(patient, SpecialtyFactory(code="cardiology"), started, status=CaseStatus.ACCEPTED)
    assert case.due_at is not None

    page = signed_in(client, patient, viewer_zone).get(reverse("secondopinion:patient_cases")).content.decode()

    assert assert_in_viewer_zone(page, viewer_zone) >= 1
    assert f'<time datetime="{case.due_at.astimezone(dt.UTC).isoformat()}">' in page


def test_an_api_token_s_dates_read_in_the_viewer_s_own_time(client, patient, viewer_zone):
    created = dt.datetime(2026, 12, 9, 15, 47, tzinfo=dt.UTC)  # 00:47 the next day in Tokyo
    with time_machine.travel(created, tick=False):
        api_token_create(user=patient, device="Amelia's phone", now=created)

        page = signed_in(client, patient, viewer_zone).get(reverse("accounts_api_tokens")).content.decode()

    assert assert_in_viewer_zone(page, viewer_zone) == 2  # created, expires (never used)
    local = created.astimezone(ZoneInfo(viewer_zone))
    assert f"{english_datetime(created, viewer_zone)} ({VIEWERS[viewer_zone]} time)" in unescape(page)
    assert (local.day == 10) is (viewer_zone == "Asia/Tokyo")


def test_an_sms_stop_reads_in_the_viewer_s_own_time(client, patient, viewer_zone):
    stopped = dt.datetime(2026, 12, 9, 15, 47, tzinfo=dt.UTC)
    NotificationPreference.objects.create(
        user=patient, email=True, sms=False, sms_opted_out_at=stopped, updated_at=stopped
    )

    page = signed_in(client, patient, viewer_zone).get(reverse("notifications:preferences")).content.decode()

    assert assert_in_viewer_zone(page, viewer_zone) == 1


@pytest.mark.parametrize("page_name", ["bookings:detail", "payments:pay"])
def test_a_booking_s_deadline_and_appointment_read_in_the_viewer_s_and_the_place_s_time(
    client, patient, viewer_zone, page_name
):
    with time_machine.travel(NOW, tick=False):
        booking = booked(patient)
        page = signed_in(client, patient, viewer_zone).get(reverse(page_name, args=[booking.pk])).content.decode()

    assert assert_in_viewer_zone(page, viewer_zone, appointments_in="Europe/Paris") >= 2
    assert f'<time datetime="{booking.deposit_due_at.astimezone(dt.UTC).isoformat()}">' in page


# --- the guard ------------------------------------------------------------------------------------

FORBIDDEN = re.compile(r"\|date\b|\|time\b|\|timezone:|\{%\s*timezone\s|\{%\s*localtime\s+off")


def templates() -> list[Path]:
    skip = {".venv", "node_modules", "locale", ".git", "var"}
    return [
        path
        for path in ROOT.rglob("*")
        if path.suffix in {".html", ".txt"}
        and "templates" in path.parts
        and not skip.intersection(path.relative_to(ROOT).parts)
    ]


def test_the_guard_finds_the_templates():
    names = {str(path.relative_to(ROOT)) for path in templates()}
    assert "templates/base.html" in names
    assert "bookings/templates/notifications/booking_confirmed/en/body.txt" in names


def test_no_template_formats_a_date_by_itself():
    offenders = []
    for path in templates():
        name = str(path.relative_to(ROOT))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{name}:{number}: {line.strip()[:120]}")
    assert offenders == [], "use {% when %}, {% day %}, {% appointment %} or {% hour %}:\n" + "\n".join(offenders)


def test_the_guard_would_catch_a_date_filter():
    for line in ('{{ booking.paid_at|date:"j F Y" }}', "{{ slot.start|time }}", "{% timezone tz %}x{% endtimezone %}"):
        assert FORBIDDEN.search(line), line
    assert not FORBIDDEN.search("{% when booking.paid_at %} {{ update|default:'' }}")
