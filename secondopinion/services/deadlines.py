"""The clock's consequences (docs/decisions.md "Second opinion"): alerts, the breach refund, an
acceptance that timed out, the follow-up window that closes, and the clock as pages show it.

The periodic services (`case_deadline_alerts`, `case_accept_timeouts`,
`case_follow_up_windows_close`) run every few minutes from `secondopinion.tasks`. Each is
idempotent and safe with two workers: an alert is claimed with a conditional update of its
timestamp (`alerted_75_at`, `alerted_due_at`, `breached_at`) and sent only by the worker whose
update changed the row; status changes go through `core.state.transition` under the row lock.

"Working hours" are `secondopinion.clock`'s: Monday to Friday without the public holidays of the
case's calendar (the chosen specialist's, else the coordinators'), pauses excluded.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from concierge.models import AddonOrder, AddonOrderStatus
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, DomainError
from core.money import Money, bps_share, charge_step
from core.state import transition
from core.when import when_text
from secondopinion import clock, notifications
from secondopinion.clock import WorkingCalendar
from secondopinion.models import (
    CLOCK_PAUSED_STATUSES,
    CLOCK_STATUSES,
    Candidate,
    CaseStatus,
    OpinionCase,
)
from secondopinion.selectors import case_calendar, case_pauses
from secondopinion.services.machine import CASE
from secondopinion.services.refunds import order_money_back
from secondopinion.services.timing import pause_open

logger = logging.getLogger(__name__)

# The clock runs (and can run late) in these statuses; in the others it is paused, stopped or not started.
RUNNING_STATUSES = CLOCK_STATUSES - CLOCK_PAUSED_STATUSES
ALERT_SHARE = 0.75
FOLLOW_UP_WINDOW = dt.timedelta(days=30)
ACCEPT_TIMEOUT_REASON = "no answer within %(hours)d working hours"
# A supplement order counts as paid for the opinion while its money has not gone back.
_PAID_ORDER_STATUSES = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED})


def _hours() -> int:
    return int(settings.SECOND_OPINION_HOURS)


def _share(case: OpinionCase, now: dt.datetime) -> float:
    if case.clock_started_at is None:
        return 0.0
    return clock.share_elapsed(
        start=case.clock_started_at, now=now, hours=_hours(), calendar=case_calendar(case), pauses=case_pauses(case)
    )


def _running(case_id: int) -> QuerySet[OpinionCase]:
    return OpinionCase.objects.filter(pk=case_id, status__in=RUNNING_STATUSES, due_at__isnull=False)


# --- the alerts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertRun:
    """What one run of `case_deadline_alerts` did."""

    alerted_75: int = 0
    alerted_due: int = 0
    refunded: int = 0


def case_deadline_alerts(*, now: dt.datetime) -> AlertRun:
    """For each case whose clock runs:

    1. at 75 % of the working time used, e-mail its coordinator (or every coordinator while nobody
       took it), once (`alerted_75_at`);
    2. at the deadline, alert them again, once (`alerted_due_at`; a case that reached its deadline
       without the 75 % alert gets only this one), and
    3. refund the breach to the patient (`case_breach_refund`), once; a refund that failed (Stripe
       unreachable) is tried again at the next run.
    """
    alerted_75 = alerted_due = refunded = 0
    cases = OpinionCase.objects.filter(
        Q(alerted_75_at__isnull=True) | Q(alerted_due_at__isnull=True) | Q(due_at__lte=now, breached_at__isnull=True),
        status__in=RUNNING_STATUSES,
        due_at__isnull=False,
        clock_started_at__isnull=False,
    )
    for case_id in cases.order_by("due_at", "pk").values_list("pk", flat=True):
        case = OpinionCase.objects.select_related("specialist").prefetch_related("pauses").get(pk=case_id)
        assert case.due_at is not None  # noqa: S101 -- selected on it
        late = now >= case.due_at
        if late and case.alerted_due_at is None:
            with transaction.atomic():
                claimed = _running(case.pk).filter(alerted_due_at__isnull=True).update(alerted_due_at=now)
                if claimed == 1:
                    _running(case.pk).filter(alerted_75_at__isnull=True).update(alerted_75_at=now)
                    notifications.notify_deadline_alert(case=case, stage="due", now=now)
                    alerted_due += 1
        elif not late and case.alerted_75_at is None and _share(case, now) >= ALERT_SHARE:
            with transaction.atomic():
                if _running(case.pk).filter(alerted_75_at__isnull=True).update(alerted_75_at=now) == 1:
                    notifications.notify_deadline_alert(case=case, stage="75", now=now)
                    alerted_75 += 1
        if late and case.breached_at is None and case_breach_refund_check(case=case, now=now).allowed:
            try:
                refunded += int(_breach_refund(case=case, now=now)[1])
            except DomainError:
                logger.exception(
                    "Second opinion #%s: the breach refund failed; it is tried again at the next run", case.pk
                )
    return AlertRun(alerted_75=alerted_75, alerted_due=alerted_due, refunded=refunded)


# --- the breach refund --------------------------------------------------------------------------------


def _paid_for_opinion(case: OpinionCase) -> list[tuple[AddonOrder, int]]:
    """The orders that paid for the opinion and what each still holds: the case's order (less a
    refund for a cheaper specialist), and a paid supplement for a dearer one."""
    paid: list[tuple[AddonOrder, int]] = []
    order = case.order
    if order is not None and order.paid_at is not None and order.amount and order.status in _PAID_ORDER_STATUSES:
        paid.append((order, order.amount - (case.choice_refund_amount or 0)))
    supplement = case.supplement_order
    if (
        supplement is not None
        and supplement.paid_at is not None
        and supplement.amount
        and supplement.status in _PAID_ORDER_STATUSES
    ):
        paid.append((supplement, supplement.amount))
    return [(order, amount) for order, amount in paid if amount > 0 and order.payment_intent_id]


def case_breach_refund_amount(*, case: OpinionCase) -> Money | None:
    """SECOND_OPINION_BREACH_REFUND_PERCENT % of what was paid for the opinion, rounded half up to
    the currency's minor unit (and Stripe's charge step); None when nothing was paid."""
    paid = _paid_for_opinion(case)
    if not paid:
        return None
    currency = paid[0][0].currency
    total = sum(amount for _order, amount in paid)
    bps = settings.SECOND_OPINION_BREACH_REFUND_PERCENT * 100
    return Money(bps_share(total, bps, step=charge_step(currency)), currency)


def case_breach_refund_check(*, case: OpinionCase, now: dt.datetime) -> Check:
    """May the breach be refunded now: the clock runs, the deadline has passed, the opinion is not
    delivered, the opinion was paid, and it was not refunded yet."""
    if case.breached_at is not None:
        return refuse(Conflict(_("The delay on this request was already refunded."), code="already_refunded"))
    if case.status not in RUNNING_STATUSES or case.delivered_at is not None:
        return refuse(Conflict(_("The clock of this request does not run."), code="clock_not_running"))
    if case.due_at is None or now < case.due_at:
        return refuse(Conflict(_("This request is not late."), code="not_late"))
    if case_breach_refund_amount(case=case) is None:
        return refuse(Conflict(_("This request has no payment to refund."), code="not_paid"))
    return ALLOWED


def case_breach_refund(*, case: OpinionCase, now: dt.datetime) -> OpinionCase:
    """Give SECOND_OPINION_BREACH_REFUND_PERCENT % of the price back to the patient's card, once per case.

    1. Claim the case with a conditional update of `breached_at` (another worker that got there
       first leaves nothing to do: the case is returned as it is).
    2. Refund the amount through Stripe from the case's order (and the supplement's payment for
       what the order's cannot cover), each with a key of our own (`opinion-breach:<case>`), so a
       retry never refunds twice.
    3. Take it out of the add-on income (`I:addon:second_opinion`), once per Stripe refund.
    4. Store the amount and the refund, audit (`secondopinion.case.breach_refunded`), tell the patient.

    A Stripe failure rolls the claim back: the next run tries again with the same keys.
    """
    return _breach_refund(case=case, now=now)[0]


def _breach_refund(*, case: OpinionCase, now: dt.datetime) -> tuple[OpinionCase, bool]:
    """`case_breach_refund`, and whether this call refunded (False when another got there first)."""
    with transaction.atomic():
        locked = (
            OpinionCase.objects.select_for_update(of=("self",))
            .select_related("order", "supplement_order")
            .get(pk=case.pk)
        )
        if locked.breached_at is not None:
            return locked, False
        case_breach_refund_check(case=locked, now=now).enforce()
        if OpinionCase.objects.filter(pk=locked.pk, breached_at__isnull=True).update(breached_at=now) != 1:
            locked.refresh_from_db()
            return locked, False
        amount = case_breach_refund_amount(case=locked)
        assert amount is not None  # noqa: S101 -- the check saw a payment
        left = amount.amount
        refund_ids: list[str] = []
        for position, (order, holds) in enumerate(_paid_for_opinion(locked)):
            part = min(left, holds)
            if part <= 0:
                break
            assert order.payment_intent_id is not None  # noqa: S101 -- `_paid_for_opinion` keeps paid orders only
            refund_ids.append(
                order_money_back(
                    order=order,
                    amount=part,
                    key=f"opinion-breach:{locked.pk}" if position == 0 else f"opinion-breach:{locked.pk}:{order.pk}",
                    actor=None,
                    now=now,
                    case_id=locked.pk,
                    purpose="opinion_breach",
                )
            )
            left -= part
        locked.breached_at = now
        locked.breach_refund_amount = amount.amount - left
        locked.breach_refund_id = refund_ids[0]
        locked.updated_at = now
        locked.save(update_fields=["breached_at", "breach_refund_amount", "breach_refund_id", "updated_at"])
        audit_record(
            actor=None,
            action="secondopinion.case.breach_refunded",
            target=locked,
            after={
                "amount": locked.breach_refund_amount,
                "currency": amount.currency,
                "percent": settings.SECOND_OPINION_BREACH_REFUND_PERCENT,
                "due_at": locked.due_at.isoformat() if locked.due_at else None,
                "refunds": refund_ids,
            },
            now=now,
        )
        notifications.notify_breach_refunded(case=locked, now=now)
    return locked, True


# --- the specialist's acceptance window ------------------------------------------------------------


def case_accept_timeouts(*, now: dt.datetime) -> int:
    """A chosen specialist who neither accepted nor declined by `accept_due_at` is taken as having
    declined: the case goes back to the shortlist (`declined_by_specialist`), the candidate is marked
    declined, the clock pauses for the patient's choice, and the patient and the coordinator are told.
    Returns how many cases timed out."""
    reason = ACCEPT_TIMEOUT_REASON % {"hours": settings.SECOND_OPINION_ACCEPT_HOURS}
    timed_out = 0
    due = OpinionCase.objects.filter(status=CaseStatus.SPECIALIST_CHOSEN, accept_due_at__lte=now)
    for case_id in due.order_by("accept_due_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                OpinionCase.objects.select_for_update()
                .filter(pk=case_id, status=CaseStatus.SPECIALIST_CHOSEN, accept_due_at__lte=now)
                .first()
            )
            if locked is None:
                continue  # accepted, declined or timed out by another worker meanwhile
            specialist = locked.specialist
            moved = transition(
                machine=CASE,
                instance=locked,
                locked=True,
                target=CaseStatus.DECLINED_BY_SPECIALIST,
                actor=None,
                action="secondopinion.case.accept_timed_out",
                now=now,
                reason=reason,
                # Back to the shortlist: nobody is chosen; the patient's next choice sets these again.
                fields={"specialist": None, "chosen_at": None, "accept_due_at": None},
                audit_after={"specialist": specialist.pk if specialist else None},
            )
            if not moved.changed:
                continue
            if specialist is not None:
                Candidate.objects.filter(case=locked, specialist=specialist, declined_at__isnull=True).update(
                    declined_at=now, decline_reason=reason
                )
            pause_open(case=moved.instance, reason="choice", now=now)
            notifications.notify_accept_timed_out(
                case=moved.instance, specialist_name=str(specialist) if specialist else "", now=now
            )
            timed_out += 1
    return timed_out


# --- the follow-up window ---------------------------------------------------------------------------


def case_follow_up_windows_close(*, now: dt.datetime) -> int:
    """Close the cases whose opinion was delivered more than 30 days ago and that have no follow-up
    question waiting for its answer. Returns how many were closed."""
    closed = 0
    due = OpinionCase.objects.filter(
        status=CaseStatus.OPINION_DELIVERED, delivered_at__lte=now - FOLLOW_UP_WINDOW
    ).exclude(follow_ups__answered_at__isnull=True, follow_ups__isnull=False)
    for case_id in due.order_by("delivered_at", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                OpinionCase.objects.select_for_update().filter(pk=case_id, status=CaseStatus.OPINION_DELIVERED).first()
            )
            if locked is None or locked.follow_ups.filter(answered_at__isnull=True).exists():
                continue
            moved = transition(
                machine=CASE,
                instance=locked,
                locked=True,
                target=CaseStatus.CLOSED,
                actor=None,
                action="secondopinion.case.closed",
                now=now,
                reason="the follow-up window of 30 days has ended",
                fields={"closed_at": now},
            )
            closed += int(moved.changed)
    return closed


# --- the clock as pages and the API show it ------------------------------------------------------------


@dataclass(frozen=True)
class ClockView:
    """A case's clock for a page or the API, its sentences in the active language.

    `state` is "not_started" (not paid yet), "running", "paused" (waiting for the patient),
    "stopped" (the opinion delivered, or the request ended) or "late" (running past `due_at`).
    `due_at` is UTC; `local_due_at` is the same moment in the calendar's timezone (`timezone`,
    named `timezone_city`), `viewer_due_at` in the viewer's when one was given.
    """

    state: str
    due_at: dt.datetime | None
    local_due_at: dt.datetime | None
    timezone: str
    timezone_city: str
    due_text: str
    hours_total: int
    hours_left: int
    share_used: float
    percent_used: int
    explanation: str
    note: str
    paused_for: str
    refund_percent: int
    refunded: Money | None
    viewer_timezone: str | None
    viewer_due_at: dt.datetime | None

    @property
    def not_started(self) -> bool:
        return self.state == "not_started"

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def paused(self) -> bool:
        return self.state == "paused"

    @property
    def stopped(self) -> bool:
        return self.state == "stopped"

    @property
    def late(self) -> bool:
        return self.state == "late"

    @property
    def due_at_iso(self) -> str:
        return self.due_at.astimezone(dt.UTC).isoformat() if self.due_at else ""


def _city(zone: str) -> str:
    try:
        return get_timezone_location(zone, locale=translation.get_language() or "en", return_city=True)
    except (LookupError, ValueError, UnknownLocaleError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")


def _country(code: str) -> str:
    try:
        return str(
            Locale.parse(translation.get_language() or "en", sep="-").territories.get(code.upper(), code.upper())
        )
    except (ValueError, UnknownLocaleError):
        return code.upper()


def _number_word(number: int) -> str:
    words = {
        1: _("one"),
        2: _("two"),
        3: _("three"),
        4: _("four"),
        5: _("five"),
        6: _("six"),
        7: _("seven"),
        8: _("eight"),
        9: _("nine"),
        10: _("ten"),
    }
    return words.get(number, str(number))


def _rule(hours: int, calendar: WorkingCalendar) -> str:
    """ "96 working hours — four working days, Monday to Friday without public holidays in France" """
    country = _country(calendar.country)
    if hours % 24 == 0:
        days = hours // 24
        return ngettext(
            "%(hours)d working hours — %(days)s working day, Monday to Friday without public holidays in %(country)s",
            "%(hours)d working hours — %(days)s working days, Monday to Friday without public holidays in %(country)s",
            days,
        ) % {"hours": hours, "days": _number_word(days), "country": country}
    return _("%(hours)d working hours, Monday to Friday without public holidays in %(country)s") % {
        "hours": hours,
        "country": country,
    }


def _when(moment: dt.datetime, zone: str, *, year: bool) -> str:
    """The one date style (core/when.py), in the clock's own timezone; the caller names the city."""
    return when_text(moment, ZoneInfo(zone), with_zone=False)


def _paused_for(case: OpinionCase) -> str:
    open_pause = next((p for p in case.pauses.all() if p.ended_at is None), None)
    if open_pause is not None and open_pause.reason in {"documents", "choice"}:
        return open_pause.reason
    return "documents" if case.status == CaseStatus.AWAITING_DOCUMENTS else "choice"


def _stopped_at(case: OpinionCase) -> dt.datetime | None:
    return case.delivered_at or case.withdrawn_at or case.closed_at


def case_clock_view(*, case: OpinionCase, now: dt.datetime, viewer_timezone: str | None = None) -> ClockView:
    """The clock of `case` at `now`: its state, deadline, what is left and the sentences to show."""
    hours = _hours()
    calendar = case_calendar(case)
    zone = calendar.timezone
    city = _city(zone)
    percent = settings.SECOND_OPINION_BREACH_REFUND_PERCENT
    rule = _rule(hours, calendar)
    paused = case.status in CLOCK_PAUSED_STATUSES or any(pause.ended_at is None for pause in case.pauses.all())
    if case.clock_started_at is None:
        state = "not_started"
    elif case.status not in CLOCK_STATUSES or case.delivered_at is not None:
        state = "stopped"
    elif paused:
        state = "paused"
    elif case.due_at is not None and now >= case.due_at:
        state = "late"
    else:
        state = "running"
    until = _stopped_at(case) if state == "stopped" else now
    used = (
        clock.worked(start=case.clock_started_at, now=until or now, calendar=calendar, pauses=case_pauses(case))
        if case.clock_started_at is not None
        else dt.timedelta()
    )
    left = max(dt.timedelta(hours=hours) - used, dt.timedelta())
    share = min(used / dt.timedelta(hours=hours), 1.0)
    due = case.due_at if state in {"running", "late"} else None
    if state == "stopped" and case.due_at is not None:
        due = case.due_at
    local = due.astimezone(ZoneInfo(zone)) if due is not None else None
    due_text = (
        _("%(when)s (%(city)s time)") % {"when": _when(due, zone, year=False), "city": city} if due is not None else ""
    )
    order = case.order
    refunded = (
        Money(case.breach_refund_amount, order.currency)
        if case.breach_refund_amount is not None and order is not None
        else None
    )

    note = ""
    paused_for = ""
    if state == "not_started":
        explanation = _("The clock starts when you pay: the opinion is then due within %(rule)s.") % {"rule": rule}
    elif state == "stopped":
        if case.delivered_at is not None:
            explanation = _("The opinion was delivered on %(when)s (%(city)s time).") % {
                "when": _when(case.delivered_at, zone, year=True),
                "city": city,
            }
        else:
            explanation = _("The clock has stopped: this request has ended.")
    elif state == "paused":
        paused_for = _paused_for(case)
        explanation = _(
            "%(rule)s — counted from your payment; %(left)d working hours are left. "
            "The clock stops while we wait for you."
        ) % {"rule": rule[:1].upper() + rule[1:], "left": math.ceil(left / dt.timedelta(hours=1))}
        note = (
            _("The clock is stopped while we wait for your documents.")
            if paused_for == "documents"
            else _("The clock is stopped while we wait for your choice.")
        )
    elif due is None:
        # Running, its deadline not computed yet (a case started outside the payment path): no date to promise.
        explanation = _("%(rule)s — counted from your payment. The clock stops while we wait for you.") % {
            "rule": rule[:1].upper() + rule[1:]
        }
    else:
        explanation = _(
            "Due by %(when)s (%(city)s time): %(rule)s — counted from your payment. "
            "The clock stops while we wait for you."
        ) % {"when": _when(due, zone, year=True), "city": city, "rule": rule}
        if state == "late":
            note = (
                _("Late: %(percent)d %% of the price has been refunded to your card.") % {"percent": percent}
                if case.breached_at is not None
                else _("Late: %(percent)d %% of the price will be refunded to your card.") % {"percent": percent}
            )
    viewer_due = due.astimezone(ZoneInfo(viewer_timezone)) if due is not None and viewer_timezone else None
    return ClockView(
        state=state,
        due_at=due.astimezone(dt.UTC) if due is not None else None,
        local_due_at=local,
        timezone=zone,
        timezone_city=city,
        due_text=due_text,
        hours_total=hours,
        hours_left=math.ceil(left / dt.timedelta(hours=1)),
        share_used=share,
        percent_used=math.floor(share * 100),
        explanation=explanation,
        note=note,
        paused_for=paused_for,
        refund_percent=percent,
        refunded=refunded,
        viewer_timezone=viewer_timezone,
        viewer_due_at=viewer_due,
    )
