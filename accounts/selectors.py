"""Reads for accounts."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import ApiToken, Consent, ConsentPurpose, StaffGroup, TermsVersion, User
from core import hooks
from core.locales import site_language


def terms_current(*, now: datetime) -> TermsVersion | None:
    """The terms in force at `now`: the newest version published by then."""
    return TermsVersion.objects.filter(published_at__lte=now).order_by("-published_at").first()


def user_must_accept_terms(*, user: User, now: datetime) -> TermsVersion | None:
    """The version `user` still has to accept, or None when they are up to date."""
    terms = terms_current(now=now)
    if terms is None or terms.acceptances.filter(user=user).exists():
        return None
    return terms


def user_language(*, user) -> str:
    """The language `user` chose: the patient profile's, else the account's (staff and provider
    members), "" when none is chosen or it is no longer offered (docs/decisions.md, "Languages")."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    profile = getattr(user, "patient_profile", None)
    if profile is not None:
        return site_language(profile.preferred_language)
    return site_language(getattr(user, "language", ""))


def user_roles(*, user: User) -> list[str]:
    """The roles a user holds, as the API and the pages name them."""
    names = set(user.groups.values_list("name", flat=True))
    roles = [group for group in StaffGroup.values if group in names]
    if hasattr(user, "patient_profile"):
        roles.insert(0, "patient")
    if user.is_superuser:
        roles.append("admin")
    return roles


def user_privileged_roles(*, user: User) -> list[str]:
    """The roles that let `user` read other people's data or move money: admin, staff groups, and
    whatever higher floors answer through `core.hooks.privileged_roles` (provider membership)."""
    roles = [role for role in user_roles(user=user) if role != "patient"]
    if user.is_staff and not roles:
        roles.append("staff")
    for answer in hooks.privileged_roles.call(user):
        roles.extend(role for role in answer if role not in roles)
    return roles


def user_requires_mfa(*, user: User) -> bool:
    """Admins, staff and provider members must sign in with a second factor (docs/decisions.md)."""
    return bool(user.is_authenticated and user_privileged_roles(user=user))


def user_api_tokens(*, user: User, now: datetime) -> QuerySet[ApiToken]:
    """The API tokens `user` holds that still work at `now`, newest first."""
    return ApiToken.objects.filter(user=user).filter(Q(expiry__isnull=True) | Q(expiry__gt=now)).order_by("-created")


def user_profile_values(*, user: User) -> dict:
    """What "My account" shows: the timezone, the site's language and the patient's details, as a
    form's initial values (dates as ISO text, the phone in international format)."""
    from django.utils import translation

    profile = getattr(user, "patient_profile", None)
    values: dict = {"timezone": user.timezone, "language": user_language(user=user) or translation.get_language()}
    if profile is not None:
        values |= {
            "first_name": profile.first_name,
            "last_name": profile.last_name,
            "name_order": profile.name_order,
            "phone": profile.phone.as_international if profile.phone else "",
            "date_of_birth": profile.date_of_birth.isoformat(),
            "gender": profile.gender,
            "nationality": profile.nationality.code,
            "preferred_language": profile.preferred_language,
            "preferred_currency": profile.preferred_currency,
            "acts_as_representative": profile.acts_as_representative,
        }
    return values


def consent_state(user: User, purpose: str) -> Consent | None:
    """`user`'s consent to `purpose` as it stands: the newest row of that purpose (withdrawn when
    its `withdrawn_at` is set), or None when they were never asked (docs/decisions.md, "Consents")."""
    return Consent.objects.filter(user=user, purpose=purpose).order_by("-given_at", "-id").first()


def consent_current_version(purpose: str) -> str:
    """The version of the text of `purpose` in force: the newest terms for the terms, else
    settings.CONSENT_VERSIONS."""
    if purpose == ConsentPurpose.TERMS:
        newest = TermsVersion.objects.order_by("-published_at").first()
        return newest.version if newest else ""
    return str(settings.CONSENT_VERSIONS.get(purpose, ""))


def consent_overview(*, user: User) -> list[dict]:
    """What "Your data → Consents" shows: each purpose with its newest row, the version in force and
    whether the person is asked to consent again (given to an older version of the text)."""
    rows = []
    for purpose in ConsentPurpose:
        consent = consent_state(user, purpose)
        current = consent_current_version(purpose)
        given = consent is not None and consent.withdrawn_at is None
        rows.append(
            {
                "purpose": purpose.value,
                "label": purpose.label,
                "consent": consent,
                "given": given,
                "current_version": current,
                "outdated": consent is not None and given and bool(current) and consent.version != current,
            }
        )
    return rows
