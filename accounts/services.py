"""Writes for accounts: patient registration, consent to the terms of use, and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from accounts.models import ApiToken, Consent, ConsentPurpose, PatientProfile, TermsAcceptance, TermsVersion, User
from accounts.selectors import consent_current_version, consent_state, terms_current
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.personal_data import Subject
from core.when import valid_timezone, when_text, zone

logger = logging.getLogger(__name__)


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
    name_order: str = "given_first"  # accounts.models.NameOrder


def age_on(*, born: date, today: date) -> int:
    """Whole years between `born` and `today` (a 29 February birthday turns on 1 March)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def terms_consent_check(*, accepted_terms: bool) -> Check:
    """An account is only made for someone who accepts the terms of use."""
    if not accepted_terms:
        message = _("You must accept the terms of use to create an account.")
        return refuse(ValidationFailed(message, details={"accept_terms": [message]}))
    return ALLOWED


def health_data_consent_check(*, accepted_health_data: bool) -> Check:
    """An account is only made for someone who lets us process their health data to arrange their
    care: without it nothing the service does (quotes, documents, second opinions) can work."""
    if not accepted_health_data:
        message = _("You must agree to the processing of your health data to arrange your care.")
        return refuse(ValidationFailed(message, details={"accept_health_data": [message]}))
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


def patient_registration_check(
    *, details: PatientDetails, accepted_terms: bool, today: date, accepted_health_data: bool = True
) -> Check:
    """Whether these sign-up details keep the rules; refused with a ValidationFailed carrying a
    message per field (every broken rule, not only the first).

    Read by the sign-up form before anything is written, so that a refused sign-up creates
    nothing (no user, no e-mail address, no profile).
    """
    return _every_refusal(
        terms_consent_check(accepted_terms=accepted_terms),
        health_data_consent_check(accepted_health_data=accepted_health_data),
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
def patient_register(
    *, user: User, details: PatientDetails, now: datetime, timezone_name: str = "", marketing: bool = False
) -> PatientProfile:
    """Create the patient profile of a new account and record its consents: to the current terms,
    to the processing of health data (required by the form, `health_data_consent_check`) and, when
    ticked, to marketing e-mails (docs/decisions.md, "Consents").

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
    consent_give(user=user, purpose=ConsentPurpose.HEALTH_DATA, now=now)
    if marketing:
        consent_give(user=user, purpose=ConsentPurpose.MARKETING, now=now)
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
    # The consents' history lists the terms beside the other purposes (one row per version accepted).
    Consent.objects.create(user=user, purpose=ConsentPurpose.TERMS, version=terms.version, given_at=now)
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


def user_language_set(*, user: User, language: str, now: datetime) -> User:
    """Keep the language `user` chose (the header's switch, "My account"): on the patient profile
    when there is one, else on the account; an unknown code is refused."""
    user_language_check(language=language).enforce()
    profile = getattr(user, "patient_profile", None)
    holder, field = (profile, "preferred_language") if profile is not None else (user, "language")
    before = getattr(holder, field)
    if before != language:
        setattr(holder, field, language)
        holder.save(update_fields=[field, "updated_at"] if holder is profile else [field])
        audit_record(
            actor=user,
            action="accounts.language.updated",
            target=user,
            before={"language": before},
            after={"language": language},
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


def sessions_delete(*, user_id: int) -> int:
    """Delete the database sessions signed in as `user_id` (read by decoding each live one)."""
    wanted = str(user_id)
    doomed = []
    for session in Session.objects.all().iterator():
        try:
            data = session.get_decoded()
        except Exception:  # a session that cannot be decoded is signed in as nobody  # noqa: S112
            continue
        if str(data.get("_auth_user_id", "")) == wanted:
            doomed.append(session.pk)
    if doomed:
        Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def mfa_reset(*, user: User, actor: User | None, reason: str, now: datetime) -> int:
    """Support's answer to a lost device: remove every second factor of `user` (who then sets up a
    new one at their next sign-in, before anything else), end their sessions and revoke their API
    tokens. Audited with
    the reason (how the person's identity was checked). Returns how many authenticators there were."""
    if not reason.strip():
        raise ValidationFailed(_("Say how the person's identity was checked."), code="reason_required")
    authenticators = Authenticator.objects.filter(user=user)
    kinds = sorted(authenticators.values_list("type", flat=True))
    authenticators.delete()
    api_tokens_revoke_all(user=user, actor=actor, reason="mfa_reset", now=now)
    # Whoever holds the lost device may still be signed in on it: every session ends.
    sessions = sessions_delete(user_id=user.pk)
    audit_record(
        actor=actor,
        action="accounts.mfa.reset",
        target=user,
        before={"authenticators": kinds, "sessions": sessions},
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


# --- Consents (docs/decisions.md "Consents") -----------------------------------------------------

WITHDRAWABLE_PURPOSES = (ConsentPurpose.HEALTH_DATA, ConsentPurpose.MARKETING)


def _purpose_check(purpose: str) -> Check:
    if purpose not in ConsentPurpose.values:
        message = _("Choose one of the consents listed: terms, health data or marketing.")
        return refuse(ValidationFailed(message, code="unknown_purpose", details={"purpose": [message]}))
    if purpose == ConsentPurpose.TERMS:
        return refuse(
            Conflict(
                _(
                    "The terms of use cannot be withdrawn on their own: they are what your account rests on. "
                    "To stop, close your account on Your data → Erasure."
                ),
                code="terms_not_withdrawable",
            )
        )
    return ALLOWED


def consent_give_check(*, user: User, purpose: str) -> Check:
    """Whether `user` can give (again) their consent to `purpose`: the health data and marketing
    consents only (the terms are accepted through their own page, TermsVersion)."""
    return _purpose_check(purpose)


def consent_withdraw_check(*, user: User, purpose: str) -> Check:
    """Whether `user` can withdraw their consent to `purpose`: one they gave and have not withdrawn."""
    check = _purpose_check(purpose)
    if not check:
        return check
    consent = consent_state(user, purpose)
    if consent is None or consent.withdrawn_at is not None:
        return refuse(Conflict(_("You have not given this consent: there is nothing to withdraw."), code="not_given"))
    return ALLOWED


def consent_give(*, user: User, purpose: str, now: datetime) -> Consent:
    """Record that `user` consents to the current version of `purpose`'s text at `now`. Already
    given to that version: the row as it is (giving twice records nothing)."""
    consent_give_check(user=user, purpose=purpose).enforce()
    version = consent_current_version(purpose)
    with transaction.atomic():
        # Lock the person's row: two clicks at once record one consent.
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_state(user, purpose)
        if current is not None and current.withdrawn_at is None and current.version == version:
            return current
        consent = Consent.objects.create(user=user, purpose=purpose, version=version, given_at=now)
        audit_record(
            actor=user,
            action="accounts.consent.given",
            target=consent,
            after={"purpose": purpose, "version": version},
            now=now,
        )
    return consent


def consent_withdraw(*, user: User, purpose: str, now: datetime) -> Consent:
    """Withdraw `user`'s consent to `purpose` at `now` (the row stays, with its withdrawal time).

    Withdrawing the health-data consent stops new sharing (`consent_required_check`, read by every
    service that sends documents or a request to providers); what was already shared stays until
    it ends or the person revokes it. Withdrawing twice changes nothing."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        current = consent_state(user, purpose)
        if current is not None and current.withdrawn_at is not None and _purpose_check(purpose):
            return current
        consent_withdraw_check(user=user, purpose=purpose).enforce()
        if current is None:  # the check refuses when there is nothing to withdraw
            raise AssertionError("nothing to withdraw")
        current.withdrawn_at = max(now, current.given_at)
        current.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=user,
            action="accounts.consent.withdrawn",
            target=current,
            after={"purpose": purpose, "version": current.version},
            now=now,
        )
    return current


def consent_required_check(*, user: User, purpose: str = ConsentPurpose.HEALTH_DATA) -> Check:
    """Refused when `user` withdrew their consent to `purpose` (the newest row is withdrawn): read
    by every service that sends a person's documents or request to providers (quote requests,
    second opinions, document grants). A person with no row at all is not refused: every account
    that accepted the terms before consents existed was given one by accounts 0008, and sign-up
    records one (docs/decisions.md, "Consents")."""
    consent = consent_state(user, purpose)
    if consent is None or consent.withdrawn_at is None:
        return ALLOWED
    message = _(
        "You withdrew your consent to the processing of your health data on %(date)s: we cannot send "
        "your documents or request to providers. Give it again on Your data → Consents to continue."
    ) % {"date": when_text(consent.withdrawn_at, zone(user.timezone), date_only=True)}
    return refuse(Conflict(message, code="consent_withdrawn"))


# --- Retention: unverified accounts (docs/decisions.md "Retention") ---------------------------------

# What an account that never confirmed its e-mail address may hold and still be deleted: the account
# itself and what sign-up made. Anything else (a document, a request, a booking, a payment, a message
# log row) means the person used the service: the account is left for them (or their erasure).
_SIGNUP_ONLY_MODELS = frozenset(
    {
        "accounts.user",
        "accounts.patientprofile",
        "accounts.termsacceptance",
        "accounts.consent",
        "accounts.apitoken",
        "account.emailaddress",
        "account.emailconfirmation",
        "mfa.authenticator",
        "notifications.notificationpreference",
        "core.idempotencyrecord",
    }
)


def _holds_only_signup_records(user: User) -> bool:
    """Whether deleting `user` would delete nothing but what sign-up made (and nothing protected)."""
    from django.db import router
    from django.db.models.deletion import Collector, ProtectedError, RestrictedError

    collector = Collector(using=router.db_for_write(User))
    try:
        collector.collect([user])
    except (ProtectedError, RestrictedError):
        return False
    labels = {model._meta.label_lower for model, objects in collector.data.items() if objects}
    labels |= {qs.model._meta.label_lower for qs in collector.fast_deletes if qs.exists()}
    # SET_NULL relations: rows elsewhere that name the person (a query set or a list of rows each).
    for (field, _value), batches in collector.field_updates.items():
        if any(batch.exists() if isinstance(batch, QuerySet) else bool(batch) for batch in batches):
            labels.add(field.model._meta.label_lower)
    return labels <= _SIGNUP_ONLY_MODELS


def unverified_accounts_delete(*, now: datetime, batch_size: int | None = None) -> int:
    """Delete the accounts made more than RETENTION_UNVERIFIED_ACCOUNT_DAYS ago whose e-mail address
    was never confirmed (allauth's EmailAddress, none verified), that never signed in, are not staff,
    and hold nothing but what sign-up made: the person never came back to use them. Audited (the
    account's id only). At most `batch_size` per run; returns how many."""
    from allauth.account.models import EmailAddress

    cutoff = now - timedelta(days=settings.RETENTION_UNVERIFIED_ACCOUNT_DAYS)
    limit = batch_size or settings.RETENTION_BATCH_SIZE
    verified = EmailAddress.objects.filter(verified=True).values("user_id")
    candidates = (
        User.objects.filter(
            date_joined__lt=cutoff,
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
            emailaddress__verified=False,
        )
        .exclude(pk__in=verified)
        .distinct()
        .order_by("date_joined")
    )
    deleted = 0
    for user in candidates[:limit]:
        with transaction.atomic():
            locked = User.objects.select_for_update().filter(pk=user.pk).first()
            if locked is None or not _holds_only_signup_records(locked):
                continue
            user_id = locked.pk
            audit_record(
                actor=None, action="accounts.user.unverified_deleted", target=locked, after={"user": user_id}, now=now
            )
            locked.delete()
            deleted += 1
    logger.info("retention: %d unverified accounts deleted (made before %s)", deleted, cutoff.isoformat())
    return deleted
