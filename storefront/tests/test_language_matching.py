"""Matching on language (docs/decisions.md#matching-on-language): members say which languages they
speak, a provider says whether it can arrange an interpreter, and search finds "speaks my language,
or an interpreter is available", saying which. The catalogue is searched in every language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import Forbidden, ValidationFailed
from providers import services
from providers.models import Procedure, Provider
from providers.services import ProviderDetails
from providers.tests.factories import MemberFactory, OfferingFactory, ProcedureFactory, ProviderFactory
from storefront.listing import listing_refresh
from storefront.search import SearchParams, search_page, search_reindex

pytestmark = pytest.mark.django_db

SEARCH_API = "/api/v1/search/"


@pytest.fixture
def clinics():
    """Three verified clinics with one offering each, none of which declares Arabic itself:
    - Speaking: a member speaks Arabic;
    - Interpreting: nobody speaks it, but it can arrange an interpreter;
    - Neither: nobody speaks it and it arranges no interpreter."""
    speaking = ProviderFactory(name="Speaking clinic", languages=["en"])
    interpreting = ProviderFactory(name="Interpreting clinic", languages=["en"], interpreter_available=True)
    neither = ProviderFactory(name="Neither clinic", languages=["en", "fr"])
    for provider in (speaking, interpreting, neither):
        OfferingFactory(provider=provider, title=f"Consultation at {provider.name}")
    member = MemberFactory(provider=speaking)  # an administrator, with a second factor
    services.member_languages_set(member=member, actor=member.user, languages=["ar", "EN"], now=timezone.now())
    listing_refresh()  # factories bypass the services that list offerings (storefront.listing)
    return speaking, interpreting, neither


def names(page) -> dict[str, str | None]:
    return {result.offering.provider.name: result.language_match for result in page.results}


def test_what_members_speak_is_what_the_provider_speaks(clinics):
    speaking, _interpreting, _neither = clinics
    speaking.refresh_from_db()

    assert speaking.languages == ["en"]
    assert speaking.spoken_languages == ["ar", "en"]
    assert speaking.all_languages == ["en", "ar"]
    assert speaking.members.get().languages == ["ar", "en"]  # lower-cased, in the order given


def test_search_finds_who_speaks_the_language_or_can_arrange_an_interpreter_and_says_which(clinics):
    page = search_page(params=SearchParams(language="ar"), currency="EUR", now=timezone.now())

    assert names(page) == {"Speaking clinic": "speaks", "Interpreting clinic": "interpreter"}


def test_a_patient_can_ask_for_providers_who_speak_it_themselves(clinics):
    page = search_page(params=SearchParams(language="ar", spoken_only=True), currency="EUR", now=timezone.now())

    assert names(page) == {"Speaking clinic": "speaks"}


def test_without_a_language_results_say_nothing_about_languages(clinics):
    page = search_page(params=SearchParams(), currency="EUR", now=timezone.now())

    assert set(names(page).values()) == {None}
    assert len(page.results) == 3


def test_the_api_filters_and_says_which(client, clinics):
    body = client.get(SEARCH_API, {"language": "ar"}).json()
    matches = {r["offering"]["provider"]["name"]: r["language_match"] for r in body["results"]}
    assert matches == {"Speaking clinic": "speaks", "Interpreting clinic": "interpreter"}
    providers = {r["offering"]["provider"]["name"]: r["offering"]["provider"] for r in body["results"]}
    assert providers["Interpreting clinic"]["interpreter_available"] is True
    assert providers["Speaking clinic"]["spoken_languages"] == ["ar", "en"]

    only = client.get(SEARCH_API, {"language": "ar", "spoken_only": "true"}).json()
    assert [r["offering"]["provider"]["name"] for r in only["results"]] == ["Speaking clinic"]


def test_an_unknown_language_is_a_clear_error_not_a_crash(client, clinics):
    response = client.get(SEARCH_API, {"language": "xx"})

    assert response.status_code == 400
    assert "language" in response.json()["details"]


def test_the_search_page_says_which_in_words(client, clinics):
    html = client.get("/search/", {"language": "ar"}).content.decode()

    assert "Speaks Arabic" in html
    assert "Does not speak Arabic: an interpreter can be arranged" in html
    assert "Neither clinic" not in html


def test_the_public_page_says_an_interpreter_can_be_arranged(client, clinics):
    _speaking, interpreting, neither = clinics

    def page(provider):
        response = client.get(reverse("providers:public", args=[provider.slug]))
        assert response.status_code == 200
        return response.content.decode()

    assert "An interpreter can be arranged" in page(interpreting)
    assert "An interpreter can be arranged" not in page(neither)


def test_only_the_member_or_an_administrator_says_which_languages_a_member_speaks(clinics):
    speaking, _interpreting, _neither = clinics
    admin_member = speaking.members.get()
    colleague = MemberFactory(provider=speaking, role="staff", mfa=False)
    stranger = UserFactory()

    with pytest.raises(Forbidden):
        services.member_languages_set(member=admin_member, actor=colleague.user, languages=["de"], now=timezone.now())
    with pytest.raises(Forbidden):
        services.member_languages_set(member=colleague, actor=stranger, languages=["de"], now=timezone.now())
    services.member_languages_set(member=colleague, actor=admin_member.user, languages=["de"], now=timezone.now())

    speaking.refresh_from_db()
    assert speaking.spoken_languages == ["ar", "de", "en"]


def test_an_unknown_code_is_refused_and_nothing_changes(clinics):
    speaking, _interpreting, _neither = clinics
    member = speaking.members.get()

    with pytest.raises(ValidationFailed) as refused:
        services.member_languages_set(member=member, actor=member.user, languages=["ar", "klingon"], now=timezone.now())

    assert "languages" in refused.value.details
    member.refresh_from_db()
    assert member.languages == ["ar", "en"]


def test_removing_a_member_forgets_the_languages_only_they_spoke(clinics):
    speaking, _interpreting, _neither = clinics
    admin = speaking.members.get()
    colleague = MemberFactory(provider=speaking, role="staff", mfa=False)
    services.member_languages_set(member=colleague, actor=admin.user, languages=["ru"], now=timezone.now())

    services.member_remove(member=colleague, actor=admin.user, now=timezone.now())

    speaking.refresh_from_db()
    assert speaking.spoken_languages == ["ar", "en"]


def test_a_profile_change_keeps_what_members_speak(clinics):
    speaking, _interpreting, _neither = clinics
    admin = speaking.members.get()
    details = ProviderDetails(kind=speaking.kind, name=speaking.name, languages=["FR"], interpreter_available=True)

    services.provider_update(provider=speaking, actor=admin.user, details=details, now=timezone.now())

    speaking = Provider.objects.get(pk=speaking.pk)
    assert speaking.languages == ["fr"]
    assert speaking.interpreter_available is True
    assert speaking.spoken_languages == ["ar", "en", "fr"]


def test_the_member_api_sets_languages_and_refuses_unknown_ones(clinics, api_as):
    speaking, _interpreting, _neither = clinics
    member = speaking.members.get()
    url = f"/api/v1/my/providers/{speaking.pk}/members/{member.pk}/"
    api = api_as(member.user)

    response = api.patch(url, {"languages": ["ar", "tr"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["languages"] == ["ar", "tr"]
    assert response.json()["available_actions"]["set_languages"]["allowed"] is True

    refused = api.patch(url, {"languages": ["zz"]}, format="json")
    assert refused.status_code == 400
    member.refresh_from_db()
    assert member.languages == ["ar", "tr"]


def test_the_dashboard_form_saves_a_members_languages(client, clinics):
    speaking, _interpreting, _neither = clinics
    member = speaking.members.get()
    client.force_login(member.user)
    url = f"/providers/dashboard/{speaking.pk}/members/{member.pk}/languages/"

    response = client.post(url, {f"member-{member.pk}-languages": ["de", "ar"]}, follow=True)

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.languages == ["de", "ar"]
    assert "speaks German, Arabic" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "query"),
    [("ar", "استبدال الورك"), ("ru", "эндопротезирование тазобедренного"), ("de", "Hüftprothese")],
)
def test_a_patient_finds_a_procedure_by_its_name_in_their_language(language, query):
    procedure = ProcedureFactory(code="test-hip", name_en="Total hip replacement")
    Procedure.objects.filter(pk=procedure.pk).update(
        name_ar="استبدال الورك الكلي", name_ru="Эндопротезирование тазобедренного сустава", name_de="Hüftprothese"
    )
    offering = OfferingFactory(title="Operation", procedure=procedure, specialty=procedure.specialty)
    OfferingFactory(title="Something else")
    search_reindex()

    page = search_page(params=SearchParams(q=query), currency="EUR", now=timezone.now())

    assert [result.offering.pk for result in page.results] == [offering.pk]
