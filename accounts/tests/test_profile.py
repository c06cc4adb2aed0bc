"""My account (issue 15, item 7): the patient's details, the language and the timezone, on the page
and through the API, under the rules of sign-up."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import PatientProfile
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def profile_data(patient, **overrides):
    profile = patient.patient_profile
    data = {
        "first_name": profile.first_name,
        "last_name": profile.last_name,
        "phone": str(profile.phone),
        "date_of_birth": profile.date_of_birth.isoformat(),
        "gender": profile.gender,
        "nationality": profile.nationality.code,
        "preferred_language": profile.preferred_language,
        "preferred_currency": profile.preferred_currency,
        "timezone": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_my_account_in_the_header_opens_the_profile_with_the_email_pages_beside_it(client, patient):
    client.force_login(patient)

    page = client.get(reverse("accounts_profile")).content.decode()

    menu = page[page.index('data-testid="menu-account"') :]
    assert f'href="{reverse("accounts_profile")}">My account</a>' in menu
    assert f'value="{patient.patient_profile.first_name}"' in page
    for name in ("account_email", "account_change_password", "mfa_index"):
        assert f'href="{reverse(name)}"' in page


def test_a_patient_changes_names_phone_currency_and_timezone(client, patient):
    client.force_login(patient)

    response = client.post(
        reverse("accounts_profile"),
        profile_data(
            patient,
            first_name="Amelia",
            phone="+44 20 7946 0958",
            preferred_currency="GBP",
            timezone="Europe/London",
        ),
    )

    assert response.status_code == 302
    profile = PatientProfile.objects.get(user=patient)
    assert (profile.first_name, str(profile.phone), profile.preferred_currency) == ("Amelia", "+442079460958", "GBP")
    patient.refresh_from_db()
    assert patient.timezone == "Europe/London"
    event = AuditEvent.objects.get(action="accounts.profile.updated")
    assert set(event.after["fields"]) == {"first_name", "phone", "preferred_currency"}
    assert "Amelia" not in str(event.after)  # no personal detail copied into the audit log


def test_changing_the_language_switches_the_site_at_once(client, patient):
    client.force_login(patient)

    response = client.post(reverse("accounts_profile"), profile_data(patient, preferred_language="fr"), follow=True)

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    assert '<html lang="fr"' in response.content.decode()
    assert PatientProfile.objects.get(user=patient).preferred_language == "fr"


def test_bad_details_are_all_explained_and_nothing_is_saved(client, patient):
    client.force_login(patient)
    before = PatientProfile.objects.get(user=patient)

    response = client.post(
        reverse("accounts_profile"),
        profile_data(patient, first_name="Changed", phone="+44 7700 900123", date_of_birth="2015-01-01"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["phone"] == ["This number is not in use in United Kingdom (+44): check the digits."]
    assert "must be registered by a parent or legal guardian" in errors["date_of_birth"][0]
    assert PatientProfile.objects.get(user=patient).first_name == before.first_name


def test_a_representative_may_keep_a_minor_s_details(client, patient):
    client.force_login(patient)

    response = client.post(
        reverse("accounts_profile"),
        profile_data(patient, date_of_birth="2015-01-01", acts_as_representative="on"),
    )

    assert response.status_code == 302
    profile = PatientProfile.objects.get(user=patient)
    assert profile.acts_as_representative
    assert profile.date_of_birth.year == 2015


def test_an_unknown_timezone_is_refused_with_a_message_not_a_500(client, patient):
    client.force_login(patient)

    response = client.post(reverse("accounts_profile"), profile_data(patient, timezone="Mars/Olympus_Mons"))

    assert response.status_code == 200
    assert "timezone" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.timezone == ""


def test_staff_without_a_patient_profile_get_the_language_and_timezone_only(client, careteam):
    client.force_login(careteam)

    page = client.get(reverse("accounts_profile")).content.decode()
    assert 'name="timezone"' in page
    assert 'name="first_name"' not in page

    response = client.post(reverse("accounts_profile"), {"language": "en", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    careteam.refresh_from_db()
    assert careteam.timezone == "Asia/Tokyo"


# --- the API --------------------------------------------------------------------------------------


def test_the_api_reads_the_profile(api_as, patient):
    body = api_as(patient).get("/api/v1/account/profile/").json()

    assert body["email"] == "alice@example.test"
    assert body["phone"] == "+33612345678"
    assert body["has_patient_profile"] is True
    assert body["timezone"] == ""


def test_the_api_changes_some_fields_and_keeps_the_others(api_as, patient):
    response = api_as(patient).patch(
        "/api/v1/account/profile/", {"last_name": "Hart", "timezone": "Asia/Tokyo"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["last_name"] == "Hart"
    profile = PatientProfile.objects.get(user=patient)
    assert profile.last_name == "Hart"
    assert str(profile.phone) == "+33612345678"
    patient.refresh_from_db()
    assert patient.timezone == "Asia/Tokyo"


def test_the_api_refuses_a_bad_phone_with_the_page_s_message(api_as, patient):
    response = api_as(patient).patch("/api/v1/account/profile/", {"phone": "07700 900123"}, format="json")

    assert response.status_code == 400
    assert response.json()["details"]["phone"][0].startswith("Start with + and the country code")
    assert str(PatientProfile.objects.get(user=patient).phone) == "+33612345678"


def test_the_api_refuses_a_bad_timezone(api_as, patient):
    response = api_as(patient).patch("/api/v1/account/profile/", {"timezone": "Nowhere/Land"}, format="json")

    assert response.status_code == 400
    assert "timezone" in response.json()["details"]


def test_staff_change_only_their_timezone_through_the_api(api_as, careteam):
    client = api_as(careteam)

    refused = client.patch("/api/v1/account/profile/", {"first_name": "Carla"}, format="json")
    allowed = client.patch("/api/v1/account/profile/", {"timezone": "Europe/London"}, format="json")

    assert refused.status_code == 400
    assert allowed.status_code == 200
    assert allowed.json()["has_patient_profile"] is False
    careteam.refresh_from_db()
    assert careteam.timezone == "Europe/London"
