"""Writes for accounts: patient registration, consent to the terms of use, and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from accounts.models import ApiToken, PatientProfile, TermsAcceptance, TermsVersion, User
from accounts.selectors import terms_current
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import NotFound, ValidationFailed
from core.personal_data import Subject
from core.when import valid_timezone


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


def terms_consent_check(*, accepted_terms: bool) -> Check:
    """An account is only made for someone who accepts the terms of use."""
    if not accepted_terms:
        message = _("You must accept the terms of use to create an account.")
        return refuse(ValidationFailed(message, details={"accept_terms": [message]}))
    return ALLOWED


def patient_age_check(*, date_of_birth: date, acts_as_representative: bool, today: date) -> Check:
    """A plausible date of birth, and a minor only through a legal representative (sign-up and
    "My account" alike)."""
    born = date_of_birth
    message = ""
    if born > today:
        message = _("The date of birth cannot be in the future.")
    elif today.year - born.year > 130:
        message = _("Check the date of birth: the year looks wrong.")
    elif age_on(born=born, today=today) < settings.LEGAL_AGE_YEARS and not acts_as_representative:
        message = _(
            "Patients under %(age)d must be registered by a parent or legal guardian. "
            "If that is you, tick “I am the patient's legal representative”."
        ) % {"age": settings.LEGAL_AGE_YEARS}
    if message:
        return refuse(ValidationFailed(message, details={"date_of_birth": [message]}))
    return ALLOWED


def _every_refusal(*checks: Check) -> Check:
    """Allowed when every check is; else one ValidationFailed carrying every field's messages (so a
    form shows all its errors at once), led by the first."""
    errors: dict[str, list[str]] = {}
    for check in checks:
        for field, messages in (check.refusal.details or {}).items() if check.refusal else ():
            errors.setdefault(field, []).extend(messages)
    if errors:
        return refuse(ValidationFailed(next(iter(errors.values()))[0], details=errors))
    return ALLOWED


def patient_registration_check(*, details: PatientDetails, accepted_terms: bool, today: date) -> Check:
    """Whether these sign-up details keep the rules; refused with a ValidationFailed carrying a
    message per field (every broken rule, not only the first).

    Read by the sign-up form before anything is written, so that a refused sign-up creates
    nothing (no user, no e-mail address, no profile).
    """
    return _every_refusal(
        terms_consent_check(accepted_terms=accepted_terms),
        patient_age_check(
            date_of_birth=details.date_of_birth,
            acts_as_representative=details.acts_as_representative,
            today=today,
        ),
    )


def patient_register_check(*, now: datetime) -> Check:
    """Whether sign-up is open: consent needs terms of use in force to consent to."""
    if terms_current(now=now) is None:
        return refuse(ValidationFailed(_("Sign-up is closed until terms of use are published."), code="no_terms"))
    return ALLOWED


@transaction.atomic
def patient_register(*, user: User, details: PatientDetails, now: datetime, timezone_name: str = "") -> PatientProfile:
    """Create the patient profile of a new account and record its consent to the current terms.

    `timezone_name` is the one the browser reported at sign-up: kept when it is a real IANA name,
    ignored otherwise (it is input, and the person can set it on "My account")."""
    patient_register_check(now=now).enforce()
    if valid_timezone(timezone_name) and not user.timezone:
        user.timezone = timezone_name
        user.save(update_fields=["timezone"])
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


# --- My account: the profile and the viewer's settings --------------------------------------------


def user_timezone_check(*, timezone_name: str) -> Check:
    """An IANA timezone this machine knows ("Europe/London"), or empty for "my browser's"."""
    if timezone_name and not valid_timezone(timezone_name):
        message = _("“%(name)s” is not a timezone we know: choose one from the list, such as Europe/London.") % {
            "name": timezone_name[:64]
        }
        return refuse(ValidationFailed(message, details={"timezone": [message]}))
    return ALLOWED


def user_language_check(*, language: str) -> Check:
    if language not in dict(settings.LANGUAGES):
        message = _("Choose one of the languages of the list.")
        return refuse(ValidationFailed(message, details={"preferred_language": [message]}))
    return ALLOWED


def user_settings_update(*, user: User, timezone_name: str, now: datetime) -> User:
    """Change the timezone deadlines are shown in (every account, staff too)."""
    user_timezone_check(timezone_name=timezone_name).enforce()
    if user.timezone != timezone_name:
        before = user.timezone
        user.timezone = timezone_name
        user.save(update_fields=["timezone"])
        audit_record(
            actor=user,
            action="accounts.settings.updated",
            target=user,
            before={"timezone": before},
            after={"timezone": timezone_name},
            now=now,
        )
    return user


def patient_profile_update_check(*, user: User, details: PatientDetails, today: date) -> Check:
    """The patient's own details, under the rules of sign-up (a minor only through a representative)."""
    if getattr(user, "patient_profile", None) is None:
        return refuse(NotFound(_("This account has no patient profile."), code="no_profile"))
    return _every_refusal(
        user_language_check(language=details.preferred_language),
        patient_age_check(
            date_of_birth=details.date_of_birth,
            acts_as_representative=details.acts_as_representative,
            today=today,
        ),
    )


@transaction.atomic
def patient_profile_update(*, user: User, details: PatientDetails, now: datetime) -> PatientProfile:
    """Save the patient's details changed on "My account" (page or API); audited with what changed."""
    patient_profile_update_check(user=user, details=details, today=now.date()).enforce()
    profile = PatientProfile.objects.select_for_update().get(user=user)
    changed = []
    for name, value in asdict(details).items():
        if str(getattr(profile, name)) != str(value):
            changed.append(name)
            setattr(profile, name, value)
    if changed:
        profile.save()
        # The names of the fields only: the audit log keeps no copy of personal details.
        audit_record(actor=user, action="accounts.profile.updated", target=profile, after={"fields": changed}, now=now)
    return profile


# --- API tokens (docs/decisions.md#api-tokens) ---------------------------------------------------

DEVICE_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length or 100


def api_token_create(*, user: User, device: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for one of `user`'s devices: the row (holding only a digest) and the secret,
    which the caller shows once and which cannot be read back afterwards."""
    name = device.strip() if isinstance(device, str) else ""
    if not name:
        message = _('Name the device this token is for, for example "Alice\'s iPhone".')
        raise ValidationFailed(message, details={"device": [message]})
    if len(name) > DEVICE_NAME_MAX_LENGTH:
        message = _("The device name is too long (%(max)d characters at most).") % {"max": DEVICE_NAME_MAX_LENGTH}
        raise ValidationFailed(message, details={"device": [message]})
    digest, secret = get_digest_token()
    token = ApiToken(
        user=user,
        name=name,
        digest=digest,
        token_key=secret[: CONSTANTS.TOKEN_KEY_LENGTH],  # knox's lookup prefix, not enough to sign in
        expiry=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    token.save(force_insert=True)
    # The device's name stays out of the append-only trail: people name devices after themselves.
    audit_record(actor=user, action="accounts.api_token.created", target=token, now=now)
    return token, secret


def api_token_revoke_check(*, actor: User, token: ApiToken) -> Check:
    """Its owner revokes a token, and so may an administrator (the admin site); anyone else is told
    it does not exist."""
    if token.user_id != actor.pk and not actor.is_superuser:
        return refuse(NotFound(_("No such API token."), code="not_found"))
    return ALLOWED


def api_token_revoke(*, actor: User, token: ApiToken, now: datetime) -> None:
    """Revoke one token: it stops working at once."""
    api_token_revoke_check(actor=actor, token=token).enforce()
    audit_record(actor=actor, action="accounts.api_token.revoked", target=token, now=now)
    token.delete()


def api_tokens_revoke_all(*, user: User, actor: User | None, reason: str, now: datetime) -> int:
    """Revoke every token of `user` (they asked, or their password or second factor changed).
    Returns how many there were."""
    tokens = ApiToken.objects.filter(user=user)
    count = tokens.count()
    if count:
        tokens.delete()
        audit_record(
            actor=actor,
            action="accounts.api_tokens.revoked",
            target=user,
            after={"reason": reason, "count": count},
            now=now,
        )
    return count


def api_tokens_delete_expired(*, now: datetime) -> int:
    """Delete the tokens past their expiry (knox refuses them already); returns how many."""
    deleted, _by_model = ApiToken.objects.filter(expiry__lte=now).delete()
    return deleted


def mfa_reset(*, user: User, actor: User | None, reason: str, now: datetime) -> int:
    """Support's answer to a lost device: remove every second factor of `user` (who then sets up a
    new one at their next sign-in, before anything else) and revoke their API tokens. Audited with
    the reason (how the person's identity was checked). Returns how many authenticators there were."""
    if not reason.strip():
        raise ValidationFailed(_("Say how the person's identity was checked."), code="reason_required")
    authenticators = Authenticator.objects.filter(user=user)
    kinds = sorted(authenticators.values_list("type", flat=True))
    authenticators.delete()
    api_tokens_revoke_all(user=user, actor=actor, reason="mfa_reset", now=now)
    audit_record(
        actor=actor,
        action="accounts.mfa.reset",
        target=user,
        before={"authenticators": kinds},
        after={"reason": reason.strip()},
        now=now,
    )
    return len(kinds)


# --- Erasure (privacy; docs/decisions.md, "Personal data") ---------------------------------------


def erasure_pseudonym(*, user_id: int) -> str:
    """ "Erased person 3f9a01bc": the same for one person everywhere (ledger, invoices, redacted
    texts), and not reversible without the secret key (an HMAC of the id, not the id itself)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"erased-person:{user_id}".encode(), hashlib.sha256).hexdigest()
    return f"Erased person {digest[:8]}"


def erased_email(*, user_id: int) -> str:
    """The address an erased account, and whatever named its address, keeps: it can receive nothing."""
    return f"erased-{user_id}@erased.invalid"


def _phone_forms(phone: object) -> list[str]:
    """The ways a number is written: E.164, national and international, with and without spaces."""
    import phonenumbers

    number = getattr(phone, "_phonenumber", phone) if phone else None
    if not isinstance(number, phonenumbers.PhoneNumber):
        return [str(phone)] if phone else []
    forms = [
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
    ]
    compact = [re.sub(r"[\s().-]", "", form) for form in forms]
    return [*forms, *compact]


def _date_forms(born: date) -> list[str]:
    """A date of birth as it is written: ISO, "3 March 1985", "March 3, 1985", "03/03/1985"."""
    month = _MONTHS[born.month - 1]
    return [
        born.isoformat(),
        f"{born.day} {month} {born.year}",
        f"{born.day:02d} {month} {born.year}",
        f"{month} {born.day}, {born.year}",
        f"{born.day:02d}/{born.month:02d}/{born.year}",
        f"{born.month:02d}/{born.day:02d}/{born.year}",
        f"{born.day:02d}.{born.month:02d}.{born.year}",
    ]


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def erasure_subject(user: User) -> Subject:
    """The person as the erasure sees them, read BEFORE anything is erased (privacy's erasure calls
    it first, and every app's `erase` receives it): the pseudonym that replaces them, their
    address, and the strings that name them in free text (names, address, phone, date of birth).

    Names shorter than 3 characters are left out: redacting "Li" would garble every text."""
    strings: list[str] = [user.email]
    profile = PatientProfile.objects.filter(user=user).first()
    if profile is not None:
        strings += [profile.full_name, profile.first_name, profile.last_name]
        strings += _phone_forms(profile.phone)
        strings += _date_forms(profile.date_of_birth)
    unique: list[str] = []
    for string in strings:
        string = (string or "").strip()
        if len(string) >= 3 and string.lower() not in {s.lower() for s in unique}:
            unique.append(string)
    return Subject(
        user_id=user.pk,
        pseudonym=erasure_pseudonym(user_id=user.pk),
        email=user.email,
        strings=tuple(unique),
    )
