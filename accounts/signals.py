"""Revoke a user's API tokens when what proves who they are changes.

A token stolen before a password reset or a change of second factor must not outlive it: every
token of the user is revoked on allauth's password and authenticator signals, and on any save of a
new password elsewhere (the admin, `manage.py changepassword`).
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import User


def _revoke(user: Any, reason: str, request: Any = None) -> None:
    from accounts.services import api_tokens_revoke_all

    if not isinstance(user, User) or user.pk is None:
        return
    actor = getattr(request, "user", None) if request is not None else None
    actor = actor if isinstance(actor, User) else None
    api_tokens_revoke_all(user=user, actor=actor, reason=reason, now=timezone.now())


def _on_password_changed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _revoke(user, "password_changed", request)


def _on_password_reset(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _revoke(user, "password_reset", request)


def _on_password_set(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _revoke(user, "password_set", request)


def _on_authenticator_changed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _revoke(user, "mfa_changed", request)


def _on_user_saved(sender: Any, instance: User, created: bool = False, **kwargs: Any) -> None:
    # AbstractBaseUser.set_password() keeps the raw password in `_password` until the save that
    # stores its hash: a new password was saved. (A hash upgrade at sign-in clears it first.)
    if not created and getattr(instance, "_password", None) is not None:
        _revoke(instance, "password_changed")


def connect() -> None:
    account_signals.password_changed.connect(_on_password_changed, dispatch_uid="accounts.tokens.password_changed")
    account_signals.password_reset.connect(_on_password_reset, dispatch_uid="accounts.tokens.password_reset")
    account_signals.password_set.connect(_on_password_set, dispatch_uid="accounts.tokens.password_set")
    for name in ("authenticator_added", "authenticator_removed", "authenticator_reset"):
        getattr(mfa_signals, name).connect(_on_authenticator_changed, dispatch_uid=f"accounts.tokens.{name}")
    post_save.connect(_on_user_saved, sender=User, dispatch_uid="accounts.tokens.user_saved")
