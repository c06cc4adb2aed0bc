"""An iCalendar (RFC 5545) file for one appointment, written by hand: one VEVENT, times in UTC.

Times in UTC (the `Z` form) need no VTIMEZONE block and every calendar shows them in its own
zone; the provider's timezone is named in the description for the patient's benefit.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from bookings.models import Appointment

PRODID = "-//MediBroker//Bookings//EN"


def _escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded with CRLF + space (RFC 5545 §3.1), never inside a character."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74  # continuation lines start with the space
        if len((current + char).encode()) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(*, appointment: Appointment, domain: str, now: dt.datetime) -> str:
    """The .ics text of `appointment` (its booking, offering, provider and location preloaded)."""
    booking = appointment.booking
    provider = booking.provider
    offering = booking.offering
    title = offering.title if offering is not None else _("Appointment")
    summary = f"{title} — {provider.name}"
    local = appointment.start.astimezone(booking.tz)
    description = _("Booking %(number)s. Local time at the provider: %(time)s (%(zone)s).") % {
        "number": booking.pk,
        "time": local.strftime("%Y-%m-%d %H:%M"),
        "zone": booking.timezone,
    }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.pk}@{domain}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(appointment.start)}",
        f"DTEND:{_utc(appointment.end)}",
        f"SUMMARY:{_escape(summary)}",
        f"DESCRIPTION:{_escape(description)}",
    ]
    if offering is not None:
        location = offering.location
        lines.append(f"LOCATION:{_escape(f'{location.name}, {location.address}, {location.city}')}")
    lines.append("STATUS:CONFIRMED" if booking.status == "confirmed" else "STATUS:TENTATIVE")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(_fold(line) + "\r\n" for line in lines)
