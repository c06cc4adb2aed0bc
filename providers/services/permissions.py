"""Who may change a provider: its members, its administrators, the careteam.

Each rule answers as a `core.checks.Check`, which the actions' own `<entity>_<action>_check`
functions combine; `require_*` raise the refusal, for services that only need the rule.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.checks import ALLOWED, Check, refuse
from core.errors import Forbidden
from providers.models import (
    MemberRole,
    Provider,
    ProviderMember,
)


def member_role(*, user: User | AnonymousUser, provider: Provider) -> str | None:
    if not user.is_authenticated:
        return None
    return ProviderMember.objects.filter(provider=provider, user=user).values_list("role", flat=True).first()


def membership_check(*, user: User, provider: Provider, admin: bool = False) -> Check:
    """Whether `user` works for `provider` (as an administrator when `admin`)."""
    role = member_role(user=user, provider=provider)
    if role is None or (admin and role != MemberRole.ADMIN):
        return refuse(
            Forbidden(
                _("Only administrators of this provider can do this.")
                if role
                else _("You are not a member of this provider.")
            )
        )
    return ALLOWED


def require_member(*, user: User, provider: Provider, admin: bool = False) -> None:
    """Raise Forbidden unless `user` works for `provider` (as an administrator when `admin`)."""
    membership_check(user=user, provider=provider, admin=admin).enforce()


def careteam_check(*, user: User) -> Check:
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        return refuse(Forbidden(_("Only the careteam can verify providers.")))
    return ALLOWED


def require_careteam(*, user: User) -> None:
    careteam_check(user=user).enforce()
