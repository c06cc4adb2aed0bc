"""`concierge.pricing` at every edge: the interpreter's 2-hour minimum, 15-minute steps and reduced
rate beyond 8 hours per stay; rounding in 0-, 2- and 3-decimal currencies; transfer legs with their
wheelchair supplement; visa letters for the patient and up to two companions."""

from __future__ import annotations

import pytest

from concierge.pricing import (
    INTERPRETER_MAXIMUM_MINUTES,
    Line,
    Price,
    flat_price,
    interpreter_billed_minutes,
    interpreter_price,
    package_price,
    transfer_price,
    visa_letter_price,
)


@pytest.mark.parametrize(
    ("requested", "billed"),
    [
        (1, 120),
        (119, 120),  # 1 h 59 → the 2-hour minimum
        (120, 120),  # 2 h exactly
        (121, 135),  # 2 h 01 → 2 h 15
        (134, 135),
        (135, 135),
        (136, 150),
        (480, 480),  # 8 h exactly
        (481, 495),  # 8 h 01 → 8 h 15
        (600, 600),
        (INTERPRETER_MAXIMUM_MINUTES, INTERPRETER_MAXIMUM_MINUTES),
    ],
)
def test_interpreter_minutes_are_billed_in_quarter_hours_with_a_two_hour_minimum(requested, billed):
    assert interpreter_billed_minutes(requested) == billed


@pytest.mark.parametrize("minutes", [0, -1, -120])
def test_an_interpreter_for_no_time_or_negative_time_is_refused(minutes):
    with pytest.raises(ValueError, match="positive"):
        interpreter_billed_minutes(minutes)
    with pytest.raises(ValueError, match="positive"):
        interpreter_price(minutes=minutes, hourly=5_000, reduced_hourly=4_000, currency="EUR")


def test_more_interpreter_minutes_than_a_stay_can_hold_are_refused():
    with pytest.raises(ValueError, match="stay"):
        interpreter_price(minutes=INTERPRETER_MAXIMUM_MINUTES + 1, hourly=5_000, reduced_hourly=None, currency="EUR")


def _lines(price: Price) -> list[tuple[str, int, int, int]]:
    return [(line.label_key, line.quantity_hundredths, line.unit_amount, line.amount) for line in price.lines]


# EUR 50.00 an hour, 40.00 beyond 8 hours.
@pytest.mark.parametrize(
    ("minutes", "reduced", "lines", "total"),
    [
        (119, 4_000, [("interpreter_hours", 200, 5_000, 10_000)], 10_000),
        (120, 4_000, [("interpreter_hours", 200, 5_000, 10_000)], 10_000),
        (121, 4_000, [("interpreter_hours", 225, 5_000, 11_250)], 11_250),
        (480, 4_000, [("interpreter_hours", 800, 5_000, 40_000)], 40_000),
        (
            481,
            4_000,
            [("interpreter_hours", 800, 5_000, 40_000), ("interpreter_hours_reduced", 25, 4_000, 1_000)],
            41_000,
        ),
        (
            600,
            4_000,
            [("interpreter_hours", 800, 5_000, 40_000), ("interpreter_hours_reduced", 200, 4_000, 8_000)],
            48_000,
        ),
        # Without a reduced rate, every hour at the normal rate, on one line.
        (600, None, [("interpreter_hours", 1000, 5_000, 50_000)], 50_000),
        (481, None, [("interpreter_hours", 825, 5_000, 41_250)], 41_250),
    ],
)
def test_the_interpreter_is_charged_the_normal_rate_up_to_eight_hours_then_the_reduced_rate(
    minutes, reduced, lines, total
):
    price = interpreter_price(minutes=minutes, hourly=5_000, reduced_hourly=reduced, currency="EUR")
    assert price.currency == "EUR"
    assert _lines(price) == lines
    assert price.total == total


@pytest.mark.parametrize(
    ("currency", "hourly", "reduced", "minutes", "amounts"),
    [
        # JPY (0 decimals): ¥7,777 × 2.25 h = 17,498.25 → 17,498; × 0.25 h = 1,944.25 → 1,944.
        ("JPY", 7_777, 6_001, 135, [17_498]),
        ("JPY", 7_777, 6_001, 495, [62_216, 1_500]),  # 6,001 × 0.25 = 1,500.25 → 1,500
        ("JPY", 7_779, 6_002, 495, [62_232, 1_501]),  # 6,002 × 0.25 = 1,500.5 → 1,501 (half up)
        # EUR (2 decimals): 33.33 × 2.25 = 74.9925 → 74.99; 33.34 × 2.25 = 75.015 → 75.02 (half up).
        ("EUR", 3_333, 2_222, 135, [7_499]),
        ("EUR", 3_334, 2_222, 135, [7_502]),
        ("EUR", 3_333, 2_222, 495, [26_664, 556]),  # 22.22 × 0.25 = 5.555 → 5.56
        # KWD (3 decimals, charged in steps of 10 fils): 12.345 × 2.25 = 27.77625 → 27.780;
        # 12.343 × 2.25 = 27.77175 → 27.770 (one rounding, straight to the step).
        ("KWD", 12_345, 9_990, 135, [27_780]),
        ("KWD", 12_343, 9_990, 135, [27_770]),
        ("KWD", 12_340, 9_990, 120, [24_680]),
        ("KWD", 12_340, 9_998, 495, [98_720, 2_500]),  # 9.998 × 0.25 = 2.4995 → 2.500
        ("KWD", 12_340, 9_978, 495, [98_720, 2_490]),  # 9.978 × 0.25 = 2.4945 → 2.490
    ],
)
def test_interpreter_amounts_round_half_up_to_the_currencys_charge_step(currency, hourly, reduced, minutes, amounts):
    price = interpreter_price(minutes=minutes, hourly=hourly, reduced_hourly=reduced, currency=currency)
    assert [line.amount for line in price.lines] == amounts
    assert price.total == sum(amounts)
    if currency == "KWD":
        assert all(line.amount % 10 == 0 for line in price.lines)


@pytest.mark.parametrize(
    ("legs", "supplement", "lines"),
    [
        ([False], 1_500, [("transfer_legs", 100, 6_000, 6_000)]),
        ([False, False], 1_500, [("transfer_legs", 200, 6_000, 12_000)]),
        ([True], 1_500, [("transfer_legs", 100, 6_000, 6_000), ("transfer_wheelchair", 100, 1_500, 1_500)]),
        (
            [True, False, True],
            1_500,
            [("transfer_legs", 300, 6_000, 18_000), ("transfer_wheelchair", 200, 1_500, 3_000)],
        ),
        # A city without a wheelchair supplement charges the leg only.
        ([True, True], None, [("transfer_legs", 200, 6_000, 12_000)]),
        ([True], 0, [("transfer_legs", 100, 6_000, 6_000)]),
    ],
)
def test_a_transfer_is_priced_per_leg_plus_the_wheelchair_supplement_on_legs_that_need_it(legs, supplement, lines):
    price = transfer_price(wheelchair_legs=legs, per_leg=6_000, supplement=supplement, currency="EUR")
    assert _lines(price) == lines
    assert price.total == sum(line[3] for line in lines)


def test_a_transfer_without_a_leg_is_refused():
    with pytest.raises(ValueError, match="leg"):
        transfer_price(wheelchair_legs=[], per_leg=6_000, supplement=None, currency="EUR")


@pytest.mark.parametrize(("letters", "total"), [(1, 4_500), (2, 9_000), (3, 13_500)])
def test_visa_letters_are_priced_per_letter_for_the_patient_and_up_to_two_companions(letters, total):
    price = visa_letter_price(letters=letters, per_letter=4_500, currency="EUR")
    assert _lines(price) == [("visa_letters", letters * 100, 4_500, total)]
    assert price.total == total


@pytest.mark.parametrize("letters", [0, 4, -1])
def test_no_letter_or_more_than_three_letters_are_refused(letters):
    with pytest.raises(ValueError, match="companions"):
        visa_letter_price(letters=letters, per_letter=4_500, currency="EUR")


def test_careteam_assistance_is_one_line_at_its_fee():
    price = flat_price(label_key="careteam", amount=25_000, currency="THB")
    assert price.lines == (Line("careteam", "item", 100, 25_000, 25_000),)
    assert price.total == 25_000


def test_a_vip_package_is_the_sum_of_its_items_each_on_its_own_line():
    price = package_price(items=[("Hotel, 5 nights", 90_000), ("Insurance", 12_000)], currency="EUR")
    assert [(line.label, line.amount) for line in price.lines] == [("Hotel, 5 nights", 90_000), ("Insurance", 12_000)]
    assert price.total == 102_000


@pytest.mark.parametrize(
    ("language", "unit", "hundredths", "text"),
    [
        ("en", "hour", 225, "2 h 15"),
        ("en", "hour", 200, "2 h 00"),
        ("en", "leg", 200, "2"),
        ("en", "leg", 250, "2.5"),
        ("fr", "leg", 250, "2,5"),
        ("de", "leg", 1250, "12,5"),
    ],
)
def test_a_quantity_reads_as_the_language_writes_numbers(language, unit, hundredths, text):
    from django.utils import translation

    from concierge.labels import quantity_text

    with translation.override(language):
        assert quantity_text(unit, hundredths) == text
