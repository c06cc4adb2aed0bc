"""Exchange rates as the storefront loads and edits them: the reference-rates file and its
command, the demo seed, finance's admin, and the services that refresh the rates' cache."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from core.models import AuditEvent, ExchangeRate
from core.money import CURRENCY_EXPONENTS, Money
from core.rates import rates_on
from storefront.demo import REFERENCE_RATES_FILE, seed_rates

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_exchange_rates", *args, stdout=out)
    return out.getvalue()


def rates_file(tmp_path, text: str) -> str:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- loading rates ----------------------------------------------------------------------------

SHIPPED_CURRENCIES = 33
SHIPPED_DAYS = 10
SHIPPED_NOT_AVAILABLE = 1  # MAD on 18 November


def test_the_shipped_file_loads_every_rate_it_holds():
    output = load()

    assert ExchangeRate.objects.count() == SHIPPED_CURRENCIES * SHIPPED_DAYS - SHIPPED_NOT_AVAILABLE == 329
    assert ExchangeRate.objects.get(currency="USD", date=DAY).rate == Decimal("1.1500")
    assert ExchangeRate.objects.get(currency="KWD", date=DAY).rate == Decimal("0.35260")
    assert ExchangeRate.objects.get(currency="USD", date=DAY).source == "reference_rates.csv"
    assert "329 created, 0 updated, 0 unchanged" in output
    event = AuditEvent.objects.get(action="core.rates.loaded")
    assert event.actor_id is None
    assert event.after == {
        "source": "reference_rates.csv",
        "created": 329,
        "updated": 0,
        "unchanged": 0,
        "skipped": [],
    }


def test_the_shipped_file_leaves_out_accepted_currencies_so_some_prices_stay_unconverted():
    load()
    table = rates_on(day=DAY)

    assert {"VND", "UGX"} <= set(CURRENCY_EXPONENTS) - table.currencies
    assert table.convert(Money(2_500_000, "VND"), "EUR") is None


def test_a_day_without_a_rate_in_the_file_falls_back_to_the_day_before():
    load()

    assert not ExchangeRate.objects.filter(currency="MAD", date=dt.date(2026, 11, 18)).exists()
    assert rates_on(day=dt.date(2026, 11, 18)).rates["MAD"] == (Decimal("10.6254"), dt.date(2026, 11, 17))


def test_loading_the_same_file_twice_creates_and_changes_nothing_the_second_time():
    load()
    before = list(ExchangeRate.objects.values_list("pk", "currency", "date", "rate"))

    output = load(str(REFERENCE_RATES_FILE))

    assert "0 created, 0 updated, 329 unchanged" in output
    assert list(ExchangeRate.objects.values_list("pk", "currency", "date", "rate")) == before


def test_seeding_the_demo_loads_the_shipped_rates_and_can_run_again():
    first = seed_rates()
    second = seed_rates()

    assert (first.created, first.updated) == (329, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 329)


def test_a_rate_corrected_in_the_file_replaces_the_stored_one(tmp_path):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.1"), date=DAY, source="finance")

    output = load(rates_file(tmp_path, "date,currency,rate\n2026-11-20,USD,1.1523\n2026-11-20,GBP,0.8838\n"))

    assert "1 created, 1 updated, 0 unchanged" in output
    assert ExchangeRate.objects.get(currency="USD", date=DAY).rate == Decimal("1.1523")


def test_a_bad_rate_on_line_3_loads_nothing_and_names_the_line(tmp_path):
    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.1"), date=DAY)
    path = rates_file(tmp_path, "Date,USD,GBP,\n2026-11-20,1.1523,0.8838,\n2026-11-19,1.1520,-0.8836,\n")

    with pytest.raises(CommandError, match=r"Line 3: the rate of GBP, -0\.8836, must be more than zero"):
        load(path)

    assert list(ExchangeRate.objects.values_list("currency", "date", "rate")) == [("USD", DAY, Decimal("1.1"))]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency;rate\nUSD;1.1\n", "Line 1: the header “currency;rate” is neither"),
        ("Date,USD\n2026-11-20,1.15\n20/11/2026,1.15\n", "Line 3: “20/11/2026” is not a date written YYYY-MM-DD"),
        ("Date,USD\n2026-11-20,1.15\n2026-11-19,abc\n", "Line 3: the rate of USD, “abc”, is not a number"),
        ("date,currency,rate\n2026-11-20,USD,1.15\n2026-11-20,USD,0\n", "Line 3: the rate of USD, 0, must be more"),
        ("date,currency,rate\n2026-11-20,USD,1.15\n2026-11-20,usd,1.16\n", "Line 3: USD on 2026-11-20 was already"),
        ("Date,USD\n2026-11-20,1.15,0.88\n", "Line 2: 3 values for 2 columns"),
    ],
    ids=["unknown-layout", "bad-date", "not-a-number", "zero", "twice", "extra-value"],
)
def test_a_malformed_file_is_refused_with_the_line_and_loads_nothing(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        load(rates_file(tmp_path, text))

    assert not ExchangeRate.objects.exists()


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match=re.escape("Cannot read /nonexistent/rates.csv")):
        load("/nonexistent/rates.csv")


def test_currencies_we_do_not_accept_and_the_euro_are_skipped_and_reported(tmp_path):
    path = rates_file(tmp_path, "Date,USD,BGN,EUR,\n2026-11-20,1.1500,1.95583,1,\n2026-11-19,1.1520,N/A,1,\n")

    output = load(path)

    assert list(ExchangeRate.objects.values_list("currency", flat=True)) == ["USD", "USD"]
    assert "2 created" in output
    assert "Skipped BGN: not a currency we accept." in output
    assert "Skipped EUR: the euro is the base of the rates" in output
    assert "Values N/A or empty (no rate that day): 1." in output


# --- finance edits rates in the admin --------------------------------------------------------


def test_finance_may_change_exchange_rates_and_the_careteam_may_not(finance, careteam):
    assert finance.has_perms([f"marketplace.{p}_exchangerate" for p in ("add", "change", "view", "delete")])
    assert not careteam.has_perm("marketplace.change_exchangerate")


def test_finance_opens_the_exchange_rates_in_the_admin(client, finance):
    load()
    client.force_login(finance)

    response = client.get("/admin/marketplace/exchangerate/")

    assert response.status_code == 200
    assert "329 exchange rates" in response.text


def test_the_careteam_cannot_open_the_exchange_rates_in_the_admin(client, careteam):
    client.force_login(careteam)

    assert client.get("/admin/marketplace/exchangerate/").status_code == 403


def test_a_rate_finance_adds_in_the_admin_is_stored_and_audited(client, finance):
    client.force_login(finance)

    response = client.post(
        "/admin/marketplace/exchangerate/add/",
        {"currency": "VND", "date": "2026-11-20", "rate": "30512.5", "source": "bank quote"},
    )

    assert response.status_code == 302
    rate = ExchangeRate.objects.get(currency="VND", date=DAY)
    assert rate.rate == Decimal("30512.5")
    event = AuditEvent.objects.get(action="marketplace.rate.added")
    assert (event.actor_id, event.target_id) == (finance.pk, str(rate.pk))


def test_a_rate_of_zero_or_for_the_euro_is_refused_in_the_admin(client, finance):
    client.force_login(finance)

    response = client.post(
        "/admin/marketplace/exchangerate/add/", {"currency": "EUR", "date": "2026-11-20", "rate": "0", "source": ""}
    )

    assert response.status_code == 200
    assert "A rate is how many units one euro buys: more than zero." in response.text
    assert "Select a valid choice. EUR is not one of the available choices." in response.text
    assert not ExchangeRate.objects.exists()


@pytest.mark.django_db
def test_rates_are_read_from_the_cache_until_a_service_changes_them(
    django_assert_num_queries, django_capture_on_commit_callbacks, finance
):
    from django.utils import timezone

    from storefront.services import exchange_rate_save

    ExchangeRate.objects.create(currency="USD", rate=Decimal("1.15"), date=DAY)
    first = rates_on(day=DAY)
    with django_assert_num_queries(0):
        cached = rates_on(day=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        exchange_rate_save(
            rate=ExchangeRate(currency="GBP", rate=Decimal("0.88"), date=DAY), actor=finance, now=timezone.now()
        )

    assert cached == first
    assert rates_on(day=DAY).rates["GBP"] == (Decimal("0.88"), DAY)
