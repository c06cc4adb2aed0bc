"""Provider services: joining, verification and what it gates, offerings, members, locations, photos."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent
from core.money import Money
from providers.models import (
    BookingMode,
    ContractAcceptance,
    ContractKind,
    ContractVersion,
    FacilityType,
    Location,
    MemberRole,
    Offering,
    OfferingKind,
    Provider,
    ProviderKind,
    ProviderMember,
    ProviderPhoto,
    Register,
    Specialty,
    VerificationStatus,
    VerificationStep,
)
from providers.selectors import offerings_public, provider_public_get, providers_public
from providers.services import (
    LocationDetails,
    OfferingDetails,
    ProviderDetails,
    Registration,
    contract_publish,
    contracts_current,
    invitation_accept,
    invitation_create,
    location_save,
    member_remove,
    offering_save,
    photo_add,
    provider_join,
    provider_reject,
    provider_suspend,
    provider_verify,
)
from providers.tests.factories import (
    LocationFactory,
    MemberFactory,
    OfferingFactory,
    ProcedureFactory,
    ProviderFactory,
    SpecialtyFactory,
)

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# After the contracts of migration 0003 (published 2026-11-01) came into force.
NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
LATER = NOW + dt.timedelta(days=3)

CHECKED = "RPPS 10001234567 found in the register; name and specialty match."


def audit_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- fixtures (the provider personas, `clinic` and its people, are the root conftest's) -------------


@pytest.fixture
def doctor(db):
    """A practitioner's account, before the practitioner joins."""
    return UserFactory(email="dr.silva@example.test")


@pytest.fixture
def pending_provider(db):
    return ProviderFactory(status=VerificationStatus.PENDING, verified_at=None)


@pytest.fixture
def specialty(db):
    return SpecialtyFactory()


# --- joining -----------------------------------------------------------------------------------------

REGISTRATION = Registration(register=Register.RPPS, register_country="FR", registration_number="10001234567")


def practitioner(**overrides) -> ProviderDetails:
    values = {"kind": ProviderKind.PRACTITIONER, "name": "Dr Ana Silva", "languages": ["pt", "en"]}
    return ProviderDetails(**(values | overrides))


def join(user, details: ProviderDetails | None = None, *, accepted_contracts: bool = True) -> Provider:
    return provider_join(
        user=user,
        details=details or practitioner(),
        registration=REGISTRATION,
        accepted_contracts=accepted_contracts,
        now=NOW,
    )


def assert_nothing_joined() -> None:
    assert not Provider.objects.exists()
    assert not ProviderMember.objects.exists()
    assert not ContractAcceptance.objects.exists()
    assert audit_events("providers.provider.joined") == []


def test_joining_creates_a_pending_provider_with_what_was_declared(doctor):
    provider = join(doctor)

    provider.refresh_from_db()
    assert provider.status == VerificationStatus.PENDING
    assert provider.verified_at is None
    assert provider.name == "Dr Ana Silva"
    assert provider.languages == ["pt", "en"]
    assert (provider.register, provider.register_country.code, provider.registration_number) == (
        Register.RPPS,
        "FR",
        "10001234567",
    )


def test_the_user_who_joins_becomes_the_providers_only_administrator(doctor):
    provider = join(doctor)

    assert list(provider.members.values_list("user_id", "role")) == [(doctor.pk, MemberRole.ADMIN)]


def test_joining_records_acceptance_of_both_current_contracts_with_who_and_when(doctor):
    provider = join(doctor)

    accepted = {
        (a.contract.kind, a.contract.version, a.accepted_by_id, a.accepted_at)
        for a in provider.contract_acceptances.select_related("contract")
    }
    assert accepted == {
        (ContractKind.MEMBERSHIP, "2026-11", doctor.pk, NOW),
        (ContractKind.ETHICS, "2026-11", doctor.pk, NOW),
    }


def test_joining_accepts_the_newest_contract_in_force_and_not_one_published_later(doctor):
    newer = ContractVersion.objects.create(
        kind=ContractKind.MEMBERSHIP, version="2026-11-b", published_at=NOW - dt.timedelta(days=1)
    )
    ContractVersion.objects.create(kind=ContractKind.MEMBERSHIP, version="2027-06", published_at=LATER)

    provider = join(doctor)

    versions = dict(provider.contract_acceptances.values_list("contract__kind", "contract__version"))
    assert versions == {ContractKind.MEMBERSHIP: newer.version, ContractKind.ETHICS: "2026-11"}


def test_joining_writes_an_audit_event_naming_the_contracts(doctor):
    provider = join(doctor)

    [event] = audit_events("providers.provider.joined")
    assert (event.actor_id, event.target_type, event.target_id, event.at) == (
        doctor.pk,
        "providers.provider",
        str(provider.pk),
        NOW,
    )
    assert event.after == {"contracts": ["ethics:2026-11", "membership:2026-11"]}


def test_a_published_contract_is_in_force_from_its_publication_and_audited(careteam):
    contract = contract_publish(
        actor=careteam, kind=ContractKind.ETHICS, version="2027-01", summary="Advertising rules.", now=LATER
    )

    assert (contract.published_at, contract.summary) == (LATER, "Advertising rules.")
    assert contracts_current(now=NOW)[ContractKind.ETHICS].version == "2026-11"
    assert contracts_current(now=LATER)[ContractKind.ETHICS] == contract
    [event] = audit_events("providers.contract.published")
    assert (event.actor_id, event.target_type, event.target_id, event.at) == (
        careteam.pk,
        "providers.contractversion",
        str(contract.pk),
        LATER,
    )
    assert event.after == {"kind": "ethics", "version": "2027-01"}


def test_publishing_the_same_contract_version_again_changes_nothing(careteam):
    first = contract_publish(actor=careteam, kind=ContractKind.MEMBERSHIP, version="2027-01", summary="", now=NOW)

    again = contract_publish(actor=careteam, kind=ContractKind.MEMBERSHIP, version="2027-01", summary="x", now=LATER)

    assert again == first
    assert again.published_at == NOW
    assert len(audit_events("providers.contract.published")) == 1


def test_a_contract_of_an_unknown_kind_is_refused(careteam):
    with pytest.raises(ValidationFailed) as refused:
        contract_publish(actor=careteam, kind="privacy", version="2027-01", summary="", now=NOW)

    assert "kind" in refused.value.details
    assert not ContractVersion.objects.filter(version="2027-01").exists()


def test_refusing_the_contracts_creates_nothing(doctor):
    with pytest.raises(ValidationFailed) as refused:
        join(doctor, accepted_contracts=False)

    assert "accept_contracts" in refused.value.details
    assert_nothing_joined()


@pytest.mark.parametrize(
    "details",
    [
        pytest.param(
            practitioner(kind=ProviderKind.FACILITY, name="Clinique du Lac", facility_type=""),
            id="facility-without-a-type",
        ),
        pytest.param(practitioner(facility_type=FacilityType.CLINIC), id="practitioner-with-a-type"),
    ],
)
def test_a_facility_type_is_required_of_facilities_and_refused_to_practitioners(doctor, details):
    with pytest.raises(ValidationFailed) as refused:
        join(doctor, details)

    assert set(refused.value.details) == {"facility_type"}
    assert_nothing_joined()


def test_a_facility_with_its_type_may_join(doctor):
    provider = join(doctor, practitioner(kind=ProviderKind.FACILITY, facility_type=FacilityType.HOSPITAL))

    assert (provider.kind, provider.facility_type) == (ProviderKind.FACILITY, FacilityType.HOSPITAL)


def test_two_providers_with_the_same_name_get_distinct_slugs(doctor, other_patient):
    first = join(doctor, practitioner(name="Clinique du Lac"))
    second = join(other_patient, practitioner(name="Clinique du Lac"))

    assert first.slug == "clinique-du-lac"
    assert second.slug != first.slug
    assert second.slug.startswith("clinique-du-lac-")


# --- verification ---------------------------------------------------------------------------------------


def verification_state(provider: Provider) -> tuple:
    """Everything a refused transition must leave as it was."""
    provider.refresh_from_db()
    return (
        provider.status,
        provider.verified_at,
        provider.verified_by_id,
        VerificationStep.objects.filter(provider=provider).count(),
        AuditEvent.objects.filter(action__startswith="providers.verification.").count(),
    )


def test_verifying_a_pending_provider_records_who_and_when(careteam, pending_provider):
    provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, now=NOW)

    pending_provider.refresh_from_db()
    assert pending_provider.status == VerificationStatus.VERIFIED
    assert pending_provider.verified_at == NOW
    assert pending_provider.verified_by == careteam


def test_verifying_records_a_step_with_what_was_checked(careteam, pending_provider):
    provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, note="Phoned the practice.", now=NOW)

    [step] = VerificationStep.objects.filter(provider=pending_provider)
    assert (step.from_status, step.to_status, step.actor, step.checked, step.note, step.at) == (
        VerificationStatus.PENDING,
        VerificationStatus.VERIFIED,
        careteam,
        CHECKED,
        "Phoned the practice.",
        NOW,
    )


def test_verifying_writes_an_audit_event(careteam, pending_provider):
    provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, now=NOW)

    [event] = audit_events("providers.verification.verified")
    assert (event.actor_id, event.target_id, event.at) == (careteam.pk, str(pending_provider.pk), NOW)
    assert event.before == {"status": "pending"}
    assert event.after["status"] == "verified"


def test_a_suspended_provider_can_be_reinstated(careteam, clinic):
    provider_suspend(provider=clinic, actor=careteam, checked=CHECKED, note="Licence lapsed.", now=NOW)
    clinic.refresh_from_db()
    assert clinic.status == VerificationStatus.SUSPENDED

    provider_verify(provider=clinic, actor=careteam, checked="Licence renewed until 2028.", now=LATER)

    clinic.refresh_from_db()
    assert (clinic.status, clinic.verified_at) == (VerificationStatus.VERIFIED, LATER)
    steps = VerificationStep.objects.filter(provider=clinic).order_by("at")
    assert [(s.from_status, s.to_status) for s in steps] == [
        (VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED),
        (VerificationStatus.SUSPENDED, VerificationStatus.VERIFIED),
    ]


def test_a_rejection_is_final(careteam, pending_provider):
    provider_reject(provider=pending_provider, actor=careteam, checked=CHECKED, note="Number unknown.", now=NOW)
    before = verification_state(pending_provider)

    with pytest.raises(Conflict) as refused:
        provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, now=LATER)

    assert refused.value.code == "invalid_transition"
    assert before[0] == VerificationStatus.REJECTED
    assert verification_state(pending_provider) == before


def test_a_pending_provider_cannot_be_suspended(careteam, pending_provider):
    before = verification_state(pending_provider)

    with pytest.raises(Conflict) as refused:
        provider_suspend(provider=pending_provider, actor=careteam, checked=CHECKED, note="", now=NOW)

    assert refused.value.code == "invalid_transition"
    assert verification_state(pending_provider) == before


def test_verifying_twice_changes_nothing_the_second_time(careteam, pending_provider):
    provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, now=NOW)
    provider_verify(provider=pending_provider, actor=careteam, checked=CHECKED, now=LATER)

    pending_provider.refresh_from_db()
    assert pending_provider.verified_at == NOW
    assert VerificationStep.objects.filter(provider=pending_provider).count() == 1
    assert len(audit_events("providers.verification.verified")) == 1


@pytest.mark.parametrize("persona", ["patient", "finance", "coordinator", "own_admin"])
def test_only_the_careteam_may_verify(request, persona, pending_provider):
    if persona == "own_admin":
        user = MemberFactory(provider=pending_provider, role=MemberRole.ADMIN).user
    else:
        user = request.getfixturevalue(persona)
    before = verification_state(pending_provider)

    with pytest.raises(Forbidden):
        provider_verify(provider=pending_provider, actor=user, checked=CHECKED, now=NOW)

    assert verification_state(pending_provider) == before


def test_a_verification_must_say_what_was_checked(careteam, pending_provider):
    before = verification_state(pending_provider)

    with pytest.raises(ValidationFailed) as refused:
        provider_verify(provider=pending_provider, actor=careteam, checked="   ", now=NOW)

    assert "checked" in refused.value.details
    assert verification_state(pending_provider) == before


# --- what verification gates ---------------------------------------------------------------------------


@pytest.fixture
def provider_in_each_state(db):
    return {status: ProviderFactory(status=status) for status in VerificationStatus.values}


def test_the_public_sees_verified_providers_only(provider_in_each_state):
    assert set(providers_public()) == {provider_in_each_state[VerificationStatus.VERIFIED]}


def test_the_public_sees_published_offerings_of_verified_providers_only(provider_in_each_state):
    offerings = {status: OfferingFactory(provider=p) for status, p in provider_in_each_state.items()}
    OfferingFactory(provider=provider_in_each_state[VerificationStatus.VERIFIED], is_active=False)

    assert set(offerings_public()) == {offerings[VerificationStatus.VERIFIED]}


def test_a_verified_providers_page_is_found_by_its_slug(provider_in_each_state):
    verified = provider_in_each_state[VerificationStatus.VERIFIED]

    assert provider_public_get(slug=verified.slug) == verified


@pytest.mark.parametrize(
    "status", [VerificationStatus.PENDING, VerificationStatus.SUSPENDED, VerificationStatus.REJECTED]
)
def test_an_unverified_providers_page_is_not_found(provider_in_each_state, status):
    with pytest.raises(NotFound):
        provider_public_get(slug=provider_in_each_state[status].slug)


# --- offerings ------------------------------------------------------------------------------------------


def eur(amount: int) -> Money:
    return Money(amount, "EUR")


def offering_details(location: Location, specialty: Specialty, **overrides) -> OfferingDetails:
    values = {
        "location": location,
        "kind": OfferingKind.CONSULTATION,
        "title": "First consultation",
        "specialty": specialty,
        "price": eur(15000),
        "duration_minutes": 30,
        "slot_minutes": 30,
        "booking_mode": BookingMode.ONLINE,
        "deposit_bps": 3000,
    }
    return OfferingDetails(**(values | overrides))


def save(provider, actor, details, offering=None) -> Offering:
    return offering_save(provider=provider, actor=actor, details=details, offering=offering, now=NOW)


def test_a_fixed_price_is_saved_in_minor_units(clinic, clinic_admin, location, specialty):
    price = Money.from_decimal("150.50", "EUR")

    offering = save(clinic, clinic_admin, offering_details(location, specialty, price=price))

    offering.refresh_from_db()
    assert (offering.currency, offering.price_min, offering.price_max) == ("EUR", 15050, None)
    assert offering.price == price
    assert offering.price_upper is None


def test_a_price_range_is_saved_in_minor_units(clinic, clinic_admin, location, specialty):
    details = offering_details(
        location,
        specialty,
        kind=OfferingKind.PROCEDURE,
        title="Knee replacement",
        procedure=ProcedureFactory(specialty=specialty),
        price=Money.from_decimal("5000", "EUR"),
        price_upper=Money.from_decimal("8000.00", "EUR"),
        booking_mode=BookingMode.QUOTE,
        deposit_bps=None,
    )

    offering = save(clinic, clinic_admin, details)

    offering.refresh_from_db()
    assert (offering.price_min, offering.price_max) == (500000, 800000)
    assert offering.price_upper == eur(800000)


@pytest.mark.parametrize(
    ("price", "price_upper", "bps", "deposit"),
    [
        # 30 % of 150.05 is 45.015: half up to the cent.
        pytest.param(eur(15005), None, 3000, eur(4502), id="half-up-to-the-cent"),
        # 30 % of 12.350 KWD is 3.705: Stripe takes three-decimal amounts in steps of 10 fils.
        pytest.param(Money(12350, "KWD"), None, 3000, Money(3710, "KWD"), id="to-the-currency-step"),
        pytest.param(eur(500000), eur(800000), 1000, eur(50000), id="of-the-lower-price"),
    ],
)
def test_a_deposit_in_basis_points_is_a_share_of_the_lower_price(
    clinic, clinic_admin, location, specialty, price, price_upper, bps, deposit
):
    details = offering_details(location, specialty, price=price, price_upper=price_upper, deposit_bps=bps)

    offering = save(clinic, clinic_admin, details)

    offering.refresh_from_db()
    assert offering.deposit == deposit


def test_a_fixed_deposit_is_asked_as_it_is(clinic, clinic_admin, location, specialty):
    details = offering_details(location, specialty, deposit_bps=None, deposit_fixed=eur(5000))

    offering = save(clinic, clinic_admin, details)

    offering.refresh_from_db()
    assert (offering.deposit_bps, offering.deposit_fixed) == (None, 5000)
    assert offering.deposit == eur(5000)


# Each case: the fields to change, built once the test's objects exist, and the field blamed.
OFFERING_REFUSALS = {
    "negative-price": (lambda: {"price": eur(-100)}, "price"),
    "upper-below-lower": (lambda: {"price_upper": eur(10000)}, "price_upper"),
    "upper-in-another-currency": (lambda: {"price_upper": Money(20000, "USD")}, "price_upper"),
    "deposit-above-price": (lambda: {"deposit_bps": None, "deposit_fixed": eur(15001)}, "deposit_fixed"),
    "both-deposit-rules": (lambda: {"deposit_bps": 3000, "deposit_fixed": eur(1000)}, "deposit_fixed"),
    "online-without-deposit": (lambda: {"deposit_bps": None}, "deposit_percent"),
    "procedure-of-another-specialty": (lambda: {"procedure": ProcedureFactory()}, "procedure"),
    "location-of-another-provider": (lambda: {"location": LocationFactory()}, "location"),
    "slot-of-zero-minutes": (lambda: {"slot_minutes": 0}, "slot_minutes"),
    "slot-over-a-day": (lambda: {"slot_minutes": 24 * 60 + 1}, "slot_minutes"),
}


@pytest.mark.parametrize("case", OFFERING_REFUSALS)
def test_an_offering_breaking_a_rule_is_refused_under_the_field_at_fault(
    clinic, clinic_admin, location, specialty, case
):
    make_overrides, field = OFFERING_REFUSALS[case]
    details = offering_details(**({"location": location, "specialty": specialty} | make_overrides()))

    with pytest.raises(ValidationFailed) as refused:
        save(clinic, clinic_admin, details)

    assert set(refused.value.details) == {field}
    assert refused.value.details[field] == [refused.value.message]
    assert not Offering.objects.exists()
    assert audit_events("providers.offering.saved") == []


def test_a_slot_of_a_whole_day_is_allowed(clinic, clinic_admin, location, specialty):
    details = offering_details(location, specialty, slot_minutes=24 * 60, duration_minutes=24 * 60)

    assert save(clinic, clinic_admin, details).slot_minutes == 24 * 60


def test_a_staff_member_can_save_offerings(clinic, clinic_member, location, specialty):
    offering = save(clinic, clinic_member, offering_details(location, specialty))

    assert Offering.objects.get(pk=offering.pk).provider == clinic


@pytest.mark.parametrize("persona", ["patient", "careteam", "admin_elsewhere"])
def test_someone_outside_the_provider_cannot_save_its_offerings(request, clinic, location, specialty, persona):
    if persona == "admin_elsewhere":
        user = MemberFactory(role=MemberRole.ADMIN).user
    else:
        user = request.getfixturevalue(persona)

    with pytest.raises(Forbidden):
        save(clinic, user, offering_details(location, specialty))

    assert not Offering.objects.exists()


def test_an_offering_of_another_provider_cannot_be_updated(clinic, clinic_admin, location, specialty):
    theirs = OfferingFactory(title="Their consultation", price_min=9000)
    their_provider = theirs.provider_id

    with pytest.raises(Forbidden):
        save(clinic, clinic_admin, offering_details(location, specialty, title="Mine now"), offering=theirs)

    theirs.refresh_from_db()
    assert (theirs.provider_id, theirs.title, theirs.price_min) == (their_provider, "Their consultation", 9000)
    assert audit_events("providers.offering.saved") == []


def test_updating_an_offering_audits_the_values_before_and_after(clinic, clinic_admin, location, specialty):
    offering = save(clinic, clinic_admin, offering_details(location, specialty))

    save(clinic, clinic_admin, offering_details(location, specialty, price=eur(18000)), offering=offering)

    created, updated = audit_events("providers.offering.saved")
    assert created.before is None
    assert created.after["price_min"] == 15000
    assert updated.target_id == str(offering.pk)
    assert (updated.before["price_min"], updated.after["price_min"]) == (15000, 18000)
    assert Offering.objects.get().price_min == 18000


# --- members --------------------------------------------------------------------------------------------


@pytest.fixture
def colleague(db):
    return UserFactory(email="dana.colleague@example.test")


def add(provider, actor, email, role=MemberRole.STAFF) -> ProviderMember:
    """An administrator invites, the colleague accepts (docs/decisions.md#invitations)."""
    invitation, _token = invitation_create(provider=provider, actor=actor, email=email, role=role, now=NOW)
    colleague = User.objects.get(email__iexact=email.strip())
    return invitation_accept(invitation=invitation, user=colleague, now=NOW)


def test_an_administrator_adds_a_colleague_by_email_whatever_its_case(clinic, clinic_admin, colleague):
    member = add(clinic, clinic_admin, "  Dana.Colleague@EXAMPLE.test ")

    assert (member.provider, member.user, member.role) == (clinic, colleague, MemberRole.STAFF)
    [event] = audit_events("providers.member.added")
    # The colleague who accepted is the one who made the membership.
    assert (event.actor_id, event.target_id, event.after["role"]) == (colleague.pk, str(member.pk), "staff")


def test_inviting_an_email_with_no_account_adds_nobody_yet(clinic, clinic_admin):
    invitation, _token = invitation_create(
        provider=clinic, actor=clinic_admin, email="nobody@example.test", role=MemberRole.STAFF, now=NOW
    )

    assert invitation.email == "nobody@example.test"
    assert list(clinic.members.values_list("user", flat=True)) == [clinic_admin.pk]


def test_a_staff_member_cannot_add_colleagues(clinic, clinic_member, colleague):
    with pytest.raises(Forbidden):
        add(clinic, clinic_member, colleague.email)

    assert not clinic.members.filter(user=colleague).exists()


def test_adding_the_same_person_twice_with_the_same_role_is_recorded_once(clinic, clinic_admin, colleague):
    add(clinic, clinic_admin, colleague.email)
    with pytest.raises(Conflict) as again:
        add(clinic, clinic_admin, colleague.email)

    assert again.value.code == "already_member"
    assert clinic.members.filter(user=colleague).count() == 1
    assert len(audit_events("providers.member.added")) == 1


def test_adding_a_member_again_with_another_role_changes_the_role(clinic, clinic_admin, colleague):
    add(clinic, clinic_admin, colleague.email)
    add(clinic, clinic_admin, colleague.email, role=MemberRole.ADMIN)

    assert clinic.members.get(user=colleague).role == MemberRole.ADMIN
    assert [e.after["role"] for e in audit_events("providers.member.added")] == ["staff", "admin"]


def test_an_administrator_can_remove_a_colleague(clinic, clinic_admin, clinic_member):
    member = clinic.members.get(user=clinic_member)

    member_remove(member=member, actor=clinic_admin, now=NOW)

    assert not clinic.members.filter(user=clinic_member).exists()
    [event] = audit_events("providers.member.removed")
    assert event.before == {"role": "staff"}


def test_the_last_administrator_cannot_be_removed(clinic, clinic_admin, clinic_member):
    member = clinic.members.get(user=clinic_admin)

    with pytest.raises(Conflict) as refused:
        member_remove(member=member, actor=clinic_admin, now=NOW)

    assert refused.value.code == "last_admin"
    assert clinic.members.filter(user=clinic_admin, role=MemberRole.ADMIN).exists()
    assert audit_events("providers.member.removed") == []


def test_one_of_two_administrators_can_be_removed(clinic, clinic_admin, colleague):
    add(clinic, clinic_admin, colleague.email, role=MemberRole.ADMIN)

    member_remove(member=clinic.members.get(user=clinic_admin), actor=colleague, now=NOW)

    assert list(clinic.members.values_list("user", "role")) == [(colleague.pk, MemberRole.ADMIN)]


# --- locations ------------------------------------------------------------------------------------------


def location_details(**overrides) -> LocationDetails:
    values = {
        "name": "Lisbon clinic",
        "country": "PT",
        "city": "Lisbon",
        "address": "Avenida da Liberdade 1",
        "timezone": "Europe/Lisbon",
        "latitude": Decimal("38.716900"),
        "longitude": Decimal("-9.139500"),
    }
    return LocationDetails(**(values | overrides))


def save_location(provider, actor, details) -> Location:
    return location_save(provider=provider, actor=actor, details=details, now=NOW)


def test_an_administrator_creates_a_location(clinic, clinic_admin):
    location = save_location(clinic, clinic_admin, location_details())

    location.refresh_from_db()
    assert (location.provider, location.timezone, location.latitude, location.longitude) == (
        clinic,
        "Europe/Lisbon",
        Decimal("38.716900"),
        Decimal("-9.139500"),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param({"timezone": "Mars/Olympus"}, "timezone", id="unknown-timezone"),
        pytest.param({"latitude": Decimal(91)}, "latitude", id="latitude-past-the-pole"),
        pytest.param({"longitude": None}, "longitude", id="latitude-alone"),
        pytest.param({"latitude": None}, "longitude", id="longitude-alone"),
    ],
)
def test_a_location_breaking_a_rule_is_refused_under_the_field_at_fault(clinic, clinic_admin, overrides, field):
    with pytest.raises(ValidationFailed) as refused:
        save_location(clinic, clinic_admin, location_details(**overrides))

    assert set(refused.value.details) == {field}
    assert not Location.objects.exists()


def test_a_staff_member_cannot_create_a_location(clinic, clinic_member):
    with pytest.raises(Forbidden):
        save_location(clinic, clinic_member, location_details())

    assert not Location.objects.exists()


# --- photos ---------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def png_bytes(size=(40, 30), color="teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def add_photo(provider, actor, upload) -> ProviderPhoto:
    return photo_add(provider=provider, actor=actor, upload=upload, caption="Waiting room", now=NOW)


def test_a_photo_is_stored_reencoded_as_jpeg_under_a_name_of_our_own(media, clinic, clinic_admin):
    upload = SimpleUploadedFile("holiday-snap.png", png_bytes(), content_type="image/png")

    photo = add_photo(clinic, clinic_admin, upload)

    photo.refresh_from_db()
    assert photo.image.name.endswith(".jpg")
    assert "holiday-snap" not in photo.image.name
    assert stored_files(media) == [media / photo.image.name]
    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (40, 30))
    assert (photo.width, photo.height, photo.caption) == (40, 30, "Waiting room")


def test_a_large_photo_is_scaled_down_to_1600_pixels(media, clinic, clinic_admin):
    upload = SimpleUploadedFile("wide.png", png_bytes(size=(3200, 1200)), content_type="image/png")

    photo = add_photo(clinic, clinic_admin, upload)

    with Image.open(photo.image.path) as stored:
        assert stored.size == (1600, 600)
    assert (photo.width, photo.height) == (1600, 600)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("P", (40, 30)).save(out, format="GIF")
    return out.getvalue()


def noisy_png_bytes() -> bytes:
    """A PNG whose pixel data does not compress, so a damaged byte lands in the image data."""
    out = io.BytesIO()
    Image.frombytes("L", (64, 64), bytes(range(256)) * 16).save(out, format="PNG", compress_level=0)
    return out.getvalue()


def damaged(data: bytes) -> bytes:
    """`data` with one byte flipped in the middle: the chunk's checksum no longer matches."""
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: SimpleUploadedFile("photo.png", b"Not a picture at all.\n"), id="text-named-png"),
        pytest.param(lambda: SimpleUploadedFile("photo.png", noisy_png_bytes()[:2000]), id="truncated-png"),
        pytest.param(lambda: SimpleUploadedFile("photo.png", damaged(noisy_png_bytes())), id="damaged-png"),
        pytest.param(lambda: SimpleUploadedFile("photo.gif", gif_bytes()), id="gif"),
    ],
)
def test_a_file_that_is_not_a_jpeg_png_or_webp_image_is_refused(media, clinic, clinic_admin, upload):
    with pytest.raises(ValidationFailed) as refused:
        add_photo(clinic, clinic_admin, upload())

    assert "image" in refused.value.details
    assert not ProviderPhoto.objects.exists()
    assert stored_files(media) == []


def test_a_photo_over_5_mb_is_refused(media, clinic, clinic_admin):
    # A valid PNG with padding after its end: Pillow would accept it, so only the size refuses it.
    data = png_bytes()
    upload = SimpleUploadedFile("photo.png", data + b"\0" * (5 * 1024 * 1024 + 1 - len(data)))

    with pytest.raises(ValidationFailed) as refused:
        add_photo(clinic, clinic_admin, upload)

    assert "5 MB" in refused.value.message
    assert "image" in refused.value.details
    assert not ProviderPhoto.objects.exists()
    assert stored_files(media) == []


def test_an_unknown_member_role_is_refused(patient):
    admin = MemberFactory().user
    provider = admin.provider_memberships.get().provider

    with pytest.raises(ValidationFailed) as refused:
        invitation_create(provider=provider, actor=admin, email=patient.email, role="owner", now=NOW)

    assert "role" in refused.value.details
    assert not ProviderMember.objects.filter(user=patient).exists()
