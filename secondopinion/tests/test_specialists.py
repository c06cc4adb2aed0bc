"""The specialist's side: the opt-in profile, accepting and declining a case, the weekly capacity,
and a case that is not theirs."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.tests.factories import UserFactory
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent
from notifications.models import Message
from providers.models import MemberRole, ProviderKind, VerificationStatus
from providers.tests.factories import MemberFactory, ProviderFactory, SpecialtyFactory
from secondopinion.models import Candidate, CaseStatus, ClockPause, SpecialistProfile
from secondopinion.services.specialists import (
    case_accept,
    case_accept_check,
    case_decline,
    specialist_case_get,
    specialist_profile_save,
)
from secondopinion.tests.support_specialists import chosen_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(cardiology):
    """Dr Nadia Haddad, a verified cardiologist who has not opted in yet; `haddad` is her admin member."""
    provider = ProviderFactory(name="Dr Nadia Haddad", slug="dr-nadia-haddad")
    provider.specialties.add(cardiology)
    return provider


@pytest.fixture
def haddad(practice):
    return MemberFactory(provider=practice, user=UserFactory(email="haddad@opinions.test")).user


def _terms(cardiology, **overrides):
    terms = {
        "specialties": [cardiology],
        "languages": ["fr", "en"],
        "price_amount": 50_000,
        "currency": "EUR",
        "weekly_capacity": 4,
        "timezone": "Europe/Paris",
        "country": "FR",
        "active": True,
    }
    return {**terms, **overrides}


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


# --- the profile ---------------------------------------------------------------------------------------


def test_an_admin_of_a_verified_practitioner_opts_in_and_changes_the_terms(practice, haddad, cardiology, now):
    profile = specialist_profile_save(provider=practice, actor=haddad, now=now, **_terms(cardiology))
    assert profile.price_amount == 50_000
    assert list(profile.specialties.all()) == [cardiology]
    assert profile.languages == ["fr", "en"]

    later = now + dt.timedelta(days=1)
    again = specialist_profile_save(
        provider=practice, actor=haddad, now=later, **_terms(cardiology, weekly_capacity=8, active=False)
    )
    assert again.pk == profile.pk
    assert (again.weekly_capacity, again.active, again.updated_at) == (8, False, later)
    assert SpecialistProfile.objects.filter(provider=practice).count() == 1
    actions = list(
        AuditEvent.objects.filter(target_id=str(profile.pk), action__startswith="secondopinion.profile")
        .order_by("at")
        .values_list("action", flat=True)
    )
    assert actions == ["secondopinion.profile.created", "secondopinion.profile.updated"]


def test_a_practitioner_awaiting_verification_is_refused(practice, haddad, cardiology, now):
    practice.status = VerificationStatus.PENDING
    practice.save()
    with pytest.raises(Conflict) as refused:
        specialist_profile_save(provider=practice, actor=haddad, now=now, **_terms(cardiology))
    assert "verified practitioners" in refused.value.message
    assert not SpecialistProfile.objects.exists()


def test_a_facility_is_refused(cardiology, now):
    clinic = ProviderFactory(kind=ProviderKind.FACILITY, name="Clinique", slug="clinique-x")
    clinic.specialties.add(cardiology)
    admin = MemberFactory(provider=clinic).user
    with pytest.raises(Conflict):
        specialist_profile_save(provider=clinic, actor=admin, now=now, **_terms(cardiology))


def test_a_staff_member_is_refused_and_a_stranger_hears_not_found(practice, cardiology, now):
    staff = MemberFactory(provider=practice, role=MemberRole.STAFF).user
    with pytest.raises(Forbidden):
        specialist_profile_save(provider=practice, actor=staff, now=now, **_terms(cardiology))
    with pytest.raises(NotFound):
        specialist_profile_save(provider=practice, actor=UserFactory(), now=now, **_terms(cardiology))


def test_bad_terms_are_refused_field_by_field(practice, haddad, cardiology, now):
    other = SpecialtyFactory(code="dermatology")
    with pytest.raises(ValidationFailed) as refused:
        specialist_profile_save(
            provider=practice,
            actor=haddad,
            now=now,
            **_terms(
                cardiology,
                specialties=[other],
                languages=["klingon"],
                price_amount=0,
                currency="XXX",
                weekly_capacity=101,
                timezone="Mars/Olympus",
                country="ZZ",
            ),
        )
    assert set(refused.value.details) == {
        "specialties",
        "languages",
        "price_amount",
        "currency",
        "weekly_capacity",
        "timezone",
        "country",
    }
    assert not SpecialistProfile.objects.filter(provider=practice).exists()


# --- accepting and declining ---------------------------------------------------------------------------


def test_the_chosen_specialist_accepts_and_the_patient_is_told(
    case, martin_user, patient, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = case_accept(case=case, actor=martin_user, now=now)
    assert accepted.status == CaseStatus.ACCEPTED
    assert accepted.accepted_at == now
    message = Message.objects.get(event="so_specialist_accepted", recipient=patient)
    assert message.subject == f"Your second-opinion request #{case.pk} has news"
    assert "Cardiology" not in message.subject


def test_accepting_after_the_time_to_answer_is_refused(case, martin_user):
    late = case.accept_due_at + dt.timedelta(minutes=1)
    with pytest.raises(Conflict) as refused:
        case_accept(case=case, actor=martin_user, now=late)
    assert refused.value.code == "accept_expired"


def test_a_supplement_not_paid_yet_holds_the_acceptance(case, martin_user, patient, now):
    case.supplement_order = AddonOrder.objects.create(
        patient=patient,
        kind=AddonKind.SECOND_OPINION,
        description="Supplement",
        amount=5_000,
        currency="EUR",
        status=AddonOrderStatus.AWAITING_PAYMENT,
        created_at=now,
        updated_at=now,
    )
    case.save()
    check = case_accept_check(case=case, actor=martin_user, now=now)
    assert check.refusal.code == "supplement_unpaid"
    assert "has not paid yet" in check.reason
    with pytest.raises(Conflict):
        case_accept(case=case, actor=martin_user, now=now)

    AddonOrder.objects.filter(pk=case.supplement_order_id).update(status=AddonOrderStatus.CONFIRMED, paid_at=now)
    case.refresh_from_db()
    assert case_accept(case=case, actor=martin_user, now=now).status == CaseStatus.ACCEPTED


def test_a_full_week_refuses_one_more_and_the_specialist_must_decline(
    case, martin, martin_user, patient, cardiology, coordinator, diagnosis, now
):
    martin.weekly_capacity = 1
    martin.save()
    earlier = chosen_case(
        patient=patient, specialty=cardiology, coordinator=coordinator, specialist=martin, diagnosis=diagnosis, now=now
    )
    case_accept(case=earlier, actor=martin_user, now=now - dt.timedelta(days=2))
    with pytest.raises(Conflict) as refused:
        case_accept(case=case, actor=martin_user, now=now)
    assert refused.value.code == "capacity_full"
    # Seven days after the first acceptance the place is free again.
    case.accept_due_at = now + dt.timedelta(days=10)
    assert case_accept_check(case=case, actor=martin_user, now=now + dt.timedelta(days=5, hours=1)).allowed


def test_declining_sends_the_case_back_to_the_patients_choice(
    case, martin, martin_user, patient, coordinator, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        declined = case_decline(case=case, actor=martin_user, reason="On leave next week", now=now)
    assert declined.status == CaseStatus.DECLINED_BY_SPECIALIST
    candidate = Candidate.objects.get(case=case, specialist=martin)
    assert (candidate.declined_at, candidate.decline_reason) == (now, "On leave next week")
    pause = ClockPause.objects.get(case=case, ended_at__isnull=True)
    assert (pause.reason, pause.started_at) == ("choice", now)
    assert Message.objects.filter(event="so_specialist_declined", recipient=patient).exists()
    assert Message.objects.filter(event="so_specialist_declined_coord", recipient=coordinator).exists()
    # The case is no longer theirs to see.
    with pytest.raises(NotFound):
        specialist_case_get(user=martin_user, case_id=case.pk)


def test_declining_needs_a_reason(case, martin_user, now):
    with pytest.raises(ValidationFailed) as refused:
        case_decline(case=case, actor=martin_user, reason="  ", now=now)
    assert "reason" in refused.value.details


def test_a_case_not_theirs_is_not_found(case, yilmaz_user, now):
    """Dr Yilmaz is on the shortlist but was not chosen; a stranger knows nothing either."""
    for user in (yilmaz_user, UserFactory()):
        with pytest.raises(NotFound):
            case_accept(case=case, actor=user, now=now)
        with pytest.raises(NotFound):
            case_decline(case=case, actor=user, reason="no", now=now)
        with pytest.raises(NotFound):
            specialist_case_get(user=user, case_id=case.pk)
    case.refresh_from_db()
    assert case.status == CaseStatus.SPECIALIST_CHOSEN
