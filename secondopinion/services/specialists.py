"""The specialist's side of a second opinion: their opt-in profile, accepting or declining a case the
patient chose them for, and the written opinion (a draft, then signed: the PDF goes to the
patient's documents with a verification code anyone can check).

1. `specialist_profile_save`: an administrator of a verified practitioner opts in (or changes their
   terms): specialties among the practice's, languages, a price, a weekly capacity, and the
   timezone and country whose working days count for the clock.
2. `case_accept` / `case_decline`: a member of the chosen specialist's practice answers before
   `accept_due_at`. Accepting opens the documents to them (`secondopinion.access`); declining puts
   the case back to the patient's choice (clock paused).
3. `opinion_save_draft` then `opinion_sign`: every section filled and every question answered, the
   PDF (`secondopinion.opinion_pdf`) stored as the patient's document, the case delivered.

Someone who is not a member of the chosen specialist's practice (another specialist, one only on
the shortlist, a stranger) hears "not found", whether or not the case exists.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import holidays
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from concierge.models import AddonOrderStatus
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.money import exponent
from core.state import transition, transition_check
from documents.services import document_upload
from providers.models import MemberRole, Provider, ProviderKind, Specialty, VerificationStatus
from secondopinion.models import Candidate, CaseStatus, Opinion, OpinionCase, SpecialistProfile
from secondopinion.services.machine import CASE
from secondopinion.services.timing import pause_open

MAX_PRICE = 10**12  # minor units: far above any real price, within the column
MAX_SECTION_CHARS = 20_000
MAX_REASON_CHARS = 300
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud or typed from paper
CODE_LENGTH = 16
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")

# What the specialist's practice sees of a case: from the patient's choice on; after a decline,
# nothing (the case went back to the patient); after the end, only what they accepted.
SPECIALIST_SEES = frozenset(
    {CaseStatus.SPECIALIST_CHOSEN, CaseStatus.ACCEPTED, CaseStatus.OPINION_DELIVERED, CaseStatus.FOLLOW_UP}
)
SPECIALIST_SEES_IF_ACCEPTED = frozenset({CaseStatus.CLOSED, CaseStatus.REFUNDED})
PAID_ORDER_STATUSES = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED})
OPINION_SECTIONS = ("case_summary", "diagnosis_review", "options", "recommendation")


# --- the profile ---------------------------------------------------------------------------------------


def _member_role(provider: Provider, user: Any) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return provider.members.filter(user=user).values_list("role", flat=True).first()


def specialist_profile_save_check(*, provider: Provider, actor: User | Any) -> Check:
    """May `actor` opt `provider` in to second opinions (or change its terms): an administrator of
    a verified practitioner with a registration number."""
    role = _member_role(provider, actor)
    if role is None:
        return refuse(NotFound(_("You are not a member of this practice.")))
    if role != MemberRole.ADMIN:
        return refuse(Forbidden(_("Only an administrator of the practice can change its second-opinion profile.")))
    if (
        provider.kind != ProviderKind.PRACTITIONER
        or provider.status != VerificationStatus.VERIFIED
        or not (provider.registration_number or "").strip()
    ):
        return refuse(
            Conflict(
                _("Second opinions are given by verified practitioners: your registration is being checked."),
                code="not_verified_practitioner",
            )
        )
    return ALLOWED


@dataclass(frozen=True)
class ProfileTerms:
    """A profile's terms, checked."""

    specialty_ids: list[int]
    languages: list[str]
    price_amount: int
    currency: str
    weekly_capacity: int
    timezone: str
    country: str


def _ids(specialties: Iterable[Specialty | int | str]) -> list[int]:
    ids = []
    for item in specialties:
        value = item.pk if isinstance(item, Specialty) else item
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            ids.append(-1)
    return list(dict.fromkeys(ids))


def specialist_profile_validate(
    *,
    provider: Provider,
    specialties: Iterable[Specialty | int | str],
    languages: Iterable[str],
    price_amount: int | None,
    currency: str,
    weekly_capacity: int | None,
    timezone: str,
    country: str,
) -> ProfileTerms:
    """Every term checked, or `ValidationFailed` naming each field at fault."""
    errors: dict[str, list[str]] = {}
    specialty_ids = _ids(specialties)
    own = set(provider.specialties.values_list("pk", flat=True))
    if not specialty_ids:
        errors["specialties"] = [_("Choose at least one specialty you give opinions in.")]
    elif not set(specialty_ids) <= own:
        errors["specialties"] = [_("Choose among your practice's specialties (change them on your provider profile).")]
    codes = list(dict.fromkeys((code or "").strip().lower() for code in languages))
    codes = [code for code in codes if code]
    if not codes:
        errors["languages"] = [_("Give at least one language you write opinions in.")]
    else:
        unknown = [code for code in codes if not _LANGUAGE.match(code) or code not in LANG_INFO]
        if unknown:
            errors["languages"] = [
                _("Use language codes such as “fr” or “en”: %(codes)s is not one.") % {"codes": ", ".join(unknown)}
            ]
    currency = (currency or "").strip().upper()
    try:
        exponent(currency)
    except ValidationFailed as exc:
        errors["currency"] = [exc.message]
    if price_amount is None or isinstance(price_amount, bool) or not isinstance(price_amount, int):
        errors["price_amount"] = [_("Give the price of one opinion.")]
    elif not 0 < price_amount <= MAX_PRICE:
        errors["price_amount"] = [_("The price must be more than zero.")]
    if weekly_capacity is None or isinstance(weekly_capacity, bool) or not isinstance(weekly_capacity, int):
        errors["weekly_capacity"] = [_("Say how many opinions you can give a week.")]
    elif not 1 <= weekly_capacity <= 100:
        errors["weekly_capacity"] = [_("Between 1 and 100 opinions a week.")]
    timezone = (timezone or "").strip()
    try:
        if not timezone or timezone not in zoneinfo.available_timezones():
            raise zoneinfo.ZoneInfoNotFoundError(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = [_("Choose a timezone by its name, such as Europe/Paris.")]
    country = (country or "").strip().upper()
    if country not in holidays.list_supported_countries():
        errors["country"] = [
            _("We do not know the public holidays of “%(country)s”: choose the country where you work.")
            % {"country": country or "-"}
        ]
    if errors:
        raise ValidationFailed(_("Some of your terms need correcting."), code="invalid_profile", details=errors)
    assert isinstance(price_amount, int)  # noqa: S101 -- checked above
    assert isinstance(weekly_capacity, int)  # noqa: S101 -- checked above
    return ProfileTerms(specialty_ids, codes, price_amount, currency, weekly_capacity, timezone, country)


def specialist_profile_save(
    *,
    provider: Provider,
    actor: User | Any,
    specialties: Iterable[Specialty | int | str],
    languages: Iterable[str],
    price_amount: int | None,
    currency: str,
    weekly_capacity: int | None,
    timezone: str,
    country: str,
    active: bool,
    now: dt.datetime,
) -> SpecialistProfile:
    """Create or update `provider`'s second-opinion profile (audited with its terms before and after)."""
    specialist_profile_save_check(provider=provider, actor=actor).enforce()
    terms = specialist_profile_validate(
        provider=provider,
        specialties=specialties,
        languages=languages,
        price_amount=price_amount,
        currency=currency,
        weekly_capacity=weekly_capacity,
        timezone=timezone,
        country=country,
    )
    fields = {
        "languages": terms.languages,
        "price_amount": terms.price_amount,
        "currency": terms.currency,
        "weekly_capacity": terms.weekly_capacity,
        "timezone": terms.timezone,
        "country": terms.country,
        "active": bool(active),
    }
    with transaction.atomic():
        Provider.objects.select_for_update().filter(pk=provider.pk).first()
        profile = SpecialistProfile.objects.filter(provider=provider).first()
        before: dict[str, Any] | None = None
        if profile is None:
            profile = SpecialistProfile.objects.create(provider=provider, created_at=now, updated_at=now, **fields)
        else:
            before = {**_terms_of(profile)}
            for name, value in fields.items():
                setattr(profile, name, value)
            profile.updated_at = now
            profile.save()
        profile.specialties.set(terms.specialty_ids)
        audit_record(
            actor=actor,
            action="secondopinion.profile.created" if before is None else "secondopinion.profile.updated",
            target=profile,
            before=before,
            after=_terms_of(profile),
            now=now,
        )
    return profile


def _terms_of(profile: SpecialistProfile) -> dict[str, Any]:
    return {
        "specialties": sorted(profile.specialties.values_list("pk", flat=True)),
        "languages": list(profile.languages),
        "price_amount": profile.price_amount,
        "currency": profile.currency,
        "weekly_capacity": profile.weekly_capacity,
        "timezone": profile.timezone,
        "country": profile.country,
        "active": profile.active,
    }


# --- reads ---------------------------------------------------------------------------------------------


def practices_of_specialist(*, user: User | Any) -> QuerySet[Provider]:
    """The practitioners `user` works for: the practices that may give (or already give) opinions."""
    if not getattr(user, "is_authenticated", False):
        return Provider.objects.none()
    return (
        Provider.objects.filter(members__user=user, kind=ProviderKind.PRACTITIONER)
        .select_related("opinion_profile")
        .distinct()
        .order_by("name", "pk")
    )


def specialist_profiles_of(*, user: User | Any) -> QuerySet[SpecialistProfile]:
    if not getattr(user, "is_authenticated", False):
        return SpecialistProfile.objects.none()
    return SpecialistProfile.objects.filter(provider__members__user=user).select_related("provider").distinct()


def specialist_cases(*, user: User | Any) -> QuerySet[OpinionCase]:
    """The cases `user`'s practices were chosen for and may see, soonest due first."""
    if not getattr(user, "is_authenticated", False):
        return OpinionCase.objects.none()
    return (
        OpinionCase.objects.filter(specialist__provider__members__user=user)
        .filter(Q(status__in=SPECIALIST_SEES) | Q(status__in=SPECIALIST_SEES_IF_ACCEPTED, accepted_at__isnull=False))
        .select_related("specialist__provider", "specialty", "patient__patient_profile")
        .prefetch_related("questions")
        .distinct()
        .order_by("due_at", "accept_due_at", "pk")
    )


def specialist_case_get(*, user: User | Any, case_id: int) -> OpinionCase:
    """One case `user`'s practice was chosen for; any other id is "not found"."""
    case = specialist_cases(user=user).filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("You have no second-opinion request with this number."))
    return case


def _sees(case: OpinionCase, actor: Any) -> bool:
    if not getattr(actor, "is_authenticated", False) or case.specialist_id is None:
        return False
    if case.status not in SPECIALIST_SEES and not (
        case.status in SPECIALIST_SEES_IF_ACCEPTED and case.accepted_at is not None
    ):
        return False
    specialist = case.specialist
    return specialist is not None and specialist.provider.members.filter(user=actor).exists()


def _not_yours() -> Check:
    return refuse(NotFound(_("You have no second-opinion request with this number.")))


def accepted_this_week(*, specialist: SpecialistProfile, now: dt.datetime) -> int:
    """How many cases `specialist` accepted in the seven days up to `now` (the weekly capacity's count)."""
    return OpinionCase.objects.filter(
        specialist=specialist, accepted_at__gt=now - dt.timedelta(days=7), accepted_at__lte=now
    ).count()


def supplement_unpaid(case: OpinionCase) -> bool:
    """The patient chose a dearer specialist and has not paid the difference yet."""
    order = case.supplement_order
    return order is not None and order.paid_at is None and order.status not in PAID_ORDER_STATUSES


# --- accepting or declining ----------------------------------------------------------------------------


def case_accept_check(*, case: OpinionCase, actor: User | Any, now: dt.datetime) -> Check:
    """May `actor` accept `case` now: a member of the chosen specialist's practice, the case waiting
    for them (its supplement paid), before the time to answer ends, within their weekly capacity."""
    if not _sees(case, actor):
        return _not_yours()
    move = transition_check(machine=CASE, instance=case, target=CaseStatus.ACCEPTED)
    if case.status == CaseStatus.ACCEPTED:
        move = Conflict(_("You have already accepted this request."), code="already_accepted")
    if move is not None:
        return refuse(move)
    specialist = case.specialist
    assert specialist is not None  # noqa: S101 -- _sees checked it
    if supplement_unpaid(case):
        return refuse(
            Conflict(
                _("The patient has not paid yet: you can accept once they have paid for your opinion."),
                code="supplement_unpaid",
            )
        )
    if case.accept_due_at is not None and now > case.accept_due_at:
        return refuse(
            Conflict(
                _("The time to accept this request has passed: the patient will be asked to choose again."),
                code="accept_expired",
            )
        )
    if specialist.provider.status != VerificationStatus.VERIFIED:
        return refuse(
            Conflict(
                _("Your practice's registration is being checked again: you cannot accept new requests until then."),
                code="not_verified_practitioner",
            )
        )
    if accepted_this_week(specialist=specialist, now=now) >= specialist.weekly_capacity:
        return refuse(
            Conflict(
                _(
                    "You have already accepted %(count)d opinions in the last seven days, your weekly capacity: "
                    "decline this request so the patient can choose another specialist."
                )
                % {"count": specialist.weekly_capacity},
                code="capacity_full",
            )
        )
    return ALLOWED


def case_decline_check(*, case: OpinionCase, actor: User | Any) -> Check:
    """May `actor` decline `case`: a member of the chosen specialist's practice, before accepting."""
    if not _sees(case, actor):
        return _not_yours()
    if case.status == CaseStatus.ACCEPTED:
        return refuse(
            Conflict(_("You have accepted this request: write the opinion, or ask the careteam."), code="accepted")
        )
    move = transition_check(machine=CASE, instance=case, target=CaseStatus.DECLINED_BY_SPECIALIST)
    return refuse(move) if move is not None else ALLOWED


def _locked(case: OpinionCase) -> OpinionCase:
    return (
        OpinionCase.objects.select_for_update(of=("self",))
        .select_related("specialist__provider", "supplement_order", "patient")
        .get(pk=case.pk)
    )


def case_accept(*, case: OpinionCase, actor: User | Any, now: dt.datetime) -> OpinionCase:
    """The specialist accepts: from now on their practice reads the case's documents and the opinion
    is theirs to write; the patient and the coordinator are told."""
    from secondopinion import notifications

    with transaction.atomic():
        locked = _locked(case)
        if locked.specialist_id is not None:
            # One specialist's accepts in turn, so two at once cannot both take the last place.
            SpecialistProfile.objects.select_for_update().filter(pk=locked.specialist_id).first()
        case_accept_check(case=locked, actor=actor, now=now).enforce()
        moved = transition(
            machine=CASE,
            instance=locked,
            locked=True,
            target=CaseStatus.ACCEPTED,
            actor=actor,
            action="secondopinion.case.accepted",
            now=now,
            fields={"accepted_at": now},
            audit_after={"specialist": locked.specialist_id},
        ).instance
        notifications.notify_specialist_accepted(case=moved, now=now)
    return moved


def case_decline(*, case: OpinionCase, actor: User | Any, reason: str, now: dt.datetime) -> OpinionCase:
    """The specialist declines, with a reason: the case goes back to the patient's choice among the
    rest of the shortlist (clock paused); the patient and the coordinator are told."""
    from secondopinion import notifications

    reason = " ".join((reason or "").split())
    if not reason:
        message = _("Say briefly why you decline, for the coordinator.")
        raise ValidationFailed(message, code="reason_required", details={"reason": [message]})
    if len(reason) > MAX_REASON_CHARS:
        message = _("At most %(count)d characters.") % {"count": MAX_REASON_CHARS}
        raise ValidationFailed(message, code="reason_too_long", details={"reason": [message]})
    with transaction.atomic():
        locked = _locked(case)
        case_decline_check(case=locked, actor=actor).enforce()
        moved = transition(
            machine=CASE,
            instance=locked,
            locked=True,
            target=CaseStatus.DECLINED_BY_SPECIALIST,
            actor=actor,
            action="secondopinion.case.declined",
            now=now,
            reason=reason,
            audit_after={"specialist": locked.specialist_id},
        ).instance
        Candidate.objects.filter(case=moved, specialist_id=moved.specialist_id, declined_at__isnull=True).update(
            declined_at=now, decline_reason=reason
        )
        pause_open(case=moved, reason="choice", now=now)
        notifications.notify_specialist_declined(case=moved, now=now)
    return moved


# --- the opinion ---------------------------------------------------------------------------------------


def opinion_write_check(*, case: OpinionCase, actor: User | Any) -> Check:
    """May `actor` write (draft) the opinion of `case`: the specialist's practice, once accepted,
    until it is signed."""
    if not _sees(case, actor):
        return _not_yours()
    opinion = Opinion.objects.filter(case=case).first()
    if opinion is not None and opinion.signed_at is not None:
        return refuse(Conflict(_("This opinion is signed and sent: it can no longer change."), code="already_signed"))
    if case.status != CaseStatus.ACCEPTED or case.accepted_at is None:
        return refuse(Conflict(_("Accept the request before you write the opinion."), code="not_accepted"))
    return ALLOWED


def opinion_sign_check(*, case: OpinionCase, actor: User | Any) -> Check:
    """May `actor` sign the opinion of `case`: as for writing, with a draft saved."""
    write = opinion_write_check(case=case, actor=actor)
    if not write.allowed:
        return write
    if not Opinion.objects.filter(case=case).exists():
        return refuse(Conflict(_("Write and save the opinion before you sign it."), code="no_draft"))
    return ALLOWED


def _section_errors(values: dict[str, str], answers: list[str], questions: int) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    too_long = _("At most %(count)d characters.") % {"count": MAX_SECTION_CHARS}
    for name, value in values.items():
        if len(value) > MAX_SECTION_CHARS:
            errors[name] = [too_long]
    if len(answers) != questions:
        errors["answers"] = [
            _("Give one answer per question: %(expected)d expected, %(given)d given.")
            % {"expected": questions, "given": len(answers)}
        ]
    elif any(len(answer) > MAX_SECTION_CHARS for answer in answers):
        errors["answers"] = [too_long]
    return errors


def opinion_save_draft(
    *,
    case: OpinionCase,
    actor: User | Any,
    case_summary: str,
    diagnosis_review: str,
    answers: list[str],
    options: str,
    recommendation: str,
    in_person_advised: bool,
    now: dt.datetime,
) -> Opinion:
    """Save the opinion as written so far (sections may be empty): one answer per question, in order."""
    values = {
        "case_summary": (case_summary or "").strip(),
        "diagnosis_review": (diagnosis_review or "").strip(),
        "options": (options or "").strip(),
        "recommendation": (recommendation or "").strip(),
    }
    cleaned = [(answer or "").strip() for answer in answers]
    with transaction.atomic():
        locked = _locked(case)
        opinion_write_check(case=locked, actor=actor).enforce()
        errors = _section_errors(values, cleaned, locked.questions.count())
        if errors:
            raise ValidationFailed(
                _("Some parts of the opinion need correcting."), code="invalid_opinion", details=errors
            )
        opinion = Opinion.objects.select_for_update().filter(case=locked).first()
        created = opinion is None
        if opinion is None:
            assert locked.specialist is not None  # noqa: S101 -- accepted cases have one
            opinion = Opinion(case=locked, specialist=locked.specialist, created_at=now)
        for name, value in values.items():
            setattr(opinion, name, value)
        opinion.answers = cleaned
        opinion.in_person_advised = bool(in_person_advised)
        opinion.updated_at = now
        opinion.save()
        # The audit names the act, never the content (health information stays in the opinion).
        audit_record(
            actor=actor,
            action="secondopinion.opinion.drafted",
            target=opinion,
            after={"case": locked.pk, "created": created},
            now=now,
        )
    return opinion


def opinion_missing(opinion: Opinion) -> dict[str, list[str]]:
    """What still has to be written before `opinion` can be signed, by field."""
    errors: dict[str, list[str]] = {}
    for name in OPINION_SECTIONS:
        if not (getattr(opinion, name) or "").strip():
            errors[name] = [_("Fill in this part before you sign.")]
    questions = opinion.case.questions.count()
    answers = list(opinion.answers or [])
    if len(answers) != questions or any(not (answer or "").strip() for answer in answers):
        missing = [str(i + 1) for i in range(questions) if i >= len(answers) or not (answers[i] or "").strip()]
        errors["answers"] = [
            _("Answer every question before you sign (question %(numbers)s).") % {"numbers": ", ".join(missing)}
        ]
    return errors


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        code = "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))
        if not Opinion.objects.filter(verification_code=code).exists():
            return code


def opinion_sign(*, case: OpinionCase, actor: User | Any, now: dt.datetime) -> Opinion:
    """Sign the opinion: the PDF (with the specialist's register number and a verification code) is
    stored as the patient's medical document, the case is delivered and the patient told."""
    from secondopinion import notifications
    from secondopinion.opinion_pdf import render

    with transaction.atomic():
        locked = _locked(case)
        opinion_sign_check(case=locked, actor=actor).enforce()
        opinion = (
            Opinion.objects.select_for_update(of=("self",)).select_related("specialist__provider").get(case=locked)
        )
        opinion.case = locked
        missing = opinion_missing(opinion)
        if missing:
            raise ValidationFailed(
                _("The opinion is not complete: fill in every part and answer every question."),
                code="opinion_incomplete",
                details=missing,
            )
        opinion.signed_at = now
        opinion.signed_by = actor
        opinion.verification_code = _new_code()
        pdf = render(opinion)
        document = document_upload(
            owner=locked.patient,
            upload=ContentFile(pdf, name=f"second-opinion-{locked.pk}.pdf"),
            title=_("Second opinion #%(number)s") % {"number": locked.pk},
            now=now,
        )
        opinion.document = document
        opinion.updated_at = now
        opinion.save(update_fields=["signed_at", "signed_by", "verification_code", "document", "updated_at"])
        moved = transition(
            machine=CASE,
            instance=locked,
            locked=True,
            target=CaseStatus.OPINION_DELIVERED,
            actor=actor,
            action="secondopinion.opinion.signed",
            now=now,
            fields={"delivered_at": now},
            audit_after={"opinion": opinion.pk, "document": str(document.pk)},
        ).instance
        notifications.notify_opinion_delivered(case=moved, now=now)
    opinion.case = moved
    return opinion


# --- verification --------------------------------------------------------------------------------------


def opinion_by_code(*, code: str) -> Opinion | None:
    """The signed opinion a verification code names, or None (unknown, malformed, not signed)."""
    normalised = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    if len(normalised) != CODE_LENGTH:
        return None
    formatted = "-".join(normalised[i : i + 4] for i in range(0, CODE_LENGTH, 4))
    return (
        Opinion.objects.select_related("specialist__provider")
        .filter(verification_code=formatted, signed_at__isnull=False)
        .first()
    )


def opinion_signed_on(opinion: Opinion) -> dt.date | None:
    """The day the opinion was signed, in the specialist's timezone."""
    if opinion.signed_at is None:
        return None
    try:
        tz = zoneinfo.ZoneInfo(opinion.specialist.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(settings.SECOND_OPINION_TIMEZONE)
    return opinion.signed_at.astimezone(tz).date()
