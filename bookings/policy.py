"""The cancellation policy engine: what a cancellation costs, and why, in integers.

Rules (docs/decisions.md#cancellation-rules, from the operator's terms of use):
- A policy has tiers: cancelled at least `days` calendar days before the first appointment (in
  the provider's timezone) → a fee of `fee_bps` basis points of the deposit. The platform
  default: 15+ days free, 8–14 days half, 0–7 days all; no-show all.
- An optional refund window: once `refund_window_days` calendar days have passed since payment,
  nothing is refunded ("No refund will be made 15 days after payment").
- Where rules overlap, the largest fee applies (the terms read literally).
- A legitimate reason (the doctor declines after examining the patient, a doctor finds the
  patient unfit to travel, force majeure, death) refunds everything, once its evidence is
  accepted. Until then the decision is pending; without accepted evidence the ordinary rules
  apply.
- refund = deposit − fee, so the two always add up to the deposit.

This module is pure: no database, no clock. Callers pass the facts and the moment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.money import Money, format_money
from core.when import day_month_text


class Reason(StrEnum):
    NONE = "none"
    DOCTOR_DECLINES = "doctor_declines"
    UNFIT_TO_TRAVEL = "unfit_to_travel"
    FORCE_MAJEURE = "force_majeure"
    DEATH = "death"


LEGITIMATE_REASONS = frozenset(Reason) - {Reason.NONE}

# For a legitimate reason, the evidence must reach the operator within two weeks of cancelling.
EVIDENCE_WINDOW = dt.timedelta(days=14)


class Evidence(StrEnum):
    NONE = "none"  # no legitimate reason claimed, or nothing received yet
    PENDING = "pending"  # received, not yet reviewed by the careteam, within the deadline
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LATE = "late"  # not accepted by the deadline: the ordinary rules apply


class Rule(StrEnum):
    LEGITIMATE_REASON = "legitimate_reason"
    EVIDENCE_PENDING = "evidence_pending"
    TIER = "tier"
    NO_SHOW = "no_show"
    REFUND_WINDOW = "refund_window"


@dataclass(frozen=True)
class Tier:
    days: int  # at least this many days before the first appointment
    fee_bps: int


@dataclass(frozen=True)
class PolicyTerms:
    """A cancellation policy as the engine reads it (the CancellationPolicy row's content)."""

    tiers: tuple[Tier, ...]  # any order; the tier with the largest `days` not above the delay applies
    no_show_fee_bps: int
    refund_window_days: int | None = None

    def __post_init__(self) -> None:
        if not self.tiers or min(t.days for t in self.tiers) != 0:
            raise ValueError("a policy needs a tier starting at 0 days so every delay has a fee")
        if any(not 0 <= t.fee_bps <= 10_000 for t in self.tiers) or not 0 <= self.no_show_fee_bps <= 10_000:
            raise ValueError("fees are basis points between 0 and 10000")

    def tier_for(self, days_before: int) -> Tier:
        return max((t for t in self.tiers if t.days <= days_before), key=lambda t: t.days)


PLATFORM_DEFAULT = PolicyTerms(
    tiers=(Tier(15, 0), Tier(8, 5_000), Tier(0, 10_000)), no_show_fee_bps=10_000, refund_window_days=15
)


@dataclass(frozen=True)
class Decision:
    fee: Money
    refund: Money
    rule: Rule
    explanation: str
    days_before: int
    days_since_payment: int
    final: bool  # False while evidence of a legitimate reason awaits review


def _local_date(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()


def decide(
    *,
    policy: PolicyTerms,
    deposit: Money,
    first_appointment: dt.date,
    tz: ZoneInfo,
    paid_at: dt.datetime,
    cancelled_at: dt.datetime,
    reason: Reason = Reason.NONE,
    evidence: Evidence = Evidence.NONE,
    no_show: bool = False,
) -> Decision:
    """What a cancellation at `cancelled_at` costs.

    1. Count calendar days in the provider's timezone: before the first appointment, and since
       payment.
    2. A legitimate reason with accepted evidence refunds everything.
    3. Otherwise gather every ordinary rule that applies (the tier for the delay, or the no-show
       fee; the refund window once it has passed) and keep the largest fee.
    4. With evidence still awaited, the decision is not final: it states what applies if the
       evidence is not accepted.
    """
    days_before = (first_appointment - _local_date(cancelled_at, tz)).days
    days_since_payment = (_local_date(cancelled_at, tz) - _local_date(paid_at, tz)).days
    facts = {"days_before": days_before, "days_since_payment": days_since_payment}

    if reason in LEGITIMATE_REASONS and evidence == Evidence.ACCEPTED:
        return Decision(
            fee=Money.zero(deposit.currency),
            refund=deposit,
            rule=Rule.LEGITIMATE_REASON,
            explanation=_("The whole deposit is refunded: the reason for cancelling (%(reason)s) was accepted.")
            % {"reason": reason_label(reason)},
            final=True,
            **facts,
        )

    candidates: list[tuple[int, Rule, str]] = []
    if no_show or days_before < 0:
        candidates.append(
            (policy.no_show_fee_bps, Rule.NO_SHOW, _("the patient did not come to the first appointment"))
        )
    else:
        tier = policy.tier_for(days_before)
        candidates.append(
            (
                tier.fee_bps,
                Rule.TIER,
                _("cancelled %(days)d days before the first appointment") % {"days": days_before},
            )
        )
    if policy.refund_window_days is not None and days_since_payment >= policy.refund_window_days:
        candidates.append(
            (
                10_000,
                Rule.REFUND_WINDOW,
                _("no refund is made %(window)d days or more after payment (here %(days)d)")
                % {"window": policy.refund_window_days, "days": days_since_payment},
            )
        )
    # The largest fee applies; on a tie, the first listed rule (the timing one) is named.
    fee_bps, rule, why = max(candidates, key=lambda c: c[0])
    fee = deposit.fee(fee_bps)
    refund = deposit - fee
    explanation = _("%(fee)s of the %(deposit)s deposit is kept and %(refund)s refunded: %(why)s.") % {
        "fee": format_money(fee, _language()),
        "deposit": format_money(deposit, _language()),
        "refund": format_money(refund, _language()),
        "why": why,
    }
    pending = reason in LEGITIMATE_REASONS and evidence == Evidence.PENDING
    if pending:
        explanation = (
            _("Awaiting the review of your evidence: if it is accepted, the whole deposit is refunded. Otherwise: ")
            + explanation
        )
    return Decision(
        fee=fee,
        refund=refund,
        rule=Rule.EVIDENCE_PENDING if pending else rule,
        explanation=explanation,
        final=not pending,
        **facts,
    )


@dataclass(frozen=True)
class SchedulePeriod:
    start: dt.date
    end: dt.date | None  # None: and later, including not coming
    fee: Money
    refund: Money


def schedule(
    *, policy: PolicyTerms, deposit: Money, first_appointment: dt.date, paid_on: dt.date
) -> list[SchedulePeriod]:
    """The cancellation schedule as concrete dates and amounts, for the payment and booking pages.

    Each day from payment to the first appointment falls in exactly one period; consecutive days
    with the same fee are merged. The last period also covers not coming.
    """
    periods: list[SchedulePeriod] = []
    day = paid_on
    while day <= first_appointment:
        decision = decide(
            policy=policy,
            deposit=deposit,
            first_appointment=first_appointment,
            tz=ZoneInfo("UTC"),
            paid_at=dt.datetime.combine(paid_on, dt.time(12), tzinfo=dt.UTC),
            cancelled_at=dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC),
        )
        if periods and periods[-1].fee == decision.fee:
            last = periods[-1]
            periods[-1] = SchedulePeriod(last.start, day, last.fee, last.refund)
        else:
            periods.append(SchedulePeriod(day, day, decision.fee, decision.refund))
        day += dt.timedelta(days=1)
    no_show = deposit.fee(policy.no_show_fee_bps)
    if periods and periods[-1].fee == no_show:
        last = periods[-1]
        periods[-1] = SchedulePeriod(last.start, None, last.fee, last.refund)
    else:
        periods.append(SchedulePeriod(first_appointment + dt.timedelta(days=1), None, no_show, deposit - no_show))
    return periods


def describe_schedule(periods: list[SchedulePeriod]) -> str:
    """ "until 3 March: full refund; 4–10 March: €250.00 kept; from 11 March or if you do not come: …"."""
    language = _language()
    parts = []
    for index, period in enumerate(periods):
        amount = (
            _("full refund")
            if period.fee.amount == 0
            else _("%(fee)s kept") % {"fee": format_money(period.fee, language)}
        )
        if index == 0 and period.end is not None:
            when = _("until %(end)s") % {"end": day_month_text(period.end)}
        elif period.end is None:
            when = _("from %(start)s or if you do not come") % {"start": day_month_text(period.start)}
        else:
            when = f"{day_month_text(period.start)}–{day_month_text(period.end)}"
        parts.append(f"{when}: {amount}")
    return "; ".join(parts)


def reason_label(reason: Reason) -> str:
    return {
        Reason.NONE: _("no particular reason"),
        Reason.DOCTOR_DECLINES: _("the doctor declined the care after examining the patient"),
        Reason.UNFIT_TO_TRAVEL: _("a doctor found the patient unfit to travel"),
        Reason.FORCE_MAJEURE: _("force majeure"),
        Reason.DEATH: _("death"),
    }[reason]


def _language() -> str:
    return get_language() or "en"
