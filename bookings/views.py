"""Booking pages: a patient's bookings and a booking's page (schedule, cancelling, evidence), the
provider's calendar, the careteam's evidence queue, and the .ics file of an appointment.

A patient sees only their bookings and a provider's members only their provider's: anyone else
gets 404, whether or not the booking exists.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import StaffGroup
from bookings import services
from bookings.aftercare_sections import pack_section
from bookings.forms import (
    CALENDAR_YEARS,
    CalendarPeriodForm,
    CancelForm,
    EvidenceForm,
    ProviderBookingFilterForm,
    ReviewForm,
)
from bookings.ics import appointment_ics
from bookings.policy import EVIDENCE_WINDOW, LEGITIMATE_REASONS
from bookings.selectors import (
    booking_cancellation_schedule,
    booking_care_name,
    booking_of_patient,
    booking_place,
    booking_visible_to,
    bookings_by_id,
    evidence_awaiting_review,
    patient_bookings,
    provider_appointments,
    provider_bookings_filtered,
)
from bookings.slots import offering_slot_choice, parse_start
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.hooks import booking_sections
from core.pages import run_service
from core.when import when_text
from documents.services import document_upload
from providers.selectors import offerings_public, provider_for_member
from providers.services.permissions import member_role


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
        {
            "appointment": a,
            "start": a.start.astimezone(tz),
            "end": a.end.astimezone(tz),
            "minutes": int((a.end - a.start).total_seconds() // 60),
        }
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
    return render_detail(request, _visible(request, booking_id))


def render_detail(request, booking, *, status: int = 200, pack_extra: dict[str, Any] | None = None) -> HttpResponse:
    """The booking's page for whoever may see it (`pack_extra`: what a discharge-pack post answers
    with, its form with errors or the link just made)."""
    now = timezone.now()
    # Each button of the page shows only when its service's own check allows it.
    actions = services.booking_actions(booking=booking, actor=request.user, now=now)
    is_patient = booking.patient_id == request.user.pk
    context = {
        "booking": booking,
        "actions": actions,
        "appointments": _local_appointments(booking),
        "schedule": booking_cancellation_schedule(booking=booking, now=now),
        "place": booking_place(booking=booking),
        "care": booking_care_name(booking=booking),
        # What cancelling now would keep and refund, shown before the final button.
        "cancel_quote": services.booking_cancel_quote(booking=booking, now=now) if actions["cancel"] else None,
        **(_reschedule_context(request, booking, now) if actions["reschedule"] else {}),
        "is_patient": is_patient,
        "is_member": member_role(user=request.user, provider=booking.provider) is not None,
        # What higher floors show the patient on their booking (concierge's add-ons), through the hook.
        "sections": _sections(booking, request.user.pk) if is_patient else [],
        "cancel_form": CancelForm() if actions["cancel"] else None,
        "evidence_form": EvidenceForm(owner=request.user) if actions["send_evidence"] else None,
        "evidence": list(booking.evidence.all()),
        # Aftercare: the discharge pack (bookings/aftercare_sections.py).
        "pack": pack_section(booking=booking, viewer=request.user, now=now, **(pack_extra or {})),
    }
    return render(request, "bookings/detail.html", context, status=status)


def _reschedule_context(request, booking, now) -> dict[str, Any]:
    """The free slots of the booking's offering to move to (the next ones, or the week picked), and
    the slot chosen (`move_to`) awaiting confirmation."""
    offering = booking.offering
    if offering is None:
        return {}
    context: dict[str, Any] = {"reschedule": offering_slot_choice(offering=offering, params=request.GET, now=now)}
    asked = request.GET.get("move_to")
    if asked:
        start = parse_start(asked)
        if start is None:
            context["move_error"] = _("This is not a time we offered: please pick one of the slots below.")
        else:
            context["move_to"] = start
    return context


def _sections(booking, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Every `(template_name, context)` pair the `booking_sections` receivers answer, in order."""
    return [pair for answer in booking_sections.call(booking_id=booking.pk, viewer_id=viewer_id) for pair in answer]


@login_required
@require_POST
@api_twin("api_booking_cancel")
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
@api_twin("api_booking_reschedule")
def reschedule(request, booking_id: int):
    """Move the booking's appointment to the slot chosen (the page asked to confirm first)."""
    booking = _visible(request, booking_id)
    start = parse_start(request.POST.get("start", ""))
    if start is None:
        messages.error(request, _("This is not a time we offered: please pick one of the slots shown."))
        return redirect("bookings:detail", booking.pk)
    run_service(
        request,
        lambda: services.booking_reschedule(booking=booking, actor=request.user, start=start, now=timezone.now()),
        _("Your appointment is moved."),
    )
    return redirect("bookings:detail", booking.pk)


def _back_to(request, default: str) -> str:
    """The page the slot button was on (a local path only), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_POST
@api_twin("api_booking_hold")
def hold(request, offering_id: int):
    """A slot button of the provider's page: hold the slot for the signed-in patient, then pay.

    Anonymous → sign in, then back to the page. A slot taken meanwhile, or anything the hold service
    refuses → back to the page with its message.
    """
    offering = offerings_public().select_related("provider").filter(pk=offering_id).first()
    if offering is None:
        raise Http404(_("No bookable offering has this number."))
    back = _back_to(request, reverse("providers:public", kwargs={"slug": offering.provider.slug}))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    start = parse_start(request.POST.get("start", ""))
    if start is None:
        messages.error(request, _("This is not a time we offered: please pick one of the slots shown."))
        return redirect(back)
    try:
        booking = services.booking_hold(patient=request.user, offering=offering, start=start, now=timezone.now())
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, _("This time is held for you while you pay the deposit."))
    return redirect("payments:pay", booking.pk)


@login_required
@require_POST
@api_twin("api_booking_evidence")
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


def _provider(request, provider_id: int):
    try:
        return provider_for_member(user=request.user, provider_id=provider_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def _calendar_link(kind: str, day: dt.date) -> str:
    value = day.strftime("%Y-%m") if kind == "month" else day.isoformat()
    return "?" + urlencode({kind: value})


@login_required
@require_GET
def provider_calendar(request, provider_id: int):
    """The provider's appointments of a week (`?week=2027-01-25`, by default this week) or a month
    (`?month=2027-01`), by day in each place's local time, with links to the periods around it.

    The period's days are the viewer's days; each appointment reads in its place's time (core.when).
    A date the form refuses is explained above this week's appointments.
    """
    provider = _provider(request, provider_id)
    now = timezone.now()
    viewer_tz = timezone.get_current_timezone()
    form = CalendarPeriodForm(request.GET)
    kind, first, following = form.period(timezone.localdate(now))
    appointments = provider_appointments(
        provider=provider, start=_day_start(first, viewer_tz), end=_day_start(following, viewer_tz)
    )
    # The lines read as values; the bookings themselves only for their buttons' checks, in one query.
    bookings = bookings_by_id(booking_ids={a.booking_id for a in appointments})
    rows: list[dict[str, Any]] = []
    for appointment in appointments:
        booking = bookings[appointment.booking_id]
        rows.append(
            {
                "appointment": appointment,
                "booking": booking,
                "day": appointment.start.astimezone(appointment.tz).date(),
                "actions": services.booking_actions(
                    booking=booking, actor=request.user, now=now, only=("complete", "no_show")
                ),
            }
        )
    days = [(day, list(items)) for day, items in itertools.groupby(rows, key=lambda r: r["day"])]
    if kind == "month":
        previous = (first - dt.timedelta(days=1)).replace(day=1)
        last = following - dt.timedelta(days=1)
    else:
        previous = first - dt.timedelta(days=7)
        last = following - dt.timedelta(days=1)
    low, high = CALENDAR_YEARS
    return render(
        request,
        "bookings/provider_calendar.html",
        {
            "provider": provider,
            "days": days,
            "form": form,
            "is_month": kind == "month",
            "first": first,
            "last": last,
            "previous": _calendar_link(kind, previous) if previous.year >= low else "",
            "next": _calendar_link(kind, following) if following.year <= high else "",
            "this_period": _calendar_link(kind, timezone.localdate(now)),
            "week_view": _calendar_link("week", first),
            "month_view": _calendar_link("month", first),
        },
    )


BOOKINGS_PER_PAGE = 25


def _filtered_bookings(request, provider):
    """The filter form (bound to the query string) and the bookings it selects (none when invalid)."""
    form = ProviderBookingFilterForm(request.GET, provider=provider)
    if not form.is_valid():
        return form, None
    bookings = provider_bookings_filtered(
        user=request.user, provider=provider, now=timezone.now(), **form.filters(timezone.get_current_timezone())
    )
    return form, bookings


@login_required
@require_GET
def provider_bookings(request, provider_id: int):
    """The provider's bookings as a list: upcoming, past, cancelled; filtered, paginated, with a CSV of
    the same rows."""
    provider = _provider(request, provider_id)
    form, bookings = _filtered_bookings(request, provider)
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(bookings if bookings is not None else [], BOOKINGS_PER_PAGE).get_page(request.GET.get("page"))
    tabs = []
    for value, label in form.fields["tab"].choices:
        tab_query = query.copy()
        tab_query["tab"] = value
        current = (form.cleaned_data.get("tab") or "upcoming") if form.is_valid() else ""
        tabs.append({"label": label, "query": tab_query.urlencode(), "current": value == current})
    return render(
        request,
        "bookings/provider_bookings.html",
        {"provider": provider, "form": form, "page": page, "query": query.urlencode(), "tabs": tabs},
    )


@login_required
@require_GET
def provider_bookings_csv(request, provider_id: int):
    """The filtered bookings (all pages) as CSV: the appointment in its place's local time, the status,
    the deposit in major units beside its currency."""
    provider = _provider(request, provider_id)
    form, bookings = _filtered_bookings(request, provider)
    if bookings is None:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(f"{reverse('bookings:provider_bookings', args=[provider.pk])}?{request.GET.urlencode()}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bookings-{provider.pk}-{timezone.now():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Booking"),
            _("Patient"),
            _("Offering"),
            _("Appointment (local time)"),
            _("Appointment (UTC)"),
            _("Status"),
            _("Deposit"),
            _("Currency"),
        ]
    )
    for booking in bookings:
        first = booking.first_start
        writer.writerow(
            [
                booking.pk,
                _csv_text(booking.patient.get_full_name()),
                _csv_text(booking.offering.title if booking.offering else _("From a quote")),
                when_text(first, booking.tz) if first else "",
                first.astimezone(dt.UTC).isoformat() if first else "",
                booking.get_status_display(),
                str(booking.deposit.to_decimal()),
                booking.currency,
            ]
        )
    return response


def _csv_text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (names are typed by people)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _close(request, booking_id: int, action, success_message: str):
    booking = _visible(request, booking_id)
    if member_role(user=request.user, provider=booking.provider) is None:
        raise Http404(_("You have no booking with this number."))
    run_service(request, lambda: action(booking=booking, actor=request.user, now=timezone.now()), success_message)
    return redirect("bookings:provider_calendar", booking.provider_id)


@login_required
@require_POST
@api_twin("api_booking_complete")
def complete(request, booking_id: int):
    return _close(request, booking_id, services.booking_complete, _("The booking is marked as completed."))


@login_required
@require_POST
@api_twin("api_booking_no_show")
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
        booking.evidence_review = services.booking_evidence_review_check(booking=booking, actor=request.user, now=now)
        # One form per booking on the page: ids must not repeat.
        booking.review_form = ReviewForm(auto_id=f"id_review_{booking.pk}_%s") if booking.evidence_review else None
    return render(request, "bookings/evidence_queue.html", {"bookings": bookings})


@login_required
@require_POST
@api_twin("api_booking_evidence_review")
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
