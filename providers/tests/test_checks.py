"""The providers' `<entity>_<action>_check` functions: allowed, or refused with the code and words
the service raises; and the pages, the admin and the API offer an action only when its check
allows it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from core.errors import DomainError
from providers import services
from providers.models import ContractVersion, MemberRole, ProviderMember, VerificationStatus
from providers.tests.factories import MemberFactory, OfferingFactory, ProviderFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CHECKED = "RPPS entry matches the name and the specialty."


def code(check) -> str | None:
    return None if check.allowed else check.refusal.code


def refusal_of(call) -> DomainError:
    with pytest.raises(DomainError) as raised:
        call()
    return raised.value


def in_state(status: str):
    return ProviderFactory(status=status, verified_at=None if status == VerificationStatus.PENDING else NOW)


# --- verification decisions -----------------------------------------------------------------------------

DECISIONS = {
    # status → the decisions the careteam may take on it
    VerificationStatus.PENDING: {"verify", "reject"},
    VerificationStatus.VERIFIED: {"suspend"},
    VerificationStatus.SUSPENDED: {"verify"},
    VerificationStatus.REJECTED: set(),
}


@pytest.mark.parametrize("status", list(DECISIONS))
def test_the_careteam_may_take_exactly_the_decisions_the_verification_table_allows(careteam, status):
    provider = in_state(status)

    checks = services.provider_decision_checks(provider=provider, actor=careteam)

    assert {name for name, check in checks.items() if check} == DECISIONS[status]
    assert {code(check) for check in checks.values() if not check} <= {"invalid_transition"}


@pytest.mark.parametrize("status", list(DECISIONS))
@pytest.mark.parametrize("decision", ["verify", "reject", "suspend"])
def test_a_verification_decision_is_refused_by_its_service_exactly_as_its_check_says(careteam, status, decision):
    provider = in_state(status)
    service, check_of = services.VERIFICATION_DECISIONS[decision]
    check = check_of(provider=provider, actor=careteam)
    already = provider.status == {"verify": "verified", "reject": "rejected", "suspend": "suspended"}[decision]

    if check.allowed or already:
        # Allowed, or a decision already taken: the service changes nothing and says nothing.
        service(provider=provider, actor=careteam, checked=CHECKED, note="", now=NOW)
    else:
        refusal = refusal_of(lambda: service(provider=provider, actor=careteam, checked=CHECKED, note="", now=NOW))
        assert (refusal.code, refusal.message) == (check.refusal.code, check.refusal.message)


def test_a_decision_already_taken_is_not_offered_though_taking_it_again_changes_nothing(careteam):
    provider = in_state(VerificationStatus.VERIFIED)

    check = services.provider_verify_check(provider=provider, actor=careteam)

    assert code(check) == "invalid_transition"
    assert check.reason == "This provider is already “Verified”."


@pytest.mark.parametrize("persona", ["patient", "finance", "clinic_admin"])
def test_only_the_careteam_may_decide(request, persona, clinic):
    provider = in_state(VerificationStatus.PENDING)
    user = request.getfixturevalue(persona)

    checks = services.provider_decision_checks(provider=provider, actor=user)

    assert {code(check) for check in checks.values()} == {"forbidden"}
    assert checks["verify"].reason == "Only the careteam can verify providers."


# --- what verification gates ----------------------------------------------------------------------------


def test_a_verified_provider_is_bookable(clinic):
    assert services.provider_bookable_check(provider=clinic).allowed


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.SUSPENDED, VerificationStatus.REJECTED]
)
def test_an_unverified_provider_takes_no_booking(status):
    provider = in_state(status)

    check = services.provider_bookable_check(provider=provider)

    assert code(check) == "provider_unverified"
    assert check.reason == f"{provider.name} is not verified yet and cannot take bookings."


# --- joining --------------------------------------------------------------------------------------------


def test_joining_is_open_once_both_contracts_are_published():
    assert services.provider_join_check(now=timezone.now()).allowed


def test_joining_is_closed_without_contracts_and_the_service_says_so_in_the_same_words():
    ContractVersion.objects.all().delete()

    check = services.provider_join_check(now=timezone.now())
    refusal = refusal_of(
        lambda: services.provider_join(
            user=UserFactory(),
            details=services.ProviderDetails(kind="practitioner", name="Dr Ana Ribeiro"),
            registration=services.Registration(register="rpps", register_country="FR", registration_number="1"),
            accepted_contracts=True,
            now=timezone.now(),
        )
    )

    assert code(check) == "no_contracts"
    assert (refusal.code, refusal.message) == ("no_contracts", check.reason)


# --- members, profile, photos, locations, offerings, availability ---------------------------------------


@pytest.fixture
def second_admin(clinic):
    return MemberFactory(provider=clinic, user=UserFactory(email="bea@lac.test"), role=MemberRole.ADMIN).user


def an_admin(provider):
    member = ProviderMember.objects.filter(provider=provider, role=MemberRole.ADMIN).first()
    return member.user if member else MemberFactory(provider=provider, role=MemberRole.ADMIN).user


def member_of(provider, user) -> ProviderMember:
    return ProviderMember.objects.select_related("provider").get(provider=provider, user=user)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("clinic_admin", None), ("clinic_member", "forbidden"), ("rival_member", "forbidden")],
)
@pytest.mark.parametrize(
    "check_of",
    [
        services.provider_update_check,
        services.member_add_check,
        services.location_save_check,
    ],
    ids=["provider_update", "member_add", "location_save"],
)
def test_administrators_change_the_profile_the_members_and_the_locations(
    request, clinic, location, persona, expected, check_of
):
    assert code(check_of(provider=clinic, actor=request.getfixturevalue(persona))) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("clinic_admin", None), ("clinic_member", None), ("rival_member", "forbidden")],
)
def test_any_member_adds_photos_offerings_and_opening_hours(request, clinic, location, persona, expected):
    user = request.getfixturevalue(persona)
    offering = OfferingFactory(provider=clinic, location=location)
    rule = services.weekly_rule_add(
        location=location, actor=an_admin(clinic), weekday=0, start=dt.time(9), end=dt.time(12), now=NOW
    )

    checks = [
        services.photo_add_check(provider=clinic, actor=user),
        services.offering_save_check(provider=clinic, actor=user),
        services.offering_save_check(provider=clinic, actor=user, offering=offering),
        services.weekly_rule_add_check(location=location, actor=user),
        services.weekly_rule_remove_check(rule=rule, actor=user),
        services.exception_add_check(location=location, actor=user),
    ]

    assert {code(check) for check in checks} == {expected}


def test_a_new_offering_needs_a_location_first(clinic, clinic_member):
    check = services.offering_save_check(provider=clinic, actor=clinic_member)

    assert code(check) == "no_location"
    assert check.reason == "Add a location first: every offering takes place somewhere."


def test_the_wrong_person_is_refused_by_the_service_with_the_checks_words(clinic, clinic_member, location):
    check = services.location_save_check(provider=clinic, actor=clinic_member)
    refusal = refusal_of(
        lambda: services.location_save(
            provider=clinic,
            actor=clinic_member,
            details=services.LocationDetails(name="x", country="FR", city="Paris", address="x", timezone="UTC"),
            now=NOW,
        )
    )

    assert (refusal.code, refusal.message) == (code(check), check.reason)
    assert check.reason == "Only administrators of this provider can do this."


def test_an_administrator_may_remove_a_colleague_but_not_the_last_administrator(clinic, clinic_admin, clinic_member):
    assert services.member_remove_check(member=member_of(clinic, clinic_member), actor=clinic_admin).allowed
    last = services.member_remove_check(member=member_of(clinic, clinic_admin), actor=clinic_admin)
    assert code(last) == "last_admin"
    assert last.reason == "A provider keeps at least one administrator."
    refusal = refusal_of(
        lambda: services.member_remove(member=member_of(clinic, clinic_admin), actor=clinic_admin, now=NOW)
    )
    assert (refusal.code, refusal.message) == ("last_admin", last.reason)


def test_one_of_two_administrators_may_be_removed(clinic, clinic_admin, second_admin):
    assert services.member_remove_check(member=member_of(clinic, clinic_admin), actor=second_admin).allowed


def test_a_staff_member_may_remove_nobody(clinic, clinic_admin, clinic_member):
    check = services.member_remove_check(member=member_of(clinic, clinic_member), actor=clinic_member)

    assert code(check) == "forbidden"


# --- the pages offer what the checks allow --------------------------------------------------------------


def dashboard(client, user, provider) -> str:
    client.force_login(user)
    response = client.get(reverse("providers:dashboard", kwargs={"provider_id": provider.pk}))
    assert response.status_code == 200
    return response.content.decode()


def remove_url(provider, user) -> str:
    member = member_of(provider, user)
    return reverse("providers:member_remove", kwargs={"provider_id": provider.pk, "member_id": member.pk})


def test_a_staff_member_is_offered_no_administrators_action(client, clinic, location, clinic_admin, clinic_member):
    page = dashboard(client, clinic_member, clinic)

    assert reverse("providers:profile_edit", kwargs={"provider_id": clinic.pk}) not in page
    assert reverse("providers:location_new", kwargs={"provider_id": clinic.pk}) not in page
    assert reverse("providers:member_add", kwargs={"provider_id": clinic.pk}) not in page
    assert remove_url(clinic, clinic_admin) not in page
    # What any member may do is offered.
    assert reverse("providers:photo_add", kwargs={"provider_id": clinic.pk}) in page
    assert reverse("providers:offering_new", kwargs={"provider_id": clinic.pk}) in page


def test_an_administrator_is_offered_their_actions_but_not_removing_the_last_administrator(
    client, clinic, location, clinic_admin, clinic_member
):
    page = dashboard(client, clinic_admin, clinic)

    assert reverse("providers:profile_edit", kwargs={"provider_id": clinic.pk}) in page
    assert reverse("providers:location_new", kwargs={"provider_id": clinic.pk}) in page
    assert reverse("providers:member_add", kwargs={"provider_id": clinic.pk}) in page
    assert remove_url(clinic, clinic_member) in page
    assert remove_url(clinic, clinic_admin) not in page


def test_an_administrator_may_remove_another_administrator_from_the_page(client, clinic, clinic_admin, second_admin):
    page = dashboard(client, clinic_admin, clinic)

    assert remove_url(clinic, second_admin) in page
    assert remove_url(clinic, clinic_admin) not in page  # the page never offers removing oneself


def test_without_a_location_the_dashboard_says_why_instead_of_offering_a_new_offering(client, clinic, clinic_admin):
    page = dashboard(client, clinic_admin, clinic)

    assert reverse("providers:offering_new", kwargs={"provider_id": clinic.pk}) not in page
    assert "Add a location first: every offering takes place somewhere." in page


@pytest.mark.parametrize(
    ("status", "public_link", "says"),
    [
        (VerificationStatus.VERIFIED, True, None),
        (VerificationStatus.PENDING, False, "Patients cannot see you or book yet"),
        (VerificationStatus.SUSPENDED, False, "Your pages are hidden from patients."),
        (VerificationStatus.REJECTED, False, "Your pages are hidden from patients."),
    ],
)
def test_the_dashboard_links_the_public_page_only_of_a_bookable_provider(client, status, public_link, says):
    provider = in_state(status)
    admin = MemberFactory(provider=provider, role=MemberRole.ADMIN).user

    page = dashboard(client, admin, provider)

    assert (reverse("providers:public", kwargs={"slug": provider.slug}) in page) is public_link
    for message in ["Patients cannot see you or book yet", "Your pages are hidden from patients."]:
        assert (message in page) is (message == says)


def test_the_availability_page_offers_a_members_actions(client, clinic, location, clinic_member):
    services.weekly_rule_add(
        location=location, actor=an_admin(clinic), weekday=0, start=dt.time(9), end=dt.time(12), now=NOW
    )
    client.force_login(clinic_member)

    response = client.get(
        reverse("providers:availability", kwargs={"provider_id": clinic.pk, "location_id": location.pk})
    )

    page = response.content.decode()
    assert 'value="remove_rule"' in page
    assert 'value="rule"' in page
    assert 'value="exception"' in page


def review(client, careteam, provider):
    client.force_login(careteam)
    return client.get(reverse("providers:verification_review", kwargs={"provider_id": provider.pk}))


@pytest.mark.parametrize("status", list(DECISIONS))
def test_the_review_page_offers_only_the_decisions_the_service_would_take(client, careteam, status):
    provider = in_state(status)

    response = review(client, careteam, provider)

    page = response.content.decode()
    offered = {name for name in ["verify", "reject", "suspend"] if f'<option value="{name}"' in page}
    assert offered == DECISIONS[status]
    if not DECISIONS[status]:
        assert "No decision can be recorded for this provider now." in page
        assert "Record the decision" not in page
    refused = response.context["refused"]
    assert len(refused) == 3 - len(DECISIONS[status])


def test_the_review_page_says_why_a_decision_is_not_offered(client, careteam):
    provider = in_state(VerificationStatus.PENDING)

    page = review(client, careteam, provider).content.decode()

    assert "Suspend: A provider that is “Awaiting verification” cannot become “Suspended”." in page


def test_the_admin_action_offers_only_the_decisions_the_service_would_take(client, careteam):
    root = UserFactory(is_staff=True, is_superuser=True, groups=[StaffGroup.CARETEAM])
    provider = in_state(VerificationStatus.VERIFIED)
    client.force_login(root)

    response = client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "record_verification", ACTION_CHECKBOX_NAME: [provider.pk]},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="suspend"' in page
    assert '<option value="verify"' not in page
    assert '<option value="reject"' not in page


def test_the_join_page_says_joining_is_closed_instead_of_offering_the_form(client):
    ContractVersion.objects.all().delete()
    client.force_login(UserFactory())

    page = client.get(reverse("providers:join")).content.decode()

    assert "Joining is closed until the contracts are published." in page
    assert 'name="accept_contracts"' not in page


# --- the API lists the same answers ---------------------------------------------------------------------


def test_my_provider_lists_the_callers_available_actions(api_as, clinic, location, clinic_admin, clinic_member):
    as_admin = api_as(clinic_admin).get(f"/api/v1/my/providers/{clinic.pk}/").json()["available_actions"]
    as_staff = api_as(clinic_member).get(f"/api/v1/my/providers/{clinic.pk}/").json()["available_actions"]

    assert {name for name, action in as_admin.items() if action["allowed"]} == {
        "update",
        "add_photo",
        "add_location",
        "add_offering",
        "add_member",
    }
    assert {name for name, action in as_staff.items() if action["allowed"]} == {"add_photo", "add_offering"}
    assert as_staff["update"] == {
        "allowed": False,
        "code": "forbidden",
        "reason": "Only administrators of this provider can do this.",
    }


def test_the_members_list_says_which_member_may_be_removed(api_as, clinic, clinic_admin, clinic_member):
    members = api_as(clinic_admin).get(f"/api/v1/my/providers/{clinic.pk}/members/").json()
    actions = {member["email"]: member["available_actions"]["remove"] for member in members}

    assert actions["nurse@lac.test"] == {"allowed": True, "code": None, "reason": ""}
    assert actions["admin@lac.test"]["code"] == "last_admin"
    response = api_as(clinic_admin).delete(
        f"/api/v1/my/providers/{clinic.pk}/members/{member_of(clinic, clinic_admin).pk}/"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "last_admin"
