"""Sign-up on the page and through the API: the same rules, clear messages, nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Consent, PatientProfile, TermsAcceptance, User
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def signup_data(**overrides):
    data = {
        "email": "new.patient@example.test",
        "password1": "a-long-enough-passphrase",
        "password2": "a-long-enough-passphrase",
        "first_name": "Nadia",
        "last_name": "Haddad",
        "phone": "+33612345678",
        "date_of_birth": "1990-04-12",
        "gender": "female",
        "nationality": "LB",
        "preferred_language": "fr",
        "preferred_currency": "EUR",
        "accept_terms": "on",
        "accept_health_data": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def nothing_created():
    return (
        not User.objects.filter(email__iexact="new.patient@example.test").exists()
        and not PatientProfile.objects.exists()
        and not EmailAddress.objects.filter(email__iexact="new.patient@example.test").exists()
        and not TermsAcceptance.objects.exists()
        and len(mail.outbox) == 0
    )


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


# --- the page ---------------------------------------------------------------------------------


def test_signing_up_creates_the_patient_records_consent_and_sends_a_verification_email(client):
    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    user = User.objects.get(email="new.patient@example.test")
    profile = user.patient_profile
    assert (profile.first_name, profile.last_name, str(profile.phone)) == ("Nadia", "Haddad", "+33612345678")
    assert profile.date_of_birth == dt.date(1990, 4, 12)
    assert profile.nationality.code == "LB"
    acceptance = TermsAcceptance.objects.get(user=user)
    assert acceptance.terms_version.version == "2026-11"
    assert acceptance.accepted_at == TODAY
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "new.patient@example.test" in mail.outbox[0].to
    assert set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True)) == {
        "accounts.patient.registered",
        "accounts.terms.accepted",
        "accounts.consent.given",
    }
    # Terms and health data, each on its own row; no marketing unless ticked.
    assert sorted(Consent.objects.filter(user=user).values_list("purpose", "version", "withdrawn_at")) == [
        ("health_data", "2026-12", None),
        ("terms", "2026-11", None),
    ]


def test_the_health_data_consent_is_its_own_required_box_and_marketing_is_optional(client):
    refused = client.post(reverse("account_signup"), signup_data(accept_health_data=None))

    assert refused.status_code == 200
    assert "processing of your health data" in refused.context["form"].errors["accept_health_data"][0]
    assert nothing_created()
    assert not Consent.objects.exists()

    client.post(reverse("account_signup"), signup_data(accept_marketing="on"))
    user = User.objects.get(email="new.patient@example.test")
    assert set(Consent.objects.filter(user=user).values_list("purpose", flat=True)) == {
        "terms",
        "health_data",
        "marketing",
    }


def test_the_api_sign_up_refuses_without_the_health_data_consent(anonymous):
    response = anonymous.post("/api/v1/auth/signup/", api_data(accept_health_data=False), format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == ["accept_health_data"]
    assert nothing_created()


def test_a_new_account_cannot_sign_in_before_verifying_its_email(client):
    client.post(reverse("account_signup"), signup_data())
    client.logout()

    response = client.post(
        reverse("account_login"), {"login": "new.patient@example.test", "password": "a-long-enough-passphrase"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": "2010-01-01"}, "date_of_birth", "must be registered by a parent or legal guardian"),
        ({"date_of_birth": "2027-01-01"}, "date_of_birth", "cannot be in the future"),
        ({"date_of_birth": "12/04/1990"}, "date_of_birth", "Enter the date of birth as YYYY-MM-DD"),
        ({"phone": "06 12"}, "phone", "Start with + and the country code"),
        ({"accept_terms": None}, "accept_terms", "You must accept the terms of use"),
        ({"preferred_currency": "XXX"}, "preferred_currency", "Select a valid choice"),
    ],
)
def test_bad_input_on_the_page_is_explained_and_creates_nothing(client, overrides, field, message):
    response = client.post(reverse("account_signup"), signup_data(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in text for text in errors[field]), errors
    assert message in response.content.decode()
    assert nothing_created()


def test_an_email_already_used_gets_the_same_answer_as_a_new_one_on_the_page(client, patient):
    """Finding 13: the page told whether an address has an account. Now both get "check your e-mail",
    and only the owner of the address learns, by e-mail, that an account exists."""
    used = client.post(reverse("account_signup"), signup_data(email="ALICE@example.test"))
    client.cookies.clear()
    new = client.post(reverse("account_signup"), signup_data(email="someone.new@example.test"))

    assert used.status_code == new.status_code == 302
    assert used["Location"] == new["Location"]
    assert User.objects.filter(email__iexact="alice@example.test").count() == 1
    assert not PatientProfile.objects.filter(user__email__iexact="alice@example.test").exclude(user=patient).exists()
    to_alice = [message for message in mail.outbox if message.to == ["alice@example.test"]]
    assert len(to_alice) == 1
    assert "already" in to_alice[0].body.lower()


def test_a_minor_can_be_registered_by_a_legal_representative(client):
    response = client.post(
        reverse("account_signup"), signup_data(date_of_birth="2015-06-01", acts_as_representative="on")
    )

    assert response.status_code == 302
    profile = PatientProfile.objects.get(user__email="new.patient@example.test")
    assert profile.acts_as_representative is True


def test_turning_eighteen_today_is_of_age(client):
    response = client.post(reverse("account_signup"), signup_data(date_of_birth="2008-11-22"))

    assert response.status_code == 302


def test_the_day_before_the_eighteenth_birthday_is_still_a_minor(client):
    response = client.post(reverse("account_signup"), signup_data(date_of_birth="2008-11-23"))

    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors


# --- the API ----------------------------------------------------------------------------------


def api_data(**overrides):
    """The sign-up body of the API: booleans are JSON booleans."""
    return signup_data(**{"accept_terms": True, "accept_health_data": True, **overrides})


def test_signing_up_through_the_api_creates_the_same_records(anonymous):
    response = anonymous.post("/api/v1/auth/signup/", api_data(), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "new.patient@example.test"
    user = User.objects.get(email="new.patient@example.test")
    assert user.patient_profile.preferred_language == "fr"
    assert TermsAcceptance.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": "2012-03-03"}, "date_of_birth", "must be registered by a parent or legal guardian"),
        ({"phone": "not a phone"}, "phone", "Start with + and the country code"),
        ({"accept_terms": False}, "accept_terms", "You must accept the terms of use"),
        ({"password2": "something-else-entirely"}, "password2", "You must type the same password each time"),
    ],
)
def test_bad_input_through_the_api_gets_a_clear_error_and_creates_nothing(anonymous, overrides, field, message):
    response = anonymous.post("/api/v1/auth/signup/", api_data(**overrides), format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert message in body["message"]
    assert any(message in text for text in body["details"][field])
    assert nothing_created()


def test_an_email_already_used_gets_the_same_answer_and_no_second_account(anonymous, patient, mailoutbox):
    fresh = anonymous.post("/api/v1/auth/signup/", api_data(email="new@example.test"), format="json")
    used = anonymous.post("/api/v1/auth/signup/", api_data(email="alice@example.test"), format="json")

    assert used.status_code == fresh.status_code == 201
    assert used.json()["detail"] == fresh.json()["detail"]
    assert User.objects.filter(email__iexact="alice@example.test").count() == 1
    # The owner of the address is told that someone tried: the e-mail says so, the API does not.
    assert [m.to for m in mailoutbox][-1] == ["alice@example.test"]


def test_errors_come_in_the_language_asked_for(anonymous):
    response = anonymous.post(
        "/api/v1/auth/signup/", api_data(accept_terms=False), format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    assert response.status_code == 400
    assert "conditions d'utilisation" in response.json()["details"]["accept_terms"][0]


# --- the API's booleans are strict (security issue, finding 8) ----------------------------------


@pytest.mark.parametrize("value", ["no", "0", "off", "XXX", -1, 1, "true", "on", [], {}])
@pytest.mark.parametrize("field", ["accept_terms", "acts_as_representative"])
def test_anything_but_a_json_boolean_is_refused_naming_the_field(anonymous, field, value):
    response = anonymous.post("/api/v1/auth/signup/", api_data(**{field: value}), format="json")

    assert response.status_code == 400, response.json()
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "invalid"
    assert list(body["details"]) == [field]
    assert "true or false" in body["details"][field][0]
    assert nothing_created()


@pytest.mark.parametrize("field", ["accept_terms", "acts_as_representative"])
def test_a_json_null_is_not_a_boolean_either(anonymous, field):
    response = anonymous.post("/api/v1/auth/signup/", {**api_data(), field: None}, format="json")

    assert response.status_code == 400
    assert list(response.json()["details"]) == [field]
    assert nothing_created()


@pytest.mark.parametrize("value", ["no", "0", "off", "XXX", "-1", "on", "True", "1", ""])
def test_a_form_encoded_sign_up_takes_only_the_words_true_and_false(anonymous, value):
    response = anonymous.post("/api/v1/auth/signup/", signup_data(accept_terms=value, accept_health_data="true"))

    assert response.status_code == 400, response.json()
    assert list(response.json()["details"]) == ["accept_terms"]
    assert nothing_created()


def test_a_form_encoded_sign_up_with_true_is_accepted(anonymous):
    response = anonymous.post(
        "/api/v1/auth/signup/",
        signup_data(accept_terms="true", accept_health_data="true", acts_as_representative="false"),
    )

    assert response.status_code == 201, response.json()
    assert PatientProfile.objects.get().acts_as_representative is False
    assert TermsAcceptance.objects.count() == 1


def test_json_false_terms_are_refused_and_json_true_representative_is_recorded(anonymous):
    refused = anonymous.post("/api/v1/auth/signup/", api_data(accept_terms=False), format="json")
    assert refused.status_code == 400
    assert "You must accept the terms of use" in refused.json()["details"]["accept_terms"][0]

    accepted = anonymous.post(
        "/api/v1/auth/signup/", api_data(date_of_birth="2015-06-01", acts_as_representative=True), format="json"
    )
    assert accepted.status_code == 201, accepted.json()
    assert PatientProfile.objects.get().acts_as_representative is True


def test_a_body_that_is_not_an_object_is_a_clear_error(anonymous):
    response = anonymous.post("/api/v1/auth/signup/", [1, 2], format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_body"


# --- rate limits (security issue, finding 1) ------------------------------------------------------


def test_a_new_x_forwarded_for_on_each_api_sign_up_does_not_escape_the_throttle(anonymous):
    statuses = [
        anonymous.post(
            "/api/v1/auth/signup/",
            api_data(email=f"someone{n}@example.test", phone="bad"),
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(12)
    ]

    assert statuses[:10] == [400] * 10
    assert statuses[10:] == [429, 429]


def test_api_sign_ups_for_one_address_are_throttled_whatever_the_client_address(anonymous):
    statuses = [
        anonymous.post(
            "/api/v1/auth/signup/",
            api_data(email="New.Patient@example.test" if n % 2 else "new.patient@example.test", phone="bad"),
            format="json",
            REMOTE_ADDR=f"192.0.2.{n}",
        ).status_code
        for n in range(6)
    ]

    assert statuses == [400] * 5 + [429]


def test_sign_ups_on_the_page_for_one_address_are_limited_whatever_the_client_address():
    from django.test import Client

    responses = [
        Client(REMOTE_ADDR=f"192.0.2.{n}").post(reverse("account_signup"), signup_data(phone="bad")) for n in range(6)
    ]

    assert all(r.status_code == 200 for r in responses)
    assert "Too many sign-up attempts" not in responses[4].content.decode()
    assert "Too many sign-up attempts for this address" in responses[5].content.decode()
    assert nothing_created()


def test_sign_ups_on_the_page_are_limited_per_client_address_whatever_x_forwarded_for(client):
    statuses = [
        client.post(
            reverse("account_signup"),
            signup_data(email=f"someone{n}@example.test", phone="bad"),
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(21)
    ]

    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429


# --- issue 15, item 9: every error at once, passwords kept, phone messages that say what is wrong ---


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("+44 7700 900123", "This number is not in use in United Kingdom (+44): check the digits."),
        ("07700 900123", "Start with + and the country code, for example +44 for the United Kingdom"),
        ("+44 77", "The number is too short for United Kingdom (+44)"),
        ("+44 7700 900123 4567", "The number is too long for United Kingdom (+44)"),
        ("+999 1234", "The country code after + is not one we know"),
    ],
)
def test_a_wrong_phone_number_is_told_what_is_wrong_with_it(client, phone, message):
    response = client.post(reverse("account_signup"), signup_data(phone=phone))

    assert response.status_code == 200
    [shown] = response.context["form"].errors["phone"]
    assert shown.startswith(message), shown
    assert nothing_created()


def test_a_real_uk_number_with_spaces_is_accepted(client):
    response = client.post(reverse("account_signup"), signup_data(phone="+44 20 7946 0958"))

    assert response.status_code == 302
    assert str(User.objects.get(email="new.patient@example.test").patient_profile.phone) == "+442079460958"


def test_every_error_shows_at_once(client):
    """A wrong phone number used to hide the terms and the age rules until it was corrected."""
    response = client.post(
        reverse("account_signup"),
        signup_data(phone="+44 77", date_of_birth="2015-01-01", accept_terms=None, password2="another-passphrase"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"phone", "date_of_birth", "accept_terms", "password2"}, errors
    assert nothing_created()


def test_the_passwords_are_kept_when_the_page_comes_back_with_errors(client):
    response = client.post(reverse("account_signup"), signup_data(phone="+44 77"))

    page = response.content.decode()
    assert page.count('value="a-long-enough-passphrase"') == 2


def test_the_browser_timezone_is_kept_on_the_account(client):
    response = client.post(reverse("account_signup"), signup_data(timezone="Asia/Tokyo"))

    assert response.status_code == 302
    assert User.objects.get(email="new.patient@example.test").timezone == "Asia/Tokyo"


def test_an_unknown_timezone_is_ignored_and_the_account_still_made(client):
    response = client.post(reverse("account_signup"), signup_data(timezone="Mars/Olympus_Mons"))

    assert response.status_code == 302
    assert User.objects.get(email="new.patient@example.test").timezone == ""


def test_the_sign_up_page_asks_the_browser_for_its_timezone(client):
    page = client.get(reverse("account_signup")).content.decode()

    assert 'name="timezone"' in page
    assert "data-detect-timezone" in page


def test_the_api_keeps_the_timezone_given_at_sign_up(anonymous):
    response = anonymous.post("/api/v1/auth/signup/", api_data(timezone="Europe/London"), format="json")

    assert response.status_code == 201, response.json()
    assert User.objects.get(email="new.patient@example.test").timezone == "Europe/London"


def test_the_api_answers_every_sign_up_error_at_once(anonymous):
    response = anonymous.post(
        "/api/v1/auth/signup/", api_data(phone="+44 7700 900123", accept_terms=False), format="json"
    )

    assert response.status_code == 400
    details = response.json()["details"]
    assert details["phone"] == ["This number is not in use in United Kingdom (+44): check the digits."]
    assert "accept_terms" in details
