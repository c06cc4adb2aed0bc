"""Who may change a provider: its members, its administrators, the careteam."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.errors import Forbidden
from providers.models import (
    MemberRole,
    Provider,
    ProviderMember,
)


def member_role(*, user: User, provider: Provider) -> str | None:
    if not user.is_authenticated:
        return None
    return ProviderMember.objects.filter(provider=provider, user=user).values_list("role", flat=True).first()


def require_member(*, user: User, provider: Provider, admin: bool = False) -> None:
    """Raise Forbidden unless `user` works for `provider` (as an administrator when `admin`)."""
    role = member_role(user=user, provider=provider)
    if role is None or (admin and role != MemberRole.ADMIN):
        raise Forbidden(
            _("Only administrators of this provider can do this.")
            if role
            else _("You are not a member of this provider.")
        )


def require_careteam(*, user: User) -> None:
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        raise Forbidden(_("Only the careteam can verify providers."))
