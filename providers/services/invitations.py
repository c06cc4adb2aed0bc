"""Joining a provider's team by invitation (docs/decisions.md#invitations).

An administrator invites an e-mail address with a role; the address receives a link (the token,
of which only a hash is kept); the person signs in (or signs up) with that address and accepts.
Only then are they a member. Nobody can be made a member of a provider — let alone an
administrator — by someone else alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core import hooks
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from providers.models import InvitationStatus, MemberRole, Provider, ProviderInvitation, ProviderMember
from providers.services.permissions import membership_check

INVITATION_VALIDITY = dt.timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(*, token: str) -> ProviderInvitation:
    """The invitation this link's token opens; an unknown token is "not found"."""
    invitation = (
        ProviderInvitation.objects.select_related("provider").filter(token_hash=token_hash(token or "")).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid. Ask the provider to invite you again."))
    return invitation


def _admin_count(provider: Provider, *, lock: bool = False) -> int:
    """How many administrators `provider` has (rows fetched under lock when `lock`: Django drops
    FOR UPDATE from `.count()`)."""
    admins = ProviderMember.objects.filter(provider=provider, role=MemberRole.ADMIN)
    if lock:
        admins = admins.select_for_update()
    return len(admins.values_list("pk", flat=True))


def _last_admin() -> Conflict:
    return Conflict(_("A provider keeps at least one administrator."), code="last_admin")


# --- sending and revoking (the provider's administrators) ---------------------------------------------


def invitation_create_check(*, provider: Provider, actor: User) -> Check:
    """Its administrators invite people to a provider."""
    return membership_check(user=actor, provider=provider, admin=True)


def _clean_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    try:
        validate_email(cleaned)
    except ValidationError:
        message = _("Enter a valid e-mail address.")
        raise ValidationFailed(message, details={"email": [message]}) from None
    return cleaned


def invitation_create(
    *, provider: Provider, actor: User, email: str, role: str, now: dt.datetime
) -> tuple[ProviderInvitation, str]:
    """Invite `email` to `provider` as `role`; returns the invitation and its token (for the link).

    An open invitation to the same address is revoked and replaced (a new link, a new week). The
    e-mail goes out after the commit (core.hooks.provider_invitation_sent). A member already in
    that role is refused (`already_member`); a member invited with another role changes role only
    by accepting.
    """
    invitation_create_check(provider=provider, actor=actor).enforce()
    if role not in MemberRole.values:
        raise ValidationFailed(_("Choose a role: administrator or staff."), details={"role": [_("Unknown role.")]})
    address = _clean_email(email)
    if ProviderMember.objects.filter(provider=provider, user__email__iexact=address, role=role).exists():
        message = _("%(email)s is already a member with this role.") % {"email": address}
        raise Conflict(message, code="already_member", details={"email": [message]})
    demoted = ProviderMember.objects.filter(provider=provider, user__email__iexact=address, role=MemberRole.ADMIN)
    if role != MemberRole.ADMIN and demoted.exists() and _admin_count(provider) == 1:
        raise _last_admin()  # the answer would be refused: say so now
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        replaced = list(
            ProviderInvitation.objects.select_for_update().filter(
                provider=provider,
                email=address,
                accepted_at__isnull=True,
                declined_at__isnull=True,
                revoked_at__isnull=True,
            )
        )
        for old in replaced:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor, action="providers.invitation.revoked", target=old, after={"replaced": True}, now=now
            )
        try:
            with transaction.atomic():
                invitation = ProviderInvitation.objects.create(
                    provider=provider,
                    email=address,
                    role=role,
                    token_hash=token_hash(token),
                    invited_by=actor,
                    created_at=now,
                    expires_at=now + INVITATION_VALIDITY,
                )
        except IntegrityError:
            raise Conflict(
                _("An invitation to this address was sent a moment ago."), code="invitation_exists"
            ) from None
        audit_record(
            actor=actor,
            action="providers.invitation.created",
            target=invitation,
            # Ids only: the address stays in the invitation row, which an erasure pseudonymises; the
            # append-only trail would keep it forever (providers/personal_data.py).
            after={"role": role, "expires_at": invitation.expires_at.isoformat()},
            now=now,
        )
        hooks.provider_invitation_sent.call(invitation_id=invitation.pk, token=token, now=now)
    return invitation, token


def _closed(invitation: ProviderInvitation, now: dt.datetime) -> Conflict | None:
    status = invitation.status_at(now)
    if status == InvitationStatus.PENDING:
        return None
    messages = {
        InvitationStatus.ACCEPTED: (_("This invitation has already been accepted."), "invitation_accepted"),
        InvitationStatus.DECLINED: (_("This invitation was declined."), "invitation_declined"),
        InvitationStatus.REVOKED: (_("This invitation was withdrawn by the provider."), "invitation_revoked"),
        InvitationStatus.EXPIRED: (
            _("This invitation has expired. Ask the provider to invite you again."),
            "invitation_expired",
        ),
    }
    message, code = messages[InvitationStatus(status)]
    return Conflict(message, code=code)


def invitation_revoke_check(*, invitation: ProviderInvitation, actor: User, now: dt.datetime) -> Check:
    """An administrator of the provider withdraws an invitation not yet answered (or expired)."""
    admin = membership_check(user=actor, provider=invitation.provider, admin=True)
    if not admin:
        return admin
    closed = _closed(invitation, now)
    if closed is not None and invitation.status_at(now) != InvitationStatus.EXPIRED:
        return refuse(closed)
    return ALLOWED


def invitation_revoke(*, invitation: ProviderInvitation, actor: User, now: dt.datetime) -> ProviderInvitation:
    with transaction.atomic():
        locked = ProviderInvitation.objects.select_for_update().select_related("provider").get(pk=invitation.pk)
        invitation_revoke_check(invitation=locked, actor=actor, now=now).enforce()
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="providers.invitation.revoked", target=locked, now=now)
    return locked


# --- answering (the person invited) --------------------------------------------------------------------


def _invitee_check(*, invitation: ProviderInvitation, user: User | AnonymousUser) -> Check:
    if not user.is_authenticated:
        return refuse(Forbidden(_("Sign in, or create your account, with the invited e-mail address first.")))
    if (user.email or "").strip().lower() != invitation.email:
        return refuse(
            Forbidden(
                _("This invitation was sent to another e-mail address. Sign in with that address to answer it."),
                code="invitation_other_account",
            )
        )
    return ALLOWED


def invitation_accept_check(*, invitation: ProviderInvitation, user: User | AnonymousUser, now: dt.datetime) -> Check:
    """The account with the invited address accepts, while the invitation is open (7 days)."""
    # A closed invitation says so first: telling whoever holds the link that it expired leaks nothing.
    closed = _closed(invitation, now)
    return first_refusal(
        ALLOWED if closed is None else refuse(closed), _invitee_check(invitation=invitation, user=user)
    )


def invitation_decline_check(*, invitation: ProviderInvitation, user: User | AnonymousUser, now: dt.datetime) -> Check:
    """The invited person may say no, under the same conditions as accepting."""
    return invitation_accept_check(invitation=invitation, user=user, now=now)


def invitation_accept(*, invitation: ProviderInvitation, user: User, now: dt.datetime) -> ProviderMember:
    """Accept: `user` becomes a member with the invitation's role (an existing member takes that role)."""
    with transaction.atomic():
        locked = ProviderInvitation.objects.select_for_update().select_related("provider").get(pk=invitation.pk)
        invitation_accept_check(invitation=locked, user=user, now=now).enforce()
        member, created = ProviderMember.objects.get_or_create(
            provider=locked.provider, user=user, defaults={"role": locked.role}
        )
        if not created and member.role != locked.role:
            if member.role == MemberRole.ADMIN and _admin_count(locked.provider, lock=True) == 1:
                raise _last_admin()
            member.role = locked.role
            member.save(update_fields=["role"])
        locked.accepted_at = now
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        audit_record(actor=user, action="providers.invitation.accepted", target=locked, now=now)
        audit_record(
            actor=user,
            action="providers.member.added",
            target=member,
            after={"role": member.role, "invitation": locked.pk},
            now=now,
        )
    return member


def invitation_decline(*, invitation: ProviderInvitation, user: User, now: dt.datetime) -> ProviderInvitation:
    with transaction.atomic():
        locked = ProviderInvitation.objects.select_for_update().select_related("provider").get(pk=invitation.pk)
        invitation_decline_check(invitation=locked, user=user, now=now).enforce()
        locked.declined_at = now
        locked.save(update_fields=["declined_at"])
        audit_record(actor=user, action="providers.invitation.declined", target=locked, now=now)
    return locked
