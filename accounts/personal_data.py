"""What accounts holds about a person, and how it is exported and erased (`core.personal_data`).

Accounts also declares allauth's models (e-mail addresses, their confirmations, second factors) on
their behalf. Its erasure runs last (order 1000): the others read the person's names from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, Consent, PatientProfile, TermsAcceptance, User
from accounts.services import erased_email, sessions_delete
from core.audit import audit_record
from core.personal_data import Declaration, Kept, Subject

# Proof that a person consented (terms, health data, marketing) is kept for the limitation period
# of a claim about that consent (French Civil Code, article 2224: 5 years).
CONSENT_PROOF_YEARS = 5


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User, now: dt.datetime) -> dict[str, Any]:
    profile = PatientProfile.objects.filter(user=person).first()
    return {
        "account": {
            "id": person.pk,
            "email": person.email,
            "timezone": person.timezone,
            "language": person.language,
            "date_joined": _iso(person.date_joined),
            "last_login": _iso(person.last_login),
            "is_active": person.is_active,
        },
        "profile": None
        if profile is None
        else {
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "name_order": profile.name_order,
            "phone": str(profile.phone),
            "date_of_birth": _iso(profile.date_of_birth),
            "gender": profile.gender,
            "nationality": str(profile.nationality),
            "preferred_language": profile.preferred_language,
            "preferred_currency": profile.preferred_currency,
            "acts_as_representative": profile.acts_as_representative,
            "created_at": _iso(profile.created_at),
            "updated_at": _iso(profile.updated_at),
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=person).order_by("pk")
        ],
        "consents": [
            {
                "purpose": consent.purpose,
                "version": consent.version,
                "given_at": _iso(consent.given_at),
                "withdrawn_at": _iso(consent.withdrawn_at),
            }
            for consent in Consent.objects.filter(user=person).order_by("given_at", "pk")
        ],
        "terms_acceptances": [
            {"version": acceptance.terms_version.version, "accepted_at": _iso(acceptance.accepted_at)}
            for acceptance in TermsAcceptance.objects.filter(user=person)
            .select_related("terms_version")
            .order_by("accepted_at", "pk")
        ],
        # Never the digest nor the lookup prefix: what the person sees on "My account".
        "api_tokens": [
            {
                "id": token.pk,
                "device": token.name,
                "created": _iso(token.created),
                "expiry": _iso(token.expiry),
                "last_used_at": _iso(token.last_used_at),
            }
            for token in ApiToken.objects.filter(user=person).order_by("created", "pk")
        ],
        "second_factors": [
            {"type": authenticator.type, "created_at": _iso(authenticator.created_at)}
            for authenticator in Authenticator.objects.filter(user=person).order_by("pk")
        ],
    }


@transaction.atomic
def erase(subject: Subject, now: dt.datetime) -> None:
    """Close the account: profile deleted, address replaced, password unusable, tokens, second
    factors, e-mail addresses and sessions gone. Terms acceptances and consents stay (ids and dates:
    see `kept`). Safe to run again."""
    user = User.objects.select_for_update().filter(pk=subject.user_id).first()
    if user is None:
        return
    changed = PatientProfile.objects.filter(user=user).delete()[0] > 0
    changed |= ApiToken.objects.filter(user=user).delete()[0] > 0
    changed |= EmailConfirmation.objects.filter(email_address__user=user).delete()[0] > 0
    changed |= EmailAddress.objects.filter(user=user).delete()[0] > 0
    changed |= Authenticator.objects.filter(user=user).delete()[0] > 0
    address = erased_email(user_id=user.pk)
    if user.email != address or user.is_active or user.has_usable_password() or user.timezone:
        changed = True
        user.email = address
        user.set_unusable_password()  # also changes the session hash: any session left is refused
        user.is_active = False
        user.timezone = ""
        user.save(update_fields=["email", "password", "is_active", "timezone"])
    changed |= sessions_delete(user_id=user.pk) > 0
    if changed:
        audit_record(actor=None, action="accounts.user.erased", target=user, now=now)


def kept(person: User, now: dt.datetime) -> list[Kept]:
    dates = [
        *Consent.objects.filter(user=person).values_list("given_at", "withdrawn_at"),
        *((at, None) for at in TermsAcceptance.objects.filter(user=person).values_list("accepted_at", flat=True)),
    ]
    items = [
        Kept(
            what=str(_("Your account's number, closed, under an address that receives nothing")),
            why=str(_("The records we must keep (payments, invoices) refer to it; it names nobody.")),
        ),
    ]
    if dates:
        last = max(max(given, withdrawn or given) for given, withdrawn in dates)
        items.append(
            Kept(
                what=str(_("Which versions of the terms and consents you accepted or withdrew, and when (dates only)")),
                why=str(
                    _("Proof of consent, for the limitation period of a claim about it: %(years)d years.")
                    % {"years": CONSENT_PROOF_YEARS}
                ),
                until=(last + dt.timedelta(days=365 * CONSENT_PROOF_YEARS + 2)).date(),
            )
        )
    return items


DECLARATION = Declaration(
    app="accounts",
    order=1000,
    models={
        settings.AUTH_USER_MODEL: _("Your e-mail address, password hash, timezone and sign-in dates"),
        "accounts.PatientProfile": _(
            "Your name, phone, date of birth, gender, nationality, language and currency preferences"
        ),
        "accounts.TermsAcceptance": _("Which versions of the terms of use you accepted, and when"),
        "accounts.Consent": _("The consents you gave and withdrew (terms, health data, marketing), and when"),
        "accounts.ApiToken": _("Your API tokens: the device's name, dates of creation, expiry and last use"),
        "account.EmailAddress": _("Your e-mail addresses and whether they are verified"),
        "account.EmailConfirmation": _("Links sent to confirm your e-mail address"),
        "mfa.Authenticator": _("Your second factors (authenticator app, recovery codes)"),
    },
    export=export,
    erase=erase,
    erased=_(
        "Your profile (name, phone, date of birth, nationality, gender), your e-mail address, password, "
        "API tokens, second factors and sessions; the account is closed."
    ),
    kept=kept,
)
