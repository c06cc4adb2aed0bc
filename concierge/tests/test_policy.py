"""The add-ons' refund policy (concierge.policy): every tier at its edges, table-driven."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from concierge.policy import (
    ItemFacts,
    LegFacts,
    OrderFacts,
    Rule,
    refund_at,
    schedule,
    split_by_weights,
)
from core.money import Money

ISTANBUL = ZoneInfo("Europe/Istanbul")
PARIS = ZoneInfo("Europe/Paris")
PICKUP = dt.datetime(2031, 3, 10, 9, 0, tzinfo=ISTANBUL)
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def transfer(*legs: tuple[dt.datetime, int], currency: str = "EUR", tz: ZoneInfo = ISTANBUL) -> OrderFacts:
    return OrderFacts(
        kind="transfer",
        paid=Money(sum(amount for _, amount in legs), currency),
        tz=tz,
        legs=tuple(LegFacts(pickup, amount) for pickup, amount in legs),
    )


@pytest.mark.parametrize(
    ("before", "refund"),
    [
        (72 * H, 9_000),
        (48 * H, 9_000),  # exactly 48 hours: still in full
        (47 * H + 59 * M, 4_500),  # 47:59: half
        (24 * H, 4_500),  # exactly 24 hours: still half
        (23 * H + 59 * M, 0),
        (M, 0),
        (-H, 0),  # after the pickup
    ],
)
def test_a_transfer_leg_is_refunded_by_how_long_before_its_pickup_it_is_cancelled(before, refund):
    decision = refund_at(transfer((PICKUP, 9_000)), PICKUP - before)

    assert decision.amount == Money(refund, "EUR")
    assert decision.rule == Rule.TRANSFER_TIERS


def test_a_transfer_refund_is_the_sum_over_its_legs_each_by_its_own_pickup():
    legs = ((PICKUP, 9_000), (PICKUP + 30 * H, 9_000), (PICKUP + 60 * H, 9_000))
    # 12 hours before the first: none, half, full.
    decision = refund_at(transfer(*legs), PICKUP - 12 * H)

    assert decision.amount == Money(4_500 + 9_000, "EUR")
    with translation.override("en"):
        assert "€135.00" in refund_at(transfer(*legs), PICKUP - 12 * H).explanation


@pytest.mark.parametrize(
    ("currency", "leg", "half"),
    [
        ("JPY", 9_001, 4_501),  # zero decimals, an odd yen: half up to the yen
        ("KWD", 12_350, 6_180),  # three decimals: 6.175 rounds to 6.180, a charge Stripe accepts
        ("KWD", 12_330, 6_170),  # 6.165 → 6.170
        ("EUR", 9_001, 4_501),
    ],
)
def test_half_of_an_odd_amount_is_rounded_to_the_currencys_charge_step(currency, leg, half):
    decision = refund_at(transfer((PICKUP, leg), currency=currency), PICKUP - 30 * H)

    assert decision.amount == Money(half, currency)


def test_the_transfer_tiers_count_elapsed_hours_across_a_daylight_saving_change():
    """Paris springs forward on 30 March 2031 at 02:00: from Friday 09:00 to Sunday 09:00 local is
    47 hours, so cancelling at Friday 09:00 local is already inside the half tier."""
    pickup = dt.datetime(2031, 3, 30, 9, 0, tzinfo=PARIS)  # Sunday, summer time
    facts = transfer((pickup, 10_000), tz=PARIS)

    friday_nine = dt.datetime(2031, 3, 28, 9, 0, tzinfo=PARIS)
    assert pickup.astimezone(dt.UTC) - friday_nine.astimezone(dt.UTC) == 47 * H
    assert refund_at(facts, friday_nine).amount == Money(5_000, "EUR")
    assert refund_at(facts, friday_nine - H).amount == Money(10_000, "EUR")  # 08:00 local: exactly 48 h


@pytest.mark.parametrize(
    ("before", "refund", "rule"),
    [
        (24 * H, 12_000, Rule.INTERPRETER_NOTICE),  # exactly 24 hours: in full
        (24 * H + M, 12_000, Rule.INTERPRETER_NOTICE),
        (23 * H + 59 * M, 0, Rule.INTERPRETER_LATE),  # later: billed in full
        (-H, 0, Rule.INTERPRETER_LATE),
    ],
)
def test_an_interpreter_is_refunded_in_full_24_hours_before_the_first_hour_and_billed_in_full_later(
    before, refund, rule
):
    facts = OrderFacts(kind="interpreter", paid=Money(12_000, "EUR"), tz=ISTANBUL, interpreting_starts_at=PICKUP)

    decision = refund_at(facts, PICKUP - before)

    assert (decision.amount, decision.rule) == (Money(refund, "EUR"), rule)


def test_an_interpreter_whose_hours_were_worked_is_not_refunded():
    facts = OrderFacts(kind="interpreter", paid=Money(12_000, "EUR"), tz=ISTANBUL, interpreting_starts_at=None)

    assert refund_at(facts, PICKUP - 100 * H).amount == Money(0, "EUR")


@pytest.mark.parametrize(("issued", "refund"), [(False, 5_000), (True, 0)])
def test_a_visa_letter_is_refunded_in_full_until_it_is_issued(issued, refund):
    facts = OrderFacts(kind="visa_letter", paid=Money(5_000, "EUR"), tz=ISTANBUL, letter_issued=issued)

    assert refund_at(facts, PICKUP).amount == Money(refund, "EUR")


def test_a_vip_package_refunds_each_refundable_item_not_booked_yet():
    items = (ItemFacts(100_000, True), ItemFacts(40_000, False), ItemFacts(25_000, True))
    facts = OrderFacts(kind="vip_concierge", paid=Money(165_000, "EUR"), tz=ISTANBUL, items=items)

    decision = refund_at(facts, PICKUP)

    assert decision.amount == Money(125_000, "EUR")
    assert decision.rule == Rule.PACKAGE_ITEMS


@pytest.mark.parametrize(("started", "refund"), [(False, 30_000), (True, 0)])
def test_careteam_assistance_is_refunded_in_full_until_the_careteam_starts(started, refund):
    facts = OrderFacts(kind="careteam", paid=Money(30_000, "EUR"), tz=ISTANBUL, work_started=started)

    assert refund_at(facts, PICKUP).amount == Money(refund, "EUR")


def test_an_unpaid_order_refunds_nothing():
    facts = OrderFacts(kind="transfer", paid=Money(0, "EUR"), tz=ISTANBUL, legs=(LegFacts(PICKUP, 0),))

    assert refund_at(facts, PICKUP - 100 * H).rule == Rule.NOT_PAID


def test_every_refund_comes_with_a_sentence_that_names_the_rule():
    with translation.override("en"):
        facts = OrderFacts(kind="interpreter", paid=Money(12_000, "EUR"), tz=ISTANBUL, interpreting_starts_at=PICKUP)
        assert "24 hours" in refund_at(facts, PICKUP - H).explanation
        letter = OrderFacts(kind="visa_letter", paid=Money(5_000, "EUR"), tz=ISTANBUL, letter_issued=True)
        assert "issued" in refund_at(letter, PICKUP).explanation


def test_a_transfers_schedule_shows_each_tier_as_a_moment_in_the_places_time_and_an_amount():
    facts = transfer((PICKUP, 9_000))

    with translation.override("en"):
        periods = schedule(facts, PICKUP - 100 * H)

    assert [(p.until, p.refund.amount) for p in periods] == [
        (PICKUP - 48 * H, 9_000),
        (PICKUP - 24 * H, 4_500),
        (None, 0),
    ]
    assert periods[0].label == "until Saturday, 8 March 2031, 09:00 (Istanbul time)"
    assert periods[2].label == "after Sunday, 9 March 2031, 09:00 (Istanbul time)"


def test_a_schedule_read_at_any_moment_agrees_with_the_refund_at_that_moment():
    legs = ((PICKUP, 9_000), (PICKUP + 30 * H, 7_001))
    facts = transfer(*legs, currency="JPY")
    now = PICKUP - 80 * H
    periods = schedule(facts, now)
    moment = now
    while moment < PICKUP + 40 * H:
        period = next(p for p in periods if p.until is None or moment <= p.until)
        assert period.refund == refund_at(facts, moment).amount, moment
        moment += 17 * M


def test_a_schedule_starts_at_the_tier_in_force_now():
    periods = schedule(transfer((PICKUP, 9_000)), PICKUP - 30 * H)

    assert [(p.until, p.refund.amount) for p in periods] == [(PICKUP - 24 * H, 4_500), (None, 0)]


def test_an_event_based_schedule_reads_until_the_event():
    facts = OrderFacts(kind="visa_letter", paid=Money(5_000, "EUR"), tz=ISTANBUL)

    with translation.override("en"):
        periods = schedule(facts, PICKUP)

    assert [(p.label, p.refund.amount) for p in periods] == [
        ("until the letter is issued", 5_000),
        ("once the letter is issued", 0),
    ]


@pytest.mark.parametrize(
    ("total", "weights", "currency", "parts"),
    [
        (27_000, [9_000, 9_000, 9_000], "EUR", [9_000, 9_000, 9_000]),
        (10_001, [1, 1], "JPY", [5_001, 5_000]),
        (12_350, [1, 1], "KWD", [6_180, 6_170]),  # each a multiple of 10 fils
    ],
)
def test_an_orders_price_is_shared_between_its_legs_in_charge_steps_adding_up_to_it(total, weights, currency, parts):
    assert split_by_weights(total, weights, currency) == parts
