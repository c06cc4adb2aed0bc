"""Writes for accounts: patient registration and consent to the terms of use."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import PatientProfile, TermsAcceptance, TermsVersion, User
from accounts.selectors import terms_current
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import ValidationFailed


@dataclass(frozen=True, kw_only=True)
class PatientDetails:
    """What the terms ask a patient to give (docs/decisions.md#patients-and-representatives)."""

    first_name: str
    last_name: str
    phone: object  # phonenumbers.PhoneNumber, already parsed and checked by the form
    date_of_birth: date
    gender: str
    nationality: str
    preferred_language: str
    preferred_currency: str
    acts_as_representative: bool = False


def age_on(*, born: date, today: date) -> int:
    """Whole years between `born` and `today` (a 29 February birthday turns on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def patient_registration_check(*, details: PatientDetails, accepted_terms: bool, today: date) -> Check:
    """Whether these sign-up details keep the rules; refused with a ValidationFailed carrying a
    message per field.

    Read by the sign-up form before anything is written, so that a refused sign-up creates
    nothing (no user, no e-mail address, no profile).
    """
    errors: dict[str, list[str]] = {}
    if not accepted_terms:
        errors.setdefault("accept_terms", []).append(_("You must accept the terms of use to create an account."))
    born = details.date_of_birth
    if born > today:
        errors.setdefault("date_of_birth", []).append(_("The date of birth cannot be in the future."))
    elif today.year - born.year > 130:
        errors.setdefault("date_of_birth", []).append(_("Check the date of birth: the year looks wrong."))
    elif age_on(born=born, today=today) < settings.LEGAL_AGE_YEARS and not details.acts_as_representative:
        errors.setdefault("date_of_birth", []).append(
            _(
                "Patients under %(age)d must be registered by a parent or legal guardian. "
                "If that is you, tick “I am the patient's legal representative”."
            )
            % {"age": settings.LEGAL_AGE_YEARS}
        )
    if errors:
        first = next(iter(errors.values()))[0]
        return refuse(ValidationFailed(first, details=errors))
    return ALLOWED


def patient_register_check(*, now: datetime) -> Check:
    """Whether sign-up is open: consent needs terms of use in force to consent to."""
    if terms_current(now=now) is None:
        return refuse(ValidationFailed(_("Sign-up is closed until terms of use are published."), code="no_terms"))
    return ALLOWED


@transaction.atomic
def patient_register(*, user: User, details: PatientDetails, now: datetime) -> PatientProfile:
    """Create the patient profile of a new account and record its consent to the current terms."""
    patient_register_check(now=now).enforce()
    terms = terms_current(now=now)
    if terms is None:  # withdrawn since the check: not possible, published terms stay published
        raise AssertionError("no terms of use in force")
    profile = PatientProfile.objects.create(user=user, **asdict(details))
    audit_record(
        actor=user,
        action="accounts.patient.registered",
        target=profile,
        after={"acts_as_representative": details.acts_as_representative},
        now=now,
    )
    terms_accept(user=user, terms=terms, now=now)
    return profile


def terms_accept(*, user: User, terms: TermsVersion, now: datetime) -> TermsAcceptance:
    """Record that `user` accepted `terms` at `now`. Accepting twice keeps the first time."""
    try:
        with transaction.atomic():
            acceptance = TermsAcceptance.objects.create(user=user, terms_version=terms, accepted_at=now)
    except IntegrityError:
        return TermsAcceptance.objects.get(user=user, terms_version=terms)
    audit_record(
        actor=user,
        action="accounts.terms.accepted",
        target=acceptance,
        after={"version": terms.version},
        now=now,
    )
    return acceptance


def terms_publish(*, actor: User | None, version: str, summary: str, now: datetime) -> TermsVersion:
    """Publish a new version: every user is asked to accept it at their next request."""
    terms, created = TermsVersion.objects.get_or_create(
        version=version, defaults={"published_at": now, "summary": summary}
    )
    if created:
        audit_record(actor=actor, action="accounts.terms.published", target=terms, after={"version": version}, now=now)
    return terms
