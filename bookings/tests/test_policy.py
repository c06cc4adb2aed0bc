"""The cancellation policy engine: the matrix of the terms, DST, integers that add up, the schedule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bookings.models import CancellationPolicy
from bookings.policy import (
    LEGITIMATE_REASONS,
    PLATFORM_DEFAULT,
    Evidence,
    PolicyTerms,
    Reason,
    Rule,
    Tier,
    decide,
    describe_schedule,
    schedule,
)
from core.money import CURRENCY_EXPONENTS, Money

PARIS = ZoneInfo("Europe/Paris")
DEPOSIT = Money(50_000, "EUR")  # €500.00
APPOINTMENT = dt.date(2027, 3, 18)

# The terms, as a table (docs/decisions.md#cancellation-rules): share of the deposit kept by timing alone...
KEPT_BY_DAYS_BEFORE = {30: 0, 15: 0, 14: 50, 8: 50, 7: 100, 0: 100, "no-show": 100}
# ...and whether "no refund 15 days after payment" applies.
REFUND_WINDOW_PASSED = {1: False, 14: False, 15: True, 16: True, 40: True}


def at_noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=PARIS)


def cancel(days_before, days_since_payment, reason=Reason.NONE, evidence=Evidence.NONE):
    no_show = days_before == "no-show"
    cancelled_on = APPOINTMENT + dt.timedelta(days=1) if no_show else APPOINTMENT - dt.timedelta(days=days_before)
    return decide(
        policy=PLATFORM_DEFAULT,
        deposit=DEPOSIT,
        first_appointment=APPOINTMENT,
        tz=PARIS,
        paid_at=at_noon(cancelled_on - dt.timedelta(days=days_since_payment)),
        cancelled_at=at_noon(cancelled_on),
        reason=reason,
        evidence=evidence,
        no_show=no_show,
    )


@pytest.mark.parametrize("days_before", list(KEPT_BY_DAYS_BEFORE))
@pytest.mark.parametrize("days_since_payment", list(REFUND_WINDOW_PASSED))
def test_without_a_reason_the_largest_applicable_fee_is_kept(days_before, days_since_payment):
    kept_percent = 100 if REFUND_WINDOW_PASSED[days_since_payment] else KEPT_BY_DAYS_BEFORE[days_before]

    decision = cancel(days_before, days_since_payment)

    assert decision.fee == Money(DEPOSIT.amount * kept_percent // 100, "EUR")
    assert decision.refund == DEPOSIT - decision.fee
    assert decision.final


@pytest.mark.parametrize("days_before", list(KEPT_BY_DAYS_BEFORE))
@pytest.mark.parametrize("days_since_payment", list(REFUND_WINDOW_PASSED))
@pytest.mark.parametrize("reason", sorted(LEGITIMATE_REASONS))
def test_a_legitimate_reason_with_accepted_evidence_refunds_everything_whatever_the_timing(
    days_before, days_since_payment, reason
):
    decision = cancel(days_before, days_since_payment, reason, Evidence.ACCEPTED)

    assert decision.fee == Money(0, "EUR")
    assert decision.refund == DEPOSIT
    assert decision.rule == Rule.LEGITIMATE_REASON


@pytest.mark.parametrize("days_before", list(KEPT_BY_DAYS_BEFORE))
@pytest.mark.parametrize("days_since_payment", list(REFUND_WINDOW_PASSED))
@pytest.mark.parametrize("reason", sorted(LEGITIMATE_REASONS))
@pytest.mark.parametrize("evidence", [Evidence.REJECTED, Evidence.LATE, Evidence.NONE])
def test_a_legitimate_reason_without_accepted_evidence_falls_back_to_the_ordinary_rules(
    days_before, days_since_payment, reason, evidence
):
    ordinary = cancel(days_before, days_since_payment)

    decision = cancel(days_before, days_since_payment, reason, evidence)

    assert (decision.fee, decision.refund, decision.rule) == (ordinary.fee, ordinary.refund, ordinary.rule)


def test_evidence_awaiting_review_gives_a_provisional_decision():
    decision = cancel(10, 3, Reason.UNFIT_TO_TRAVEL, Evidence.PENDING)

    assert not decision.final
    assert decision.rule == Rule.EVIDENCE_PENDING
    assert decision.fee == Money(25_000, "EUR")
    assert "if it is accepted, the whole deposit is refunded" in decision.explanation


def test_the_explanation_names_the_amounts_and_the_rule_in_words():
    decision = cancel(10, 3)

    assert decision.explanation == (
        "€250.00 of the €500.00 deposit is kept and €250.00 refunded: cancelled 10 days before the first appointment."
    )
    assert cancel(30, 20).rule == Rule.REFUND_WINDOW
    assert "no refund is made 15 days or more after payment (here 20)" in cancel(30, 20).explanation


def test_days_are_counted_on_the_providers_calendar_across_a_dst_change():
    # 28 March 2027 is the spring-forward Sunday in Paris. 22:30 UTC on 2 April is already
    # 3 April in Paris (UTC+2): 15 days before an appointment on 18 April, so free.
    appointment = dt.date(2027, 4, 18)
    late_evening_utc = dt.datetime(2027, 4, 2, 22, 30, tzinfo=dt.UTC)

    in_paris = decide(
        policy=PLATFORM_DEFAULT,
        deposit=DEPOSIT,
        first_appointment=appointment,
        tz=PARIS,
        paid_at=dt.datetime(2027, 3, 25, 9, tzinfo=dt.UTC),
        cancelled_at=late_evening_utc,
    )
    in_utc = decide(
        policy=PLATFORM_DEFAULT,
        deposit=DEPOSIT,
        first_appointment=appointment,
        tz=ZoneInfo("UTC"),
        paid_at=dt.datetime(2027, 3, 25, 9, tzinfo=dt.UTC),
        cancelled_at=late_evening_utc,
    )

    assert in_paris.days_before == 15
    assert in_paris.fee == Money(0, "EUR")
    assert in_utc.days_before == 16


def test_fees_in_a_three_decimal_currency_stay_chargeable():
    decision = decide(
        policy=PLATFORM_DEFAULT,
        deposit=Money(12_350, "KWD"),  # 12.350 KWD
        first_appointment=APPOINTMENT,
        tz=ZoneInfo("Asia/Kuwait"),
        paid_at=at_noon(APPOINTMENT - dt.timedelta(days=12)),
        cancelled_at=at_noon(APPOINTMENT - dt.timedelta(days=10)),
    )

    assert decision.fee.amount % 10 == 0
    assert decision.fee + decision.refund == Money(12_350, "KWD")


policies = st.builds(
    lambda cut, low, high, no_show, window: PolicyTerms(
        tiers=(Tier(cut, low), Tier(0, high)), no_show_fee_bps=no_show, refund_window_days=window
    ),
    st.integers(1, 60),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.none() | st.integers(0, 60),
)


@given(
    policy=policies,
    currency=st.sampled_from(sorted(CURRENCY_EXPONENTS)),
    amount=st.integers(0, 10**12),
    days_before=st.integers(-5, 400),
    days_since_payment=st.integers(0, 400),
    reason=st.sampled_from(list(Reason)),
    evidence=st.sampled_from(list(Evidence)),
)
def test_fee_and_refund_always_add_up_to_the_deposit(
    policy, currency, amount, days_before, days_since_payment, reason, evidence
):
    deposit = Money(amount, currency)
    cancelled = at_noon(APPOINTMENT - dt.timedelta(days=days_before))

    decision = decide(
        policy=policy,
        deposit=deposit,
        first_appointment=APPOINTMENT,
        tz=PARIS,
        paid_at=cancelled - dt.timedelta(days=days_since_payment),
        cancelled_at=cancelled,
        reason=reason,
        evidence=evidence,
    )

    assert decision.fee + decision.refund == deposit
    assert 0 <= decision.fee.amount <= deposit.amount


def test_the_schedule_gives_concrete_dates_and_amounts():
    periods = schedule(
        policy=PLATFORM_DEFAULT, deposit=DEPOSIT, first_appointment=APPOINTMENT, paid_on=dt.date(2027, 3, 1)
    )

    assert [(p.start, p.end, p.fee) for p in periods] == [
        (dt.date(2027, 3, 1), dt.date(2027, 3, 3), Money(0, "EUR")),
        (dt.date(2027, 3, 4), dt.date(2027, 3, 10), Money(25_000, "EUR")),
        (dt.date(2027, 3, 11), None, Money(50_000, "EUR")),
    ]
    assert describe_schedule(periods) == (
        "until 3 March: full refund; 4 March–10 March: €250.00 kept; from 11 March or if you do not come: €500.00 kept"
    )


def test_the_schedule_shows_the_refund_window_closing_before_the_tiers_do():
    periods = schedule(
        policy=PLATFORM_DEFAULT, deposit=DEPOSIT, first_appointment=APPOINTMENT, paid_on=dt.date(2027, 1, 10)
    )

    # Paid 67 days ahead: free until 24 January, then nothing is refunded (15 days after payment).
    assert [(p.start, p.end, p.fee.amount) for p in periods] == [
        (dt.date(2027, 1, 10), dt.date(2027, 1, 24), 0),
        (dt.date(2027, 1, 25), None, 50_000),
    ]


def test_a_policy_must_cover_every_delay():
    with pytest.raises(ValueError, match="tier starting at 0 days"):
        PolicyTerms(tiers=(Tier(15, 0),), no_show_fee_bps=10_000)


@pytest.mark.django_db
def test_the_platform_policies_are_published_and_the_default_matches_the_terms():
    stored = CancellationPolicy.objects.get(code="platform_default", version=1)

    assert stored.terms == PLATFORM_DEFAULT
    assert set(CancellationPolicy.objects.values_list("code", flat=True)) == {"platform_default", "flexible", "strict"}
