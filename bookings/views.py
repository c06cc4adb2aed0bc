"""Booking pages: a patient's bookings and a booking's page (schedule, cancelling, evidence), the
provider's calendar, the careteam's evidence queue, and the .ics file of an appointment.

A patient sees only their bookings and a provider's members only their provider's: anyone else
gets 404, whether or not the booking exists.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import StaffGroup
from bookings import services
from bookings.forms import CancelForm, EvidenceForm, ReviewForm
from bookings.ics import appointment_ics
from bookings.policy import EVIDENCE_WINDOW, LEGITIMATE_REASONS
from bookings.selectors import (
    booking_cancellation_schedule,
    booking_of_patient,
    booking_visible_to,
    evidence_awaiting_review,
    patient_bookings,
    provider_appointments,
)
from core.errors import NotFound
from core.hooks import booking_sections
from core.pages import run_service
from documents.services import document_upload
from providers.selectors import provider_for_member
from providers.services.permissions import member_role

CALENDAR_DAYS = 30


def _visible(request, booking_id: int):
    try:
        return booking_visible_to(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _own(request, booking_id: int):
    try:
        return booking_of_patient(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _local_appointments(booking) -> list[dict]:
    tz = booking.tz
    return [
        {"appointment": a, "start": a.start.astimezone(tz), "end": a.end.astimezone(tz)}
        for a in sorted(booking.appointments.all(), key=lambda a: a.start)
    ]


@login_required
@require_GET
def my_bookings(request):
    bookings = list(patient_bookings(patient=request.user))
    for booking in bookings:
        booking.local_appointments = _local_appointments(booking)
    return render(request, "bookings/list.html", {"bookings": bookings})


@login_required
@require_GET
def detail(request, booking_id: int):
    booking = _visible(request, booking_id)
    now = timezone.now()
    # Each button of the page shows only when its service's own check allows it.
    actions = services.booking_actions(booking=booking, actor=request.user, now=now)
    is_patient = booking.patient_id == request.user.pk
    context = {
        "booking": booking,
        "actions": actions,
        "appointments": _local_appointments(booking),
        "schedule": booking_cancellation_schedule(booking=booking, now=now),
        "is_patient": is_patient,
        "is_member": member_role(user=request.user, provider=booking.provider) is not None,
        # What higher floors show the patient on their booking (concierge's add-ons), through the hook.
        "sections": _sections(booking, request.user.pk) if is_patient else [],
        "cancel_form": CancelForm() if actions["cancel"] else None,
        "evidence_form": EvidenceForm(owner=request.user) if actions["send_evidence"] else None,
        "evidence": list(booking.evidence.all()),
    }
    return render(request, "bookings/detail.html", context)


def _sections(booking, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Every `(template_name, context)` pair the `booking_sections` receivers answer, in order."""
    return [pair for answer in booking_sections.call(booking_id=booking.pk, viewer_id=viewer_id) for pair in answer]


@login_required
@require_POST
def cancel(request, booking_id: int):
    booking = _visible(request, booking_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the reasons offered."))
        return redirect("bookings:detail", booking.pk)
    done = run_service(
        request,
        lambda: services.booking_cancel(
            booking=booking, actor=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
        ),
        _("The booking is cancelled."),
    )
    if done and form.cleaned_data["reason"] in LEGITIMATE_REASONS:
        messages.info(
            request,
            _("Please send your evidence within %(days)s days, from this page.") % {"days": EVIDENCE_WINDOW.days},
        )
    return redirect("bookings:detail", booking.pk)


@login_required
@require_POST
def evidence(request, booking_id: int):
    booking = _own(request, booking_id)
    form = EvidenceForm(request.POST, request.FILES, owner=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect("bookings:detail", booking.pk)

    def send():
        now = timezone.now()
        document = form.cleaned_data["document"] or document_upload(
            owner=request.user, upload=form.cleaned_data["file"], title=form.cleaned_data["title"], now=now
        )
        services.booking_submit_evidence(booking=booking, actor=request.user, document=document, now=now)

    run_service(request, send, _("Your evidence was sent. Our careteam will review it and tell you the outcome."))
    return redirect("bookings:detail", booking.pk)


@login_required
@require_GET
def appointment_calendar_file(request, booking_id: int, appointment_id: int):
    booking = _visible(request, booking_id)
    appointment = next((a for a in booking.appointments.all() if a.pk == appointment_id), None)
    if appointment is None:
        raise Http404(_("This booking has no such appointment."))
    appointment.booking = booking
    text = appointment_ics(appointment=appointment, domain=request.get_host().split(":")[0], now=timezone.now())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="appointment-{appointment.pk}.ics"'
    return response


# --- providers --------------------------------------------------------------------------------------


@login_required
@require_GET
def provider_calendar(request, provider_id: int):
    """The provider's appointments of the next 30 days (and today's past ones), by day in local time."""
    try:
        provider = provider_for_member(user=request.user, provider_id=provider_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    now = timezone.now()
    start = now - dt.timedelta(days=1)
    appointments = provider_appointments(provider=provider, start=start, end=now + dt.timedelta(days=CALENDAR_DAYS))
    rows: list[dict[str, Any]] = []
    for appointment in appointments:
        booking = appointment.booking
        local = appointment.start.astimezone(booking.tz)
        rows.append(
            {
                "appointment": appointment,
                "booking": booking,
                "start": local,
                "end": appointment.end.astimezone(booking.tz),
                "actions": services.booking_actions(
                    booking=booking, actor=request.user, now=now, only=("complete", "no_show")
                ),
            }
        )
    days = [(day, list(items)) for day, items in itertools.groupby(rows, key=lambda r: r["start"].date())]
    return render(request, "bookings/provider_calendar.html", {"provider": provider, "days": days})


def _close(request, booking_id: int, action, success_message: str):
    booking = _visible(request, booking_id)
    if member_role(user=request.user, provider=booking.provider) is None:
        raise Http404(_("You have no booking with this number."))
    run_service(request, lambda: action(booking=booking, actor=request.user, now=timezone.now()), success_message)
    return redirect("bookings:provider_calendar", booking.provider_id)


@login_required
@require_POST
def complete(request, booking_id: int):
    return _close(request, booking_id, services.booking_complete, _("The booking is marked as completed."))


@login_required
@require_POST
def no_show(request, booking_id: int):
    return _close(request, booking_id, services.booking_mark_no_show, _("The patient is recorded as not having come."))


# --- careteam ---------------------------------------------------------------------------------------


def _require_careteam(request) -> None:
    if not request.user.in_group(StaffGroup.CARETEAM):
        raise PermissionDenied(_("Only the careteam can review cancellation evidence."))


@login_required
@require_GET
def evidence_queue(request):
    _require_careteam(request)
    now = timezone.now()
    bookings = list(evidence_awaiting_review())
    for booking in bookings:
        booking.review = services.booking_evidence_review_check(booking=booking, actor=request.user, now=now)
        # One form per booking on the page: ids must not repeat.
        booking.review_form = ReviewForm(auto_id=f"id_review_{booking.pk}_%s") if booking.review else None
    return render(request, "bookings/evidence_queue.html", {"bookings": bookings})


@login_required
@require_POST
def evidence_review(request, booking_id: int):
    _require_careteam(request)
    booking = _visible(request, booking_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to accept or reject the evidence."))
        return redirect("bookings:evidence_queue")
    run_service(
        request,
        lambda: services.booking_review_evidence(
            booking=booking,
            actor=request.user,
            accepted=form.cleaned_data["accepted"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("The review is recorded."),
    )
    return redirect("bookings:evidence_queue")
