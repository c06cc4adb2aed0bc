"""Which language a page, an API answer, an e-mail and a document speak (docs/decisions.md,
"Languages"): the signed-in person's own, else the switch's cookie, else the browser's, else
English; an unknown code anywhere falls back without an error."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import PatientProfile, User
from accounts.selectors import user_language
from accounts.tests.factories import PatientFactory, UserFactory
from core.locales import site_language
from notifications.rendering import language_of

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def page_language(response) -> str:
    return response.headers["Content-Language"]


# --- resolution -----------------------------------------------------------------------------------


def test_a_visitor_gets_the_browsers_language():
    response = Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9,en;q=0.5")
    assert page_language(response) == "de"
    assert b'<html lang="de"' in response.content


def test_the_switchs_cookie_wins_over_the_browser():
    client = Client()
    client.cookies[COOKIE] = "fr"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="de")
    assert page_language(response) == "fr"


def test_a_signed_in_persons_own_language_wins_over_the_cookie_and_the_browser():
    patient = PatientFactory(profile__preferred_language="fr")
    client = Client()
    client.force_login(patient)
    client.cookies[COOKIE] = "de"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ru")
    assert page_language(response) == "fr"


def test_a_staff_account_speaks_its_own_language():
    staff = UserFactory(email="staff@example.test", language="ar")
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(response) == "ar"
    assert b'<html lang="ar"' in response.content


def test_the_language_parameter_shows_one_page_in_another_language_without_keeping_it():
    client = Client()
    assert page_language(client.get(reverse("terms"), {"lang": "fr"})) == "fr"
    assert page_language(client.get(reverse("terms"))) == "en"


@pytest.mark.parametrize(
    "how",
    [
        {"query": {"lang": "xx"}},
        {"query": {"lang": "xx-YY"}},
        {"cookie": "xx"},
        {"cookie": "it"},  # Django knows Italian; the site does not offer it
        {"header": "xx-YY"},
        {"header": "zz;q=0.9, *;q=0.1"},
        {"header": ";;;q=abc,,"},
    ],
)
def test_an_unknown_language_code_falls_back_to_english_without_an_error(how):
    client = Client(raise_request_exception=False)
    if "cookie" in how:
        client.cookies[COOKIE] = how["cookie"]
    response = client.get(reverse("search"), how.get("query", {}), HTTP_ACCEPT_LANGUAGE=how.get("header", ""))
    assert response.status_code == 200
    assert page_language(response) == "en"


def test_the_searchs_filter_by_spoken_language_does_not_change_the_pages_language():
    assert page_language(Client().get(reverse("search"), {"language": "ar"})) == "en"


def test_a_region_of_an_offered_language_is_that_language():
    assert site_language("ar-EG") == "ar"
    assert site_language("pt-BR") == ""
    assert page_language(Client().get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es-MX")) == "es"


# --- the switch -----------------------------------------------------------------------------------


def test_the_switch_lists_each_language_in_its_own_name_with_its_lang():
    content = Client().get(reverse("home")).content.decode()
    for code, own_name in [("fr", "Français"), ("ar", "العربيّة"), ("es", "Español"), ("de", "Deutsch")]:
        assert f'lang="{code}">{own_name}</button>' in content, code
    assert 'lang="ru">Русский</button>' in content


def test_switching_while_signed_in_keeps_the_choice_on_the_patient_profile():
    patient = PatientFactory(profile__preferred_language="en")
    client = Client()
    client.force_login(patient)
    response = client.post(reverse("set_language"), {"language": "ar", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "ar"
    assert PatientProfile.objects.get(user=patient).preferred_language == "ar"
    assert page_language(client.get(reverse("home"))) == "ar"


def test_switching_while_signed_in_keeps_a_staff_members_choice_on_the_account():
    staff = UserFactory(email="staff@example.test")
    client = Client()
    client.force_login(staff)
    client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert User.objects.get(pk=staff.pk).language == "ru"


@pytest.mark.parametrize("code", ["xx", "it", "", "ar-EG\x00"])
def test_switching_to_an_unknown_language_changes_nothing_and_is_no_error(code):
    patient = PatientFactory(profile__preferred_language="fr")
    client = Client(raise_request_exception=False)
    client.force_login(patient)
    response = client.post(reverse("set_language"), {"language": code, "next": "/"})
    assert response.status_code in (302, 400)
    assert PatientProfile.objects.get(user=patient).preferred_language == "fr"
    assert page_language(client.get(reverse("home"))) == "fr"


def test_switching_anonymously_sets_only_the_cookie():
    client = Client()
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert page_language(client.get(reverse("home"))) == "es"


def test_my_account_keeps_a_staff_members_language():
    staff = UserFactory(email="staff@example.test")
    client = Client()
    client.force_login(staff)
    client.post(reverse("accounts_profile"), {"language": "de", "timezone": ""})
    assert User.objects.get(pk=staff.pk).language == "de"


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "ar", "ru", "de", "es"])
def test_the_api_answers_its_errors_in_the_accept_language(language):
    response = Client().get(reverse("api_me"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code in (401, 403)
    assert page_language(response) == language
    # Django REST framework's own catalogue translates it in each of the site's languages.
    assert response.json()["message"] != "Authentication credentials were not provided."


def test_the_api_prefers_the_header_to_the_cookie():
    client = Client()
    client.cookies[COOKIE] = "fr"
    assert page_language(client.get(reverse("api_me"), HTTP_ACCEPT_LANGUAGE="de")) == "de"


@pytest.mark.parametrize("header", ["xx-YY", "", "*", "klingon;q=1"])
def test_the_api_falls_back_to_english_on_an_unknown_accept_language(header):
    response = Client().get(reverse("api_me"), HTTP_ACCEPT_LANGUAGE=header)
    assert response.json()["message"] == "Authentication credentials were not provided."


# --- e-mails in the recipient's language ----------------------------------------------------------


def test_a_staff_recipient_gets_messages_in_the_accounts_language():
    assert language_of(UserFactory(email="staff@example.test", language="de")) == "de"
    assert language_of(UserFactory(email="nolang@example.test")) == "en"


def test_a_patient_recipient_gets_messages_in_the_profiles_language():
    assert language_of(PatientFactory(profile__preferred_language="ar")) == "ar"


def test_a_language_no_longer_offered_falls_back_to_english():
    patient = PatientFactory()
    PatientProfile.objects.filter(user=patient).update(preferred_language="it")
    assert user_language(user=User.objects.get(pk=patient.pk)) == ""
    assert language_of(User.objects.get(pk=patient.pk)) == "en"


def test_allauths_e_mails_go_in_the_address_owners_language_not_the_askers():
    patient = PatientFactory(email="amelie@example.test", profile__preferred_language="fr")
    Client().post(reverse("account_reset_password"), {"email": patient.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(mail.outbox) == 1
    assert "réinitialisation" in mail.outbox[0].subject.lower()  # allauth's French subject


# --- legal pages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["terms", "legal_notice"])
@pytest.mark.parametrize("language", ["en", "ar", "es", "de", "ru"])
def test_a_legal_page_says_the_french_version_binds_and_links_to_it(name, language):
    content = Client().get(reverse(name), {"lang": language}).content.decode()
    assert "Only the French version of this page binds" in content or language != "en"
    assert '<a href="?lang=fr" lang="fr" hreflang="fr">' in content
    assert 'class="binding-version' in content


@pytest.mark.parametrize("name", ["terms", "legal_notice"])
def test_the_french_legal_page_says_it_binds_and_offers_the_translations(name):
    content = Client().get(reverse(name), {"lang": "fr"}).content.decode()
    assert 'class="binding-version' in content
    assert '<a href="?lang=fr"' not in content
    for code in ("en", "ar", "es", "de", "ru"):
        assert f'<a href="?lang={code}" lang="{code}" hreflang="{code}">' in content


# --- My account through the API -------------------------------------------------------------------


def test_the_api_reads_and_changes_a_staff_members_language():
    staff = UserFactory(email="staff@example.test")
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("api_account_profile")).json()["language"] == ""
    response = client.patch(reverse("api_account_profile"), {"language": "ar"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["language"] == "ar"
    assert User.objects.get(pk=staff.pk).language == "ar"


def test_the_api_changes_a_patients_language_on_the_profile():
    patient = PatientFactory(profile__preferred_language="en")
    client = Client()
    client.force_login(patient)
    response = client.patch(reverse("api_account_profile"), {"language": "es"}, content_type="application/json")
    assert response.json()["language"] == response.json()["preferred_language"] == "es"
    assert PatientProfile.objects.get(user=patient).preferred_language == "es"


@pytest.mark.parametrize("value", ["xx", "", 7, None, ["fr"], "ar-EG"])
def test_the_api_refuses_an_unknown_language_by_its_field(value):
    staff = UserFactory(email="staff@example.test", language="de")
    client = Client()
    client.force_login(staff)
    response = client.patch(reverse("api_account_profile"), {"language": value}, content_type="application/json")
    if value is None:  # null: nothing to change
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert set(response.json()["details"]) == {"language"}
    assert User.objects.get(pk=staff.pk).language == "de"
