"""The provider API: public reads of verified providers, and members managing their own provider only."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from providers import services
from providers.models import (
    Accreditation,
    AvailabilityException,
    Credential,
    Location,
    MemberRole,
    Offering,
    Provider,
    ProviderMember,
    VerificationStatus,
    WeeklyRule,
)
from providers.services import member_remove
from providers.tests.factories import (
    LocationFactory,
    MemberFactory,
    OfferingFactory,
    ProcedureFactory,
    ProviderFactory,
    SpecialtyFactory,
    open_weekdays,
)

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"code", "message", "details"}
only_on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


# --- fixtures (the personas, `clinic`, `rival` and their people, are the root conftest's) -----------


@pytest.fixture
def specialty():
    return SpecialtyFactory(code="test-orthopaedics", name_en="Orthopaedics", name_fr="Orthopédie")


def offering_body(location, specialty, **overrides):
    body = {
        "location": location.pk,
        "kind": "procedure",
        "title": "Knee replacement",
        "specialty": specialty.code,
        "currency": "EUR",
        "price": "1234.50",
        "deposit_percent": "30",
        "duration_minutes": 120,
        "slot_minutes": 120,
        "booking_mode": "online",
        "includes": ["Surgery", "Two nights"],
        "excludes": ["Flights"],
    }
    return {**body, **overrides}


def assert_error(response, status, code, field=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["code"] == code
    assert body["message"]
    if field is not None:
        assert body["details"][field]
    return body


# --- public reads ---------------------------------------------------------------------------------


def test_the_public_list_shows_verified_providers_only(anonymous, clinic):
    for status in (VerificationStatus.PENDING, VerificationStatus.REJECTED, VerificationStatus.SUSPENDED):
        ProviderFactory(status=status, slug=f"hidden-{status}")

    response = anonymous.get("/api/v1/providers/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["slug"] for p in body["results"]] == ["clinique-du-lac"]
    listed = body["results"][0]
    assert listed["register"] == "rpps"
    assert listed["register_country"] == "FR"
    assert listed["registration_number"] == clinic.registration_number
    assert listed["verified_at"]


def test_the_public_list_comes_in_pages_of_twenty(anonymous):
    ProviderFactory.create_batch(21)

    first = anonymous.get("/api/v1/providers/").json()
    second = anonymous.get(first["next"]).json()

    assert first["count"] == 21
    assert len(first["results"]) == 20
    assert len(second["results"]) == 1


def test_the_public_page_shows_locations_offerings_prices_and_credentials(anonymous, clinic, location, specialty):
    OfferingFactory(
        provider=clinic,
        location=location,
        specialty=specialty,
        title="Knee replacement",
        price_min=123450,
        price_max=150000,
        deposit_bps=3000,
        includes=["Surgery"],
        excludes=["Flights"],
    )
    OfferingFactory(provider=clinic, location=location, title="Withdrawn", is_active=False)
    Credential.objects.create(provider=clinic, kind="diploma", title="MD", institution="Paris Cité", year=2004)
    Accreditation.objects.create(provider=clinic, body="JCI", valid_until=dt.date(2030, 1, 1))

    response = anonymous.get("/api/v1/providers/clinique-du-lac/")

    assert response.status_code == 200
    body = response.json()
    assert [loc["city"] for loc in body["locations"]] == ["Paris"]
    assert [o["title"] for o in body["offerings"]] == ["Knee replacement"]
    offering = body["offerings"][0]
    assert offering["price"] == {"amount": "1234.50", "currency": "EUR", "minor": 123450}
    assert offering["price_upper"] == {"amount": "1500.00", "currency": "EUR", "minor": 150000}
    assert offering["deposit"] == {"amount": "370.35", "currency": "EUR", "minor": 37035}
    assert offering["includes"] == ["Surgery"]
    assert offering["excludes"] == ["Flights"]
    assert body["credentials"] == [{"kind": "diploma", "title": "MD", "institution": "Paris Cité", "year": 2004}]
    assert body["accreditations"][0]["body"] == "JCI"


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.REJECTED, VerificationStatus.SUSPENDED]
)
def test_an_unverified_providers_page_and_slots_are_not_found(anonymous, status):
    offering = OfferingFactory(provider__status=status, provider__slug="not-yet")
    open_weekdays(offering.location)

    page = anonymous.get("/api/v1/providers/not-yet/")
    slots = anonymous.get(f"/api/v1/offerings/{offering.pk}/slots/?from=2030-01-07&to=2030-01-08")

    assert_error(page, 404, "not_found")
    assert_error(slots, 404, "not_found")


def test_slots_are_local_aware_datetimes_with_the_offset_of_the_day(anonymous, clinic):
    offering = OfferingFactory(provider=clinic, location__provider=clinic, slot_minutes=240, duration_minutes=240)
    open_weekdays(offering.location, dt.time(9), dt.time(17))

    # Paris moves to summer time on Sunday 30 March 2031: Friday is +01:00, Monday +02:00.
    with time_machine.travel(dt.datetime(2031, 3, 1, tzinfo=dt.UTC), tick=False):
        response = anonymous.get(f"/api/v1/offerings/{offering.pk}/slots/?from=2031-03-28&to=2031-03-31")

    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Europe/Paris"
    assert body["slots"] == [
        {"start": "2031-03-28T09:00:00+01:00", "end": "2031-03-28T13:00:00+01:00"},
        {"start": "2031-03-28T13:00:00+01:00", "end": "2031-03-28T17:00:00+01:00"},
        {"start": "2031-03-31T09:00:00+02:00", "end": "2031-03-31T13:00:00+02:00"},
        {"start": "2031-03-31T13:00:00+02:00", "end": "2031-03-31T17:00:00+02:00"},
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "from"),
        ("?from=2031-03-28", "to"),
        ("?from=2031-13-01&to=2031-12-31", "from"),
        ("?from=tomorrow&to=2031-03-31", "from"),
        ("?from=2031-03-31&to=2031-03-28", "to"),
        ("?from=2031-01-01&to=2031-03-05", "to"),
    ],
)
def test_bad_slot_dates_are_refused_with_a_clear_message(anonymous, clinic, query, field):
    offering = OfferingFactory(provider=clinic, location__provider=clinic)

    response = anonymous.get(f"/api/v1/offerings/{offering.pk}/slots/{query}")

    assert_error(response, 400, "invalid", field)


def test_the_catalogue_names_specialties_and_procedures_in_english_and_french(anonymous, specialty):
    ProcedureFactory(
        code="test-knee-replacement", name_en="Knee replacement", name_fr="Prothèse du genou", specialty=specialty
    )

    response = anonymous.get("/api/v1/catalogue/specialties/")

    assert response.status_code == 200
    entry = next(s for s in response.json() if s["code"] == "test-orthopaedics")
    assert entry == {
        "code": "test-orthopaedics",
        "name_en": "Orthopaedics",
        "name_fr": "Orthopédie",
        "procedures": [
            {"code": "test-knee-replacement", "name_en": "Knee replacement", "name_fr": "Prothèse du genou"}
        ],
    }


def test_the_schema_lists_the_provider_endpoints(anonymous):
    response = anonymous.get("/api/schema/?format=json")

    paths = response.json()["paths"]
    assert "/api/v1/providers/{slug}/" in paths
    assert "/api/v1/my/providers/{provider_id}/offerings/{offering_id}/" in paths


# --- members: who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/my/providers/",
        "/api/v1/my/providers/1/",
        "/api/v1/my/providers/1/offerings/",
        "/api/v1/my/providers/1/locations/",
    ],
)
def test_anonymous_callers_are_refused_with_the_error_shape(anonymous, path):
    response = anonymous.get(path)

    assert_error(response, 403, "not_authenticated")


def test_my_providers_lists_mine_with_my_role_and_the_verification_status(api_as, clinic_admin, rival):
    pending = ProviderFactory(name="Zeta Pending", status=VerificationStatus.PENDING)
    MemberFactory(provider=pending, user=clinic_admin, role=MemberRole.STAFF)

    response = api_as(clinic_admin).get("/api/v1/my/providers/")

    assert response.status_code == 200
    assert [(p["name"], p["role"], p["status"]) for p in response.json()] == [
        ("Clinique du Lac", "admin", "verified"),
        ("Zeta Pending", "staff", "pending"),
    ]


@pytest.fixture
def other_clinic_things(rival, rival_member, specialty):
    location = LocationFactory(provider=rival, name="Rival main")
    rule = WeeklyRule.objects.create(location=location, weekday=0, start=dt.time(9), end=dt.time(12))
    offering = OfferingFactory(provider=rival, location=location, specialty=specialty, title="Rival offering")
    member = ProviderMember.objects.get(provider=rival)
    return {"p": rival.pk, "loc": location.pk, "rule": rule.pk, "off": offering.pk, "member": member.pk}


LOCATION_BODY = {"name": "Taken", "country": "FR", "city": "Lyon", "address": "2 quai", "timezone": "Europe/Paris"}
RULE_BODY = {"weekday": 1, "start": "09:00", "end": "10:00"}
EXCEPTION_BODY = {"date": "2031-05-01", "kind": "closed"}

# Another provider's things, reached directly or through the caller's own provider id ("{mine}").
CROSS_PROVIDER_CALLS = [
    ("get", "/api/v1/my/providers/{p}/", None),
    ("patch", "/api/v1/my/providers/{p}/", {"name": "Taken over"}),
    ("get", "/api/v1/my/providers/{p}/members/", None),
    ("post", "/api/v1/my/providers/{p}/members/", {"email": "admin@lac.test", "role": "admin"}),
    ("delete", "/api/v1/my/providers/{p}/members/{member}/", None),
    ("delete", "/api/v1/my/providers/{mine}/members/{member}/", None),
    ("get", "/api/v1/my/providers/{p}/locations/", None),
    ("post", "/api/v1/my/providers/{p}/locations/", LOCATION_BODY),
    ("get", "/api/v1/my/providers/{p}/locations/{loc}/", None),
    ("put", "/api/v1/my/providers/{p}/locations/{loc}/", LOCATION_BODY),
    ("put", "/api/v1/my/providers/{mine}/locations/{loc}/", LOCATION_BODY),
    ("get", "/api/v1/my/providers/{p}/locations/{loc}/rules/", None),
    ("post", "/api/v1/my/providers/{p}/locations/{loc}/rules/", RULE_BODY),
    ("post", "/api/v1/my/providers/{mine}/locations/{loc}/rules/", RULE_BODY),
    ("delete", "/api/v1/my/providers/{p}/locations/{loc}/rules/{rule}/", None),
    ("get", "/api/v1/my/providers/{p}/locations/{loc}/exceptions/", None),
    ("post", "/api/v1/my/providers/{p}/locations/{loc}/exceptions/", EXCEPTION_BODY),
    ("get", "/api/v1/my/providers/{p}/offerings/", None),
    ("post", "/api/v1/my/providers/{p}/offerings/", {}),
    ("get", "/api/v1/my/providers/{p}/offerings/{off}/", None),
    ("put", "/api/v1/my/providers/{p}/offerings/{off}/", {}),
    ("get", "/api/v1/my/providers/{mine}/offerings/{off}/", None),
    ("put", "/api/v1/my/providers/{mine}/offerings/{off}/", {}),
]


@pytest.mark.parametrize(("method", "path", "body"), CROSS_PROVIDER_CALLS)
def test_a_member_cannot_read_or_change_another_providers_data(
    api_as, clinic_admin, clinic, other_clinic_things, method, path, body
):
    before = {
        "provider": Provider.objects.filter(name="Rival Hospital").count(),
        "members": ProviderMember.objects.count(),
        "locations": Location.objects.count(),
        "rules": WeeklyRule.objects.count(),
        "exceptions": AvailabilityException.objects.count(),
        "offerings": Offering.objects.count(),
        "audit": AuditEvent.objects.count(),
    }
    url = path.format(mine=clinic.pk, **other_clinic_things)

    response = getattr(api_as(clinic_admin), method)(url, body, format="json")

    body = assert_error(response, 404, "not_found")
    assert "Rival Hospital" not in body["message"]
    after = {
        "provider": Provider.objects.filter(name="Rival Hospital").count(),
        "members": ProviderMember.objects.count(),
        "locations": Location.objects.count(),
        "rules": WeeklyRule.objects.count(),
        "exceptions": AvailabilityException.objects.count(),
        "offerings": Offering.objects.count(),
        "audit": AuditEvent.objects.count(),
    }
    assert after == before


def test_an_offering_cannot_be_placed_at_another_providers_location(
    api_as, clinic_admin, clinic, location, specialty, other_clinic_things
):
    other_location = Location.objects.get(pk=other_clinic_things["loc"])

    response = api_as(clinic_admin).post(
        f"/api/v1/my/providers/{clinic.pk}/offerings/", offering_body(other_location, specialty), format="json"
    )

    body = assert_error(response, 400, "invalid", "location")
    assert body["details"]["location"] == ["Choose one of your own locations."]
    assert not clinic.offerings.exists()


def test_staff_cannot_change_the_profile(api_as, clinic_member, clinic):
    response = api_as(clinic_member).patch(f"/api/v1/my/providers/{clinic.pk}/", {"name": "Renamed"}, format="json")

    body = assert_error(response, 403, "forbidden")
    assert body["message"] == "Only administrators of this provider can do this."
    clinic.refresh_from_db()
    assert clinic.name == "Clinique du Lac"


def test_staff_cannot_add_members(api_as, clinic_member, clinic):
    UserFactory(email="new@lac.test")

    response = api_as(clinic_member).post(
        f"/api/v1/my/providers/{clinic.pk}/members/", {"email": "new@lac.test", "role": "admin"}, format="json"
    )

    assert_error(response, 403, "forbidden")
    assert clinic.members.count() == 1


def test_staff_can_add_an_offering(api_as, clinic_member, clinic, location, specialty):
    response = api_as(clinic_member).post(
        f"/api/v1/my/providers/{clinic.pk}/offerings/", offering_body(location, specialty), format="json"
    )

    assert response.status_code == 201, response.content
    assert clinic.offerings.get().title == "Knee replacement"


def test_an_administrator_changes_the_profile(api_as, clinic_admin, clinic, specialty):
    response = api_as(clinic_admin).patch(
        f"/api/v1/my/providers/{clinic.pk}/",
        {"name": "Clinique du Lac Santé", "languages": ["fr", "en", "ar"], "specialties": [specialty.code]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Clinique du Lac Santé"
    clinic.refresh_from_db()
    assert clinic.name == "Clinique du Lac Santé"
    assert clinic.languages == ["fr", "en", "ar"]
    assert clinic.biography == "Consultant surgeon."  # left out, so kept
    assert list(clinic.specialties.values_list("code", flat=True)) == [specialty.code]


def test_an_administrator_adds_a_colleague_by_email_and_removes_them(api_as, clinic_admin, clinic):
    colleague = UserFactory(email="new@lac.test")
    client = api_as(clinic_admin)

    invited = client.post(
        f"/api/v1/my/providers/{clinic.pk}/members/", {"email": "New@lac.test", "role": "staff"}, format="json"
    )
    assert invited.status_code == 201, invited.content
    assert invited.json()["email"] == "new@lac.test"
    assert invited.json()["status"] == "pending"
    # A member only once they accept (docs/decisions.md#invitations).
    invitation = clinic.invitations.get()
    member = services.invitation_accept(invitation=invitation, user=colleague, now=timezone.now())
    removed = client.delete(f"/api/v1/my/providers/{clinic.pk}/members/{member.pk}/")

    assert member.role == "staff"
    assert removed.status_code == 204
    assert list(clinic.members.values_list("user__email", flat=True)) == ["admin@lac.test"]


def test_the_last_administrator_cannot_be_removed(api_as, clinic_admin, clinic):
    member = ProviderMember.objects.get(provider=clinic, user=clinic_admin)

    response = api_as(clinic_admin).delete(f"/api/v1/my/providers/{clinic.pk}/members/{member.pk}/")

    assert_error(response, 409, "last_admin")
    assert clinic.members.filter(role=MemberRole.ADMIN).count() == 1


def test_the_last_administrator_cannot_be_made_staff(api_as, clinic_admin, clinic):
    response = api_as(clinic_admin).post(
        f"/api/v1/my/providers/{clinic.pk}/members/", {"email": "admin@lac.test", "role": "staff"}, format="json"
    )

    assert_error(response, 409, "last_admin")
    assert clinic.members.get(user=clinic_admin).role == MemberRole.ADMIN


def test_adding_an_unknown_email_invites_it_and_tells_nothing_about_accounts(api_as, clinic_admin, clinic):
    response = api_as(clinic_admin).post(
        f"/api/v1/my/providers/{clinic.pk}/members/", {"email": "nobody@lac.test", "role": "staff"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert not clinic.members.filter(user__email="nobody@lac.test").exists()


# --- members: validation, nothing saved --------------------------------------------------------------


def test_an_overlapping_weekly_rule_is_refused(api_as, clinic_member, clinic, location):
    WeeklyRule.objects.create(location=location, weekday=0, start=dt.time(9), end=dt.time(12))
    url = f"/api/v1/my/providers/{clinic.pk}/locations/{location.pk}/rules/"

    response = api_as(clinic_member).post(url, {"weekday": 0, "start": "11:00", "end": "14:00"}, format="json")

    body = assert_error(response, 400, "invalid", "start")
    assert body["message"] == "These hours overlap the hours already set on Monday, 09:00–12:00."
    assert WeeklyRule.objects.filter(location=location).count() == 1


def test_a_weekly_rule_ending_before_it_starts_is_refused(api_as, clinic_member, clinic, location):
    url = f"/api/v1/my/providers/{clinic.pk}/locations/{location.pk}/rules/"

    response = api_as(clinic_member).post(url, {"weekday": 2, "start": "14:00", "end": "09:00"}, format="json")

    body = assert_error(response, 400, "invalid", "end")
    assert body["message"] == "The closing time must be after the opening time."
    assert not WeeklyRule.objects.exists()


def test_weekly_rules_are_added_listed_and_removed(api_as, clinic_member, clinic, location):
    client = api_as(clinic_member)
    url = f"/api/v1/my/providers/{clinic.pk}/locations/{location.pk}/rules/"

    added = client.post(url, {"weekday": 0, "start": "09:00", "end": "12:00"}, format="json")
    listed = client.get(url)
    removed = client.delete(f"{url}{added.json()['id']}/")

    assert added.status_code == 201, added.content
    assert listed.json() == [{"id": added.json()["id"], "weekday": 0, "start": "09:00:00", "end": "12:00:00"}]
    assert removed.status_code == 204
    assert not WeeklyRule.objects.exists()


def test_an_extra_opening_needs_its_hours(api_as, clinic_member, clinic, location):
    url = f"/api/v1/my/providers/{clinic.pk}/locations/{location.pk}/exceptions/"

    closed = api_as(clinic_member).post(url, {"date": "2031-05-01", "kind": "closed"}, format="json")
    extra = api_as(clinic_member).post(url, {"date": "2031-05-03", "kind": "extra"}, format="json")

    assert closed.status_code == 201, closed.content
    assert_error(extra, 400, "invalid", "start")
    assert list(AvailabilityException.objects.values_list("kind", flat=True)) == ["closed"]


def test_a_location_in_an_unknown_timezone_is_refused(api_as, clinic_admin, clinic):
    body = {**LOCATION_BODY, "timezone": "Mars/Olympus"}

    response = api_as(clinic_admin).post(f"/api/v1/my/providers/{clinic.pk}/locations/", body, format="json")

    body = assert_error(response, 400, "invalid", "timezone")
    assert body["message"] == "“Mars/Olympus” is not a timezone: use an IANA name such as Europe/Paris."
    assert not Location.objects.exists()


def test_a_location_is_added_then_changed(api_as, clinic_admin, clinic):
    client = api_as(clinic_admin)

    added = client.post(f"/api/v1/my/providers/{clinic.pk}/locations/", LOCATION_BODY, format="json")
    changed = client.put(
        f"/api/v1/my/providers/{clinic.pk}/locations/{added.json()['id']}/",
        {**LOCATION_BODY, "timezone": "Europe/Istanbul", "country": "TR", "latitude": "41.0", "longitude": "29.0"},
        format="json",
    )

    assert added.status_code == 201, added.content
    assert changed.status_code == 200, changed.content
    location = clinic.locations.get()
    assert (location.timezone, location.country.code, str(location.latitude)) == ("Europe/Istanbul", "TR", "41.000000")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "-5.00"}, "price", "A price cannot be negative."),
        ({"currency": "JPY", "price": "12.5"}, "price", "JPY amounts have no decimal places."),
        ({"price": "10.005"}, "price", "EUR amounts have at most 2 decimal places."),
        ({"price": 1234.5}, "price", 'Write the amount as a decimal string in major units, for example "1234.50".'),
        (
            {"deposit_percent": None, "deposit_fixed": "1500"},
            "deposit_fixed",
            "The deposit cannot be larger than the price.",
        ),
        ({"deposit_fixed": "100"}, "deposit_fixed", "Give the deposit as a percentage or as an amount, not both."),
        ({"deposit_percent": "120"}, "deposit_percent", "A deposit percentage lies between 0 and 100."),
        ({"price_upper": "1000"}, "price_upper", "The upper price must not be below the lower price."),
        ({"currency": "XYZ"}, "currency", None),
    ],
)
def test_an_invalid_offering_is_refused_and_nothing_is_saved(
    api_as, clinic_admin, clinic, location, specialty, overrides, field, message
):
    before = Offering.objects.count()

    response = api_as(clinic_admin).post(
        f"/api/v1/my/providers/{clinic.pk}/offerings/", offering_body(location, specialty, **overrides), format="json"
    )

    body = assert_error(response, 400, "invalid", field)
    if message is not None:
        assert body["details"][field] == [message]
        assert body["message"] == message
    assert Offering.objects.count() == before


def test_an_invalid_change_leaves_the_offering_as_it_was(api_as, clinic_admin, clinic, location, specialty):
    offering = OfferingFactory(provider=clinic, location=location, specialty=specialty, price_min=50000)

    response = api_as(clinic_admin).put(
        f"/api/v1/my/providers/{clinic.pk}/offerings/{offering.pk}/",
        offering_body(location, specialty, currency="JPY", price="12.5"),
        format="json",
    )

    assert_error(response, 400, "invalid", "price")
    offering.refresh_from_db()
    assert (offering.currency, offering.price_min) == ("EUR", 50000)


@pytest.mark.parametrize(
    ("currency", "price", "minor", "upper", "upper_minor", "deposit", "deposit_minor"),
    [
        ("EUR", "1234.50", 123450, "1500", 150000, "200.05", 20005),
        ("JPY", "15000", 15000, "20000", 20000, "5000", 5000),
        ("KWD", "12.340", 12340, "15.5", 15500, "2.005", 2005),
    ],
)
def test_an_offering_is_created_and_changed_with_prices_in_minor_units(
    api_as,
    clinic_admin,
    clinic,
    location,
    specialty,
    currency,
    price,
    minor,
    upper,
    upper_minor,
    deposit,
    deposit_minor,
):
    client = api_as(clinic_admin)
    url = f"/api/v1/my/providers/{clinic.pk}/offerings/"

    created = client.post(url, offering_body(location, specialty, currency=currency, price=price), format="json")

    assert created.status_code == 201, created.content
    offering = Offering.objects.get(pk=created.json()["id"])
    assert (offering.currency, offering.price_min, offering.price_max, offering.deposit_bps) == (
        currency,
        minor,
        None,
        3000,
    )
    assert created.json()["price"] == {"amount": price, "currency": currency, "minor": minor}
    assert created.json()["deposit_percent"] == "30.00"

    changed = client.put(
        f"{url}{offering.pk}/",
        offering_body(
            location,
            specialty,
            currency=currency,
            price=price,
            price_upper=upper,
            deposit_percent=None,
            deposit_fixed=deposit,
        ),
        format="json",
    )

    assert changed.status_code == 200, changed.content
    offering.refresh_from_db()
    assert (offering.price_min, offering.price_max, offering.deposit_bps, offering.deposit_fixed) == (
        minor,
        upper_minor,
        None,
        deposit_minor,
    )
    assert changed.json()["price_upper"]["minor"] == upper_minor
    assert changed.json()["deposit_fixed"] == changed.json()["deposit"]
    assert changed.json()["deposit"] == {"amount": deposit, "currency": currency, "minor": deposit_minor}
    assert client.get(f"{url}{offering.pk}/").json() == changed.json()


# --- members: two administrators at once (PostgreSQL) ---------------------------------------------------


@only_on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_removing_each_other_at_once_leave_one(api_as, clinic, clinic_admin):
    second = MemberFactory(provider=clinic, user__email="bea@lac.test", role=MemberRole.ADMIN)
    first = ProviderMember.objects.get(provider=clinic, user=clinic_admin)
    client = api_as(second.user)
    responses = []

    def bea_removes_ada():
        try:
            responses.append(client.delete(f"/api/v1/my/providers/{clinic.pk}/members/{first.pk}/"))
        finally:
            connection.close()  # this thread's own connection

    with transaction.atomic():
        member_remove(member=second, actor=clinic_admin, now=timezone.now())
        thread = threading.Thread(target=bea_removes_ada)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the second removal must wait for the first one's locks"
    thread.join(timeout=10)

    assert_error(responses[0], 409, "last_admin")
    assert list(clinic.members.values_list("user__email", "role")) == [("admin@lac.test", "admin")]
