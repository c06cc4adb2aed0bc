"""The specialist's pages: the profile form and the cases, one case (accept, decline, the opinion
form, sign with a confirmation), the public verification page; others get 404."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from providers.models import MemberRole, ProviderKind
from providers.tests.factories import MemberFactory, ProviderFactory
from secondopinion.models import CaseStatus, Opinion, SpecialistProfile
from secondopinion.tests.support_specialists import chosen_case

pytestmark = pytest.mark.django_db

HOME = "/second-opinion/specialist/"


@pytest.fixture
def case(patient, cardiology, coordinator, martin, yilmaz, diagnosis, now):
    return chosen_case(
        patient=patient,
        specialty=cardiology,
        coordinator=coordinator,
        specialist=martin,
        shortlist=[martin, yilmaz],
        diagnosis=diagnosis,
        now=now,
    )


def _case_url(case, action: str = "") -> str:
    return f"/second-opinion/specialist/cases/{case.pk}/{action}"


def _opinion_post(**overrides):
    data = {
        "answer_0": "No surgery now.",
        "answer_1": "An echocardiogram every year.",
        "case_summary": "Moderate mitral regurgitation.",
        "diagnosis_review": "Consistent with the images.",
        "options": "Follow-up, or repair later.",
        "recommendation": "Annual follow-up.",
        "action": "save",
    }
    return {**data, **overrides}


def test_the_home_lists_the_request_and_the_profile(client, case, martin_user):
    client.force_login(martin_user)
    response = client.get(HOME)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"#{case.pk}" in text
    assert "Second-opinion profile of Dr Claire Martin" in text


def test_a_patient_and_a_member_of_a_facility_get_404(client, patient):
    facility = ProviderFactory(kind=ProviderKind.FACILITY, name="Clinique", slug="clinique-x")
    for user in (patient, MemberFactory(provider=facility).user):
        client.force_login(user)
        assert client.get(HOME).status_code == 404


def test_a_staff_member_of_the_practice_sees_the_cases_but_not_the_profile_form(client, case, martin):
    staff = MemberFactory(provider=martin.provider, role=MemberRole.STAFF).user
    client.force_login(staff)
    response = client.get(HOME)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"#{case.pk}" in text
    assert "Only an administrator" in text
    assert "Save the profile" not in text


def test_an_admin_opts_in_with_the_form_and_errors_show_by_the_field(client, cardiology):
    provider = ProviderFactory(name="Dr Nadia Haddad", slug="dr-nadia-haddad")
    provider.specialties.add(cardiology)
    admin = MemberFactory(provider=provider).user
    client.force_login(admin)
    prefix = f"p{provider.pk}-"
    data = {
        "provider": provider.pk,
        prefix + "specialties": [str(cardiology.pk)],
        prefix + "languages": "fr, en",
        prefix + "price": "480.00",
        prefix + "currency": "EUR",
        prefix + "weekly_capacity": "3",
        prefix + "timezone": "Mars/Olympus",
        prefix + "country": "FR",
        prefix + "active": "on",
    }
    refused = client.post(HOME, data)
    assert refused.status_code == 400
    assert "Choose a timezone by its name" in refused.content.decode()
    assert 'value="fr, en"' in refused.content.decode()  # what was typed is kept

    response = client.post(HOME, {**data, prefix + "timezone": "Europe/Paris"})
    assert response.status_code == 302
    profile = SpecialistProfile.objects.get(provider=provider)
    assert (profile.price_amount, profile.languages) == (48_000, ["fr", "en"])


def test_before_accepting_the_page_shows_the_request_not_the_documents(client, case, martin_user, diagnosis):
    client.force_login(martin_user)
    response = client.get(_case_url(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Is surgery needed now" in text
    assert "Accept the request" in text
    assert str(diagnosis.pk) not in text


def test_accepting_opens_the_documents_and_the_opinion_form(client, case, martin_user, diagnosis):
    client.force_login(martin_user)
    assert client.post(_case_url(case, "accept/")).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    text = client.get(_case_url(case)).content.decode()
    assert f"/documents/{diagnosis.pk}/download/" in text
    assert "Save draft" in text
    assert "Sign and send" in text


def test_declining_needs_a_reason_and_then_goes_back_to_the_list(client, case, martin_user):
    client.force_login(martin_user)
    assert client.post(_case_url(case, "decline/"), {"reason": ""}).status_code == 400
    response = client.post(_case_url(case, "decline/"), {"reason": "On leave"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED_BY_SPECIALIST
    assert client.get(_case_url(case)).status_code == 404


def test_the_opinion_is_saved_then_signed_only_with_the_confirmation(client, case, martin_user):
    client.force_login(martin_user)
    client.post(_case_url(case, "accept/"))

    incomplete = client.post(_case_url(case, "opinion/"), _opinion_post(recommendation="", action="sign", confirm="on"))
    assert incomplete.status_code == 400
    assert "Fill in this part before you sign." in incomplete.content.decode()
    assert "Moderate mitral regurgitation." in incomplete.content.decode()  # kept

    unconfirmed = client.post(_case_url(case, "opinion/"), _opinion_post(action="sign"))
    assert unconfirmed.status_code == 400
    assert Opinion.objects.get(case=case).signed_at is None

    signed = client.post(_case_url(case, "opinion/"), _opinion_post(action="sign", confirm="on"))
    assert signed.status_code == 302
    opinion = Opinion.objects.get(case=case)
    assert opinion.signed_at is not None
    page = client.get(_case_url(case)).content.decode()
    assert opinion.verification_code in page


def test_the_public_verification_page(client, case, martin, martin_user, patient):
    client.force_login(martin_user)
    client.post(_case_url(case, "accept/"))
    client.post(_case_url(case, "opinion/"), _opinion_post(action="sign", confirm="on"))
    code = Opinion.objects.get(case=case).verification_code
    client.logout()

    response = client.get(f"/second-opinion/verify/{code}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    text = response.content.decode()
    assert "Genuine" in text
    assert martin.provider.registration_number in text
    assert patient.patient_profile.last_name not in text
    assert "mitral" not in text

    unknown = client.get("/second-opinion/verify/ABCD-EFGH-JKMN-PQRS/")
    assert unknown.status_code == 404
    assert "Unknown code" in unknown.content.decode()


def test_another_specialist_gets_404_on_every_case_page(client, case, yilmaz_user):
    client.force_login(yilmaz_user)
    assert client.get(_case_url(case)).status_code == 404
    assert client.post(_case_url(case, "accept/")).status_code == 404
    assert client.post(_case_url(case, "decline/"), {"reason": "x"}).status_code == 404
    assert client.post(_case_url(case, "opinion/"), _opinion_post()).status_code == 404
    client.force_login(UserFactory())
    assert client.get(_case_url(case)).status_code == 404


def test_the_practitioners_dashboard_links_to_second_opinions(client, martin, martin_user):
    client.force_login(martin_user)
    response = client.get(f"/providers/dashboard/{martin.provider.pk}/")
    assert response.status_code == 200
    assert 'href="/second-opinion/specialist/"' in response.content.decode()
