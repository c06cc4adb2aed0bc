"""Reads for bookings: a provider's diary and a patient's bookings, in a fixed number of queries;
and which appointments take a provider's time (for the services' overlap checks and free slots)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User, name_as_written
from bookings.models import LIVE_STATUSES, Appointment, Booking, BookingStatus, CancellationPolicy, EvidenceReview
from bookings.policy import SchedulePeriod, describe_schedule, schedule
from core.errors import NotFound
from core.hooks import booking_care
from core.money import Money
from providers.models import Location, Provider, ProviderMember


def live_appointments_overlapping(
    *,
    provider_ids: Iterable[int],
    start: dt.datetime,
    end: dt.datetime,
    taking_time_at: dt.datetime | None = None,
) -> QuerySet[Appointment]:
    """Live appointments of these providers overlapping [start, end): the one overlap query.

    Without `taking_time_at`, every live appointment: what the services check before giving a
    provider's time (they release lapsed holds first; the exclusion constraint counts the same).
    With it, only those whose booking takes the time at that instant: awaiting its deposit or
    confirmed, or held with a hold that has not expired then (a lapsed hold frees the time even
    before `booking_expire_holds` runs). Free slots subtract these.
    """
    found = Appointment.objects.filter(provider_id__in=list(provider_ids), live=True, start__lt=end, end__gt=start)
    if taking_time_at is not None:
        found = found.filter(
            Q(booking__status__in=[BookingStatus.AWAITING_DEPOSIT, BookingStatus.CONFIRMED])
            | Q(booking__status=BookingStatus.HELD, booking__hold_expires_at__gt=taking_time_at)
        )
    return found


def busy_intervals(
    *, provider_ids: Iterable[int], start: dt.datetime, end: dt.datetime, now: dt.datetime | None = None
) -> list[tuple[int, dt.datetime, dt.datetime]]:
    """The `(provider_id, start, end)` times taken between `start` and `end` at `now` (default: the
    current time), by start, in one query. Answers `core.hooks.busy_intervals` (see `apps.py`)."""
    found = live_appointments_overlapping(
        provider_ids=provider_ids, start=start, end=end, taking_time_at=now or timezone.now()
    )
    return list(found.order_by("start").values_list("provider_id", "start", "end"))


@dataclass(frozen=True, slots=True)
class DiaryAppointment:
    """One line of a provider's diary: an appointment with what the diary shows of its booking,
    read as plain values (no model instance, no phone number parsed)."""

    id: int
    start: dt.datetime
    end: dt.datetime
    booking_id: int
    status: str
    timezone: str  # the booking's (IANA): the place's time the appointment reads in
    patient_name: str  # as `User.get_full_name()`: the profile's name as written, else the e-mail
    offering_title: str | None  # None for a booking made from a quote without an offering

    @property
    def status_label(self) -> str:
        return str(BookingStatus(self.status).label)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


_DIARY_COLUMNS = (
    "id",
    "start",
    "end",
    "booking_id",
    "booking__status",
    "booking__timezone",
    "booking__offering__title",
    "booking__patient__email",
    "booking__patient__patient_profile__id",
    "booking__patient__patient_profile__first_name",
    "booking__patient__patient_profile__last_name",
    "booking__patient__patient_profile__name_order",
)


def provider_appointments(*, provider: Provider, start: dt.datetime, end: dt.datetime) -> list[DiaryAppointment]:
    """The provider's live appointments starting in [start, end), by start time, in one query.

    Each is a `DiaryAppointment` built from the columns the diary shows (its booking's status and
    timezone, the patient's name, the offering's title), so listing them costs no further query and
    no model instance however many there are. An appointment is live while its booking holds the
    time; a lapsed hold stays live until `booking_expire_holds` runs.
    """
    rows = (
        Appointment.objects.filter(provider_id=provider.pk, live=True, start__gte=start, start__lt=end)
        .order_by("start", "id")
        .values_list(*_DIARY_COLUMNS)
    )
    return [
        DiaryAppointment(
            id=pk,
            start=starts,
            end=ends,
            booking_id=booking_id,
            status=status,
            timezone=tz_name,
            patient_name=email if profile_id is None else name_as_written(first, last, order),
            offering_title=title,
        )
        for pk, starts, ends, booking_id, status, tz_name, title, email, profile_id, first, last, order in rows
    ]


def bookings_by_id(*, booking_ids: Iterable[int]) -> dict[int, Booking]:
    """These bookings by id, with their provider and appointments (what their action checks read),
    in two queries. The caller chose the ids from a scoped read (`provider_appointments`)."""
    found = Booking.objects.filter(pk__in=list(booking_ids)).select_related("provider").prefetch_related("appointments")
    return {booking.pk: booking for booking in found}


def patient_bookings(*, patient: User) -> QuerySet[Booking]:
    """The patient's bookings, newest first, with offering, provider and appointments: two queries."""
    return (
        Booking.objects.filter(patient_id=patient.pk)
        .select_related("offering", "provider")
        .prefetch_related("appointments")
        .order_by("-created_at", "-id")
    )


# --- scoped reads for the booking pages and API ---------------------------------------------------


def _with_details(bookings: QuerySet[Booking]) -> QuerySet[Booking]:
    return bookings.select_related("offering__location", "provider", "patient", "cancellation_policy").prefetch_related(
        "appointments", "evidence__document"
    )


def booking_visible_to(*, user: User, booking_id: int) -> Booking:
    """The booking if `user` is its patient, a member of its provider or careteam; NotFound otherwise,
    whether or not it exists."""
    found = None
    if user.is_authenticated:
        visible = Q(patient_id=user.pk) | Q(provider__members__user_id=user.pk)
        if user.in_group(StaffGroup.CARETEAM):
            visible = Q()
        found = _with_details(Booking.objects.filter(visible)).filter(pk=booking_id).distinct().first()
    if found is None:
        raise NotFound(_("You have no booking with this number."))
    return found


def booking_of_patient(*, user: User, booking_id: int) -> Booking:
    """The patient's own booking; NotFound for anyone else's."""
    found = None
    if user.is_authenticated:
        found = _with_details(Booking.objects.filter(patient_id=user.pk, pk=booking_id)).first()
    if found is None:
        raise NotFound(_("You have no booking with this number."))
    return found


def provider_bookings(*, user: User, provider: Provider) -> QuerySet[Booking]:
    """The provider's bookings for one of its members (none for anyone else), next appointments first."""
    if not user.is_authenticated or not provider.members.filter(user_id=user.pk).exists():
        return Booking.objects.none()
    return _with_details(Booking.objects.filter(provider_id=provider.pk)).order_by("-created_at", "-id")


def evidence_awaiting_review() -> QuerySet[Booking]:
    """Cancelled bookings whose evidence awaits the careteam's review, oldest deadline first."""
    return (
        _with_details(Booking.objects.filter(evidence__status=EvidenceReview.PENDING))
        .distinct()
        .order_by("evidence_due_at", "pk")
    )


@dataclass(frozen=True)
class CancellationSchedule:
    periods: list[SchedulePeriod]
    summary: str
    if_paid_today: bool  # not paid yet: the dates assume payment today


def booking_cancellation_schedule(*, booking: Booking, now: dt.datetime) -> CancellationSchedule | None:
    """The booking's cancellation schedule as concrete dates and amounts in the provider's timezone,
    while it can still be cancelled; None otherwise."""
    appointments = sorted(booking.appointments.all(), key=lambda a: a.start)
    if not booking.is_live or not appointments:
        return None
    tz = booking.tz
    paid_on = (booking.paid_at or now).astimezone(tz).date()
    periods = schedule(
        policy=booking.cancellation_policy.terms,
        deposit=booking.deposit,
        first_appointment=appointments[0].start.astimezone(tz).date(),
        paid_on=paid_on,
    )
    return CancellationSchedule(periods, describe_schedule(periods), booking.paid_at is None)


def proposed_cancellation_schedule(
    *, policy_code: str, deposit: Money, first_appointment: dt.datetime, tz: dt.tzinfo, now: dt.datetime
) -> CancellationSchedule | None:
    """The schedule a booking not made yet would have if it were paid today (a quote's, before the
    patient accepts it): the policy in force now, in the place's timezone; None without a policy,
    a deposit or a date ahead."""
    policy = CancellationPolicy.objects.filter(code=policy_code, published_at__lte=now).order_by("-version").first()
    if policy is None or deposit.amount == 0 or first_appointment <= now:
        return None
    periods = schedule(
        policy=policy.terms,
        deposit=deposit,
        first_appointment=first_appointment.astimezone(tz).date(),
        paid_on=now.astimezone(tz).date(),
    )
    return CancellationSchedule(periods, describe_schedule(periods), if_paid_today=True)


def first_non_refundable_day(found: CancellationSchedule) -> dt.date | None:
    """The first day from which cancelling refunds nothing of the deposit (None if never)."""
    return next((period.start for period in found.periods if period.refund.amount == 0), None)


def first_fee_day(found: CancellationSchedule) -> dt.date | None:
    """The first day from which cancelling keeps some of the deposit (None if never)."""
    return next((period.start for period in found.periods if period.fee.amount > 0), None)


def booking_place(*, booking: Booking) -> Location | None:
    """Where the patient goes: the offering's location; for a booking made from a quote, the
    provider's location in the booking's timezone (else its first one)."""
    if booking.offering is not None:
        return booking.offering.location
    locations = list(Location.objects.filter(provider_id=booking.provider_id).order_by("pk"))
    return next((loc for loc in locations if loc.timezone == booking.timezone), None) or next(iter(locations), None)


def booking_care_name(*, booking: Booking) -> str:
    """What the booking is for: its offering's title, else what a higher floor answers through
    `core.hooks.booking_care` (a quote's procedure or subject), else ""."""
    if booking.offering is not None:
        return booking.offering.title
    answers = [answer for answer in booking_care.call(booking_id=booking.pk) if answer]
    return str(answers[0]) if answers else ""


# --- a provider's bookings list (the page, its CSV and the API) -------------------------------------

BOOKING_TABS = ("upcoming", "past", "cancelled", "all")


def provider_bookings_filtered(
    *,
    user: User,
    provider: Provider,
    now: dt.datetime,
    tab: str = "upcoming",
    status: str = "",
    offering_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    patient: str = "",
) -> QuerySet[Booking]:
    """The provider's bookings for one of its members (none for anyone else), by tab and filters.

    A booking's date is its first appointment's start (`first_start`, annotated). Tabs: "upcoming"
    (still holding its time, first appointment from `now` on: soonest first), "past" (completed, no-show,
    or live with its first appointment before `now`: latest first), "cancelled" (cancelled or
    expired: latest cancelled first), "all" (latest first). `start`/`end` bound `first_start` to
    [start, end); `patient` matches the patient's first or last name or e-mail, ignoring case.
    """
    bookings = provider_bookings(user=user, provider=provider).annotate(first_start=Min("appointments__start"))
    live = list(LIVE_STATUSES)
    ended = [BookingStatus.CANCELLED, BookingStatus.EXPIRED]
    if tab == "upcoming":
        bookings = bookings.filter(status__in=live, first_start__gte=now).order_by("first_start", "id")
    elif tab == "past":
        bookings = bookings.filter(
            Q(status__in=[BookingStatus.COMPLETED, BookingStatus.NO_SHOW]) | Q(status__in=live, first_start__lt=now)
        ).order_by("-first_start", "-id")
    elif tab == "cancelled":
        bookings = bookings.filter(status__in=ended).order_by("-cancelled_at", "-updated_at", "-id")
    else:
        bookings = bookings.order_by("-first_start", "-id")
    if status:
        bookings = bookings.filter(status=status)
    if offering_id is not None:
        bookings = bookings.filter(offering_id=offering_id)
    if start is not None:
        bookings = bookings.filter(first_start__gte=start)
    if end is not None:
        bookings = bookings.filter(first_start__lt=end)
    for word in patient.split():
        bookings = bookings.filter(
            Q(patient__patient_profile__first_name__icontains=word)
            | Q(patient__patient_profile__last_name__icontains=word)
            | Q(patient__email__icontains=word)
        )
    return bookings.select_related("patient__patient_profile")


@dataclass(frozen=True)
class CancellationCounts:
    """A provider's bookings whose deposit was paid, and how many of them its own members cancelled."""

    bookings: int
    cancelled_by_provider: int


def providers_cancellation_counts(*, provider_ids: list[int], since: dt.datetime) -> dict[int, CancellationCounts]:
    """For the published ranking, in one query: each provider's bookings created since `since`
    whose deposit was paid (the ones a cancellation breaks), and how many of them a member of
    the provider cancelled. A booking the patient or the careteam cancelled, or one that expired
    unpaid, is not the provider's doing. Providers without any are absent."""
    by_member = ProviderMember.objects.filter(provider_id=OuterRef("provider_id"), user_id=OuterRef("cancelled_by_id"))
    rows = (
        Booking.objects.filter(provider_id__in=provider_ids, created_at__gte=since, paid_at__isnull=False)
        .order_by()
        .values("provider_id")
        .annotate(
            n=Count("pk"),
            cancelled=Count("pk", filter=Q(Exists(by_member), status=BookingStatus.CANCELLED)),
        )
    )
    return {
        row["provider_id"]: CancellationCounts(bookings=row["n"], cancelled_by_provider=row["cancelled"])
        for row in rows
    }
