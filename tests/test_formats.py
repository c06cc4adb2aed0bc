"""Formats per locale (issue 17, part 3): dates, times and money through Babel in each of the site's
six languages, isolated for bidi in HTML; currencies with 0, 2 and 3 decimals; phone numbers typed
as they are dialled in a chosen country.

The expected words are CLDR's, read and checked by hand here, not produced by core.when or
core.money, so a change of style (or of Babel's data) shows up as a failing line.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from babel import Locale
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.forms import PatientDetailsForm, phone_problem
from accounts.models import NameOrder, PatientProfile, name_as_written
from core import when
from core.locales import babel_locale, numbering_system
from core.money import CURRENCY_EXPONENTS, Money, format_money, named_currency_choices
from providers.forms import OfferingForm
from providers.models import Offering
from storefront.filters import OfferingSearchFilter

MOMENT = dt.datetime(2026, 12, 9, 19, 47, tzinfo=dt.UTC)  # 22:47 in Istanbul
ISTANBUL = zoneinfo.ZoneInfo("Europe/Istanbul")
NNBSP, NBSP, RLM = "\u202f", "\u00a0", "\u200f"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_the_site_has_the_six_languages_these_tests_cover():
    assert sorted(LANGUAGES) == ["ar", "de", "en", "es", "fr", "ru"]


# --- dates and times ------------------------------------------------------------------------------

DATES = {
    # language: (date and time, date alone, short date and time, day and month, time of day)
    "en": ("Wednesday, 9 December 2026, 22:47", "9 December 2026", "Wed, 9 Dec 2026, 22:47", "9 December", "09:05"),
    "fr": ("mercredi 9 décembre 2026, 22:47", "9 décembre 2026", "mer. 9 déc. 2026, 22:47", "9 décembre", "09:05"),
    "ar": (
        "الأربعاء، 9 ديسمبر 2026، 10:47 م",
        "9 ديسمبر 2026",
        "الأربعاء، 9 ديسمبر 2026، 10:47 م",
        "9 ديسمبر",
        "9:05 ص",
    ),
    "es": (
        "miércoles, 9 de diciembre de 2026, 22:47",
        "9 de diciembre de 2026",
        "mié, 9 dic 2026, 22:47",
        "9 de diciembre",
        "9:05",
    ),
    "de": ("Mittwoch, 9. Dezember 2026, 22:47", "9. Dezember 2026", "Mi., 9. Dez. 2026, 22:47", "9. Dezember", "09:05"),
    "ru": (
        f"среда, 9 декабря 2026{NNBSP}г., 22:47",
        f"9 декабря 2026{NNBSP}г.",
        f"ср, 9 дек. 2026{NNBSP}г., 22:47",
        "9 декабря",
        "09:05",
    ),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_writes_dates_and_times_its_own_way(language):
    full, long, short, day_month, clock = DATES[language]
    local = MOMENT.astimezone(ISTANBUL)
    with translation.override(language):
        assert when.datetime_text(local) == full
        assert when.date_text(local.date()) == long
        assert when.short_datetime_text(local) == short
        assert when.day_month_text(local.date()) == day_month
        assert when.clock_text(dt.time(9, 5)) == clock
        # A deadline: the full date and time in the given zone, the zone named around it.
        assert when.when_text(MOMENT, ISTANBUL).startswith(full)


@pytest.mark.parametrize("language", ["xx", "", "klingon", "zz-ZZ", None])
def test_an_unknown_language_formats_as_english(language):
    assert babel_locale(language, for_dates=True) == Locale.parse("en_GB")
    assert babel_locale(language) == Locale.parse("en")
    with translation.override(language or "en"):
        assert when.date_text(dt.date(2026, 12, 9)) == "9 December 2026"


@pytest.mark.parametrize(
    ("language", "city"), [("en", "Istanbul"), ("fr", "Istanbul"), ("ar", "إسطنبول"), ("ru", "Стамбул")]
)
def test_a_timezone_is_named_by_its_city_in_the_language(language, city):
    with translation.override(language):
        assert when.zone_label(ISTANBUL) == city


def test_a_zone_cldr_files_under_an_older_name_is_named_too():
    with translation.override("ar"):
        assert when.zone_label(zoneinfo.ZoneInfo("America/Argentina/Buenos_Aires")) == "بوينوس أيرس"
    with translation.override("en"):
        assert when.zone_label(zoneinfo.ZoneInfo("UTC")) == "UTC"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_of_the_site_counts_in_latin_digits_as_cldr_says(language):
    """CLDR's default numbering system is Latin for all six (Arabic's `ar` included; `ar_EG` would
    be Arabic-Indic). Dates and money both follow it, so one page never mixes two kinds of digits."""
    assert numbering_system(babel_locale(language)) == "latn"
    assert numbering_system(babel_locale(language, for_dates=True)) == "latn"
    with translation.override(language):
        text = when.when_text(MOMENT, ISTANBUL) + format_money(Money(123456, "EUR"), language)
    assert re.search(r"[0-9]", text)
    assert not re.search(r"[\u0660-\u0669\u06f0-\u06f9]", text)


# --- bidi isolation -------------------------------------------------------------------------------


def test_an_instant_in_html_is_isolated_so_it_keeps_its_own_direction():
    with translation.override("ar"), timezone.override(ISTANBUL):
        html = str(when.when_html(MOMENT))
    assert html == (f'<bdi><time datetime="2026-12-09T19:47:00+00:00">{DATES["ar"][0]} (بتوقيت إسطنبول)</time></bdi>')


def test_every_date_tag_isolates_its_time_element_on_a_page_and_writes_plain_words_in_a_text_part():
    source = (
        "{% load when %}{% when moment %}|{% day moment %}|{% day birth %}|{% appointment moment 'Europe/Istanbul' %}"
        "|{% hour moment 'Europe/Istanbul' %}"
    )
    values = {"moment": MOMENT, "birth": dt.date(1990, 4, 12)}
    with translation.override("ar"), timezone.override(ISTANBUL):
        html = Template(source).render(Context(values))
        text = Template(source).render(Context(values, autoescape=False))
    parts = html.split("|")
    assert len(parts) == 5
    for part in parts:
        assert part.startswith("<bdi><time datetime="), part
        assert part.endswith("</time></bdi>"), part
    assert "<" not in text
    assert text.split("|")[2] == "12 أبريل 1990"


MONEY_TAGS = "{% load money %}{% money fee %}|{% money_of 12345 'KWD' %}|{% price offering %}"


class _Offering:
    price = Money(700000, "EUR")
    price_upper = Money(800000, "EUR")


def test_on_an_arabic_page_each_amount_is_isolated():
    with translation.override("ar"):
        html = Template(MONEY_TAGS).render(Context({"fee": Money(4500, "EUR"), "offering": _Offering()}))
    assert html == (
        f'<bdi class="money">{RLM}45.00{NBSP}€</bdi>'
        f'|<bdi class="money">{RLM}12.345{NBSP}د.ك.{RLM}</bdi>'
        f'|<bdi class="money">{RLM}7,000.00{NBSP}€</bdi> – <bdi class="money">{RLM}8,000.00{NBSP}€</bdi>'
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_left_to_right_page_and_every_text_part_write_amounts_as_plain_words(language):
    context = {"fee": Money(4500, "EUR"), "offering": _Offering()}
    with translation.override(language):
        html = Template(MONEY_TAGS).render(Context(context))
    with translation.override("ar"):
        text = Template(MONEY_TAGS).render(Context(context, autoescape=False))
    assert "<bdi" not in html
    assert html.split("|")[0] == {"en": "€45.00", "fr": f"45,00{NBSP}€"}[language]
    assert "<" not in text
    assert text.split("|")[0] == f"{RLM}45.00{NBSP}€"


# --- money: 0, 2 and 3 decimals in each language ----------------------------------------------------

MONEY = {
    # language: (JPY 1234567, EUR 12345.67, KWD 1234.567), as CLDR writes them
    "en": ("¥1,234,567", "€12,345.67", "KWD1,234.567"),
    "fr": (f"1{NNBSP}234{NNBSP}567{NBSP}JPY", f"12{NNBSP}345,67{NBSP}€", f"1{NNBSP}234,567{NBSP}KWD"),
    "ar": (f"{RLM}1,234,567{NBSP}JP¥", f"{RLM}12,345.67{NBSP}€", f"{RLM}1,234.567{NBSP}د.ك.{RLM}"),
    "es": (f"1.234.567{NBSP}JPY", f"12.345,67{NBSP}€", f"1.234,567{NBSP}KWD"),
    "de": (f"1.234.567{NBSP}¥", f"12.345,67{NBSP}€", f"1.234,567{NBSP}KWD"),
    "ru": (f"1{NBSP}234{NBSP}567{NBSP}¥", f"12{NBSP}345,67{NBSP}€", f"1{NBSP}234,567{NBSP}KWD"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_shows_zero_two_and_three_decimal_currencies_with_their_own_decimals(language):
    shown = tuple(format_money(Money(1234567, currency), language) for currency in ("JPY", "EUR", "KWD"))
    assert shown == MONEY[language]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("currency", ["KRW", "USD", "GBP", "TRY", "BHD", "OMR", "JOD", "TND"])
def test_every_currency_shows_exactly_its_decimals_in_every_language(language, currency):
    decimals = CURRENCY_EXPONENTS[currency]
    text = format_money(Money(10**decimals * 5, currency), language)  # five whole units
    digits = re.sub(r"[^0-9]", "", text)
    assert digits == "5" + "0" * decimals, text


# --- currencies a person picks ------------------------------------------------------------------------


def test_more_than_twenty_currencies_are_offered_named_in_the_page_s_language():
    with translation.override("fr"):
        choices = dict(named_currency_choices())
    assert len(choices) >= 20
    assert {"JPY", "KRW", "EUR", "USD", "BHD", "KWD", "OMR", "JOD", "TND"} <= set(choices)
    assert choices["JPY"] == "JPY — yen japonais"
    with translation.override("en"):
        assert dict(named_currency_choices())["KWD"] == "KWD — Kuwaiti Dinar"


@pytest.mark.django_db
def test_the_search_filter_the_offering_form_and_the_patient_s_details_offer_the_same_currencies():
    with translation.override("de"):
        offered = {
            "search": dict(OfferingSearchFilter(queryset=Offering.objects.none()).form.fields["currency"].choices),
            "offering": dict(OfferingForm.base_fields["currency"].choices),
            "patient": dict(PatientDetailsForm().fields["preferred_currency"].choices),
        }
    for where, choices in offered.items():
        codes = set(choices) - {""}
        assert codes == set(CURRENCY_EXPONENTS), where
        assert choices["JPY"] == "JPY — Japanischer Yen", where


# --- phone numbers as dialled in a chosen country ---------------------------------------------------


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [
        ("FR", "06 12 34 56 78", "+33612345678"),
        ("TR", "0532 123 45 67", "+905321234567"),
        ("GB", "020 7946 0958", "+442079460958"),
        ("fr", "06.12.34.56.78", "+33612345678"),
        ("TR", "+33 6 12 34 56 78", "+33612345678"),  # a number with + is read as it is, whatever the country
    ],
)
def test_a_national_number_is_read_in_the_chosen_country_and_kept_in_e164(country, typed, stored):
    form = PatientDetailsForm(data={"phone_country": country, "phone": typed})
    form.is_valid()
    assert "phone" not in form.errors, form.errors.get("phone")
    assert form.cleaned_data["phone"].as_e164 == stored


def test_a_national_number_without_a_country_is_asked_for_its_country_code():
    form = PatientDetailsForm(data={"phone": "06 12 34 56 78"})
    assert not form.is_valid()
    assert form.errors["phone"][0].startswith("Start with + and the country code")


def test_an_unknown_phone_country_is_refused_by_its_select_and_not_used_to_read_the_number():
    form = PatientDetailsForm(data={"phone_country": "ZZ", "phone": "06 12 34 56 78"})
    assert not form.is_valid()
    assert "phone_country" in form.errors
    assert form.errors["phone"][0].startswith("Start with + and the country code")


def test_a_national_number_too_short_for_its_country_says_so():
    assert phone_problem("06 12 34", "FR") == (
        "The number is too short for France (+33): check that no digit is missing."
    )


@pytest.mark.django_db
def test_my_account_reads_a_national_number_and_offers_the_stored_number_s_country(client, patient):
    client.force_login(patient)
    page = client.get(reverse("accounts_profile")).content.decode()
    assert '<option value="FR" selected>France (+33)</option>' in page

    profile = patient.patient_profile
    data = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "phone_country": "TR",
        "phone": "0532 123 45 67",
        "date_of_birth": profile.date_of_birth.isoformat(),
        "gender": profile.gender,
        "nationality": profile.nationality.code,
        "preferred_language": profile.preferred_language,
        "preferred_currency": profile.preferred_currency,
        "timezone": "",
    }
    response = client.post(reverse("accounts_profile"), data)

    assert response.status_code == 302
    assert str(PatientProfile.objects.get(user=patient).phone) == "+905321234567"


@pytest.mark.django_db
def test_the_api_reads_a_national_number_with_its_phone_country(api_as, patient):
    response = api_as(patient).patch(
        "/api/v1/account/profile/", {"phone": "06 98 76 54 32", "phone_country": "FR"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "+33698765432"
    assert "phone_country" not in response.json()
    assert str(PatientProfile.objects.get(user=patient).phone) == "+33698765432"


@pytest.mark.django_db
def test_the_api_refuses_a_national_number_without_its_country(api_as, patient):
    response = api_as(patient).patch("/api/v1/account/profile/", {"phone": "06 98 76 54 32"}, format="json")

    assert response.status_code == 400
    assert response.json()["details"]["phone"][0].startswith("Start with + and the country code")
    assert str(PatientProfile.objects.get(user=patient).phone) == "+33612345678"


# --- names in the order the person gave ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "order", "shown"),
    [
        ("Amelia", "Hughes", NameOrder.GIVEN_FIRST, "Amelia Hughes"),
        ("Wei", "Wang", NameOrder.FAMILY_FIRST, "Wang Wei"),
        ("Zoltán", "Kovács", NameOrder.FAMILY_FIRST, "Kovács Zoltán"),
        ("Madonna", "", NameOrder.GIVEN_FIRST, "Madonna"),
        ("", "Sukarno", NameOrder.FAMILY_FIRST, "Sukarno"),
    ],
)
def test_a_name_is_shown_in_the_order_the_person_gave(first, last, order, shown):
    assert name_as_written(first, last, order) == shown
    assert PatientProfile(first_name=first, last_name=last, name_order=order).full_name == shown


@pytest.mark.django_db
def test_a_patient_who_writes_the_family_name_first_reads_it_so_everywhere(client, patient):
    client.force_login(patient)
    profile = patient.patient_profile
    data = {
        "first_name": "Wei",
        "last_name": "Wang",
        "name_order": "family_first",
        "phone": str(profile.phone),
        "date_of_birth": profile.date_of_birth.isoformat(),
        "gender": profile.gender,
        "nationality": profile.nationality.code,
        "preferred_language": profile.preferred_language,
        "preferred_currency": profile.preferred_currency,
        "timezone": "",
    }

    response = client.post(reverse("accounts_profile"), data)

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.get_full_name() == "Wang Wei"
    assert patient.get_short_name() == "Wei"  # the given name, whatever the order
    page = client.get(reverse("accounts_profile")).content.decode()
    assert '<option value="family_first" selected>' in page


@pytest.mark.django_db
def test_the_api_reads_and_changes_the_name_order(api_as, patient):
    client = api_as(patient)
    assert client.get("/api/v1/account/profile/").json()["name_order"] == "given_first"

    response = client.patch("/api/v1/account/profile/", {"name_order": "family_first"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["name_order"] == "family_first"
    patient.refresh_from_db()
    profile = patient.patient_profile
    assert patient.get_full_name() == f"{profile.last_name} {profile.first_name}"


@pytest.mark.django_db
def test_an_unknown_name_order_is_refused_with_a_message(api_as, patient):
    response = api_as(patient).patch("/api/v1/account/profile/", {"name_order": "backwards"}, format="json")

    assert response.status_code == 400
    assert "name_order" in response.json()["details"]
    assert PatientProfile.objects.get(user=patient).name_order == "given_first"


@pytest.mark.django_db
def test_signing_up_through_the_api_reads_a_national_number_and_a_family_name_first(anonymous):
    from accounts.tests.test_signup import api_data

    body = api_data(phone="0532 123 45 67", phone_country="TR", first_name="Wei", last_name="Wang")
    body["name_order"] = "family_first"

    response = anonymous.post("/api/v1/auth/signup/", body, format="json")

    assert response.status_code == 201, response.json()
    profile = PatientProfile.objects.get(user__email="new.patient@example.test")
    assert str(profile.phone) == "+905321234567"
    assert profile.full_name == "Wang Wei"
