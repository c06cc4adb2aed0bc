"""Recent authentication before a sensitive action (a medical document's download, a payout
destination change, a data export): docs/decisions.md "Sign-in and MFA".

`recent_authentication_required` lets the view run when the signed-in user proved who they are
(sign-in, or allauth's re-authentication by password or second factor) within
ACCOUNT_REAUTHENTICATION_TIMEOUT seconds. Otherwise it raises allauth's ReauthenticationRequired,
which allauth's AccountMiddleware turns into its re-authentication page; once the user has answered,
allauth sends them back to the page they asked for (a GET) or replays the suspended POST.

Anonymous requests pass through untouched: the view answers them as before (login_required, 404).

An API client has no session to re-authenticate: where a page asks for a recent sign-in, its API
twin asks for a code of the user's second factor in the request itself (`second_factor_code_check`,
the check `POST /api/v1/auth/token/` makes).
"""

from __future__ import annotations

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework import status

from core.errors import DomainError, Forbidden


def recently_authenticated(request: HttpRequest) -> bool:
    """Whether the request's user signed in or re-authenticated within the re-authentication timeout."""
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    moments = [record.get("at") for record in records if isinstance(record.get("at"), int | float)]
    return bool(moments) and time.time() - max(moments) < account_settings.REAUTHENTICATION_TIMEOUT


def require_recent_authentication(request: HttpRequest) -> None:
    """For code that is not a view (or decides late): raise ReauthenticationRequired when needed."""
    if request.user.is_authenticated and not recently_authenticated(request):
        raise ReauthenticationRequired()


def recent_authentication_required(view):
    """View decorator: see the module's docstring."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        require_recent_authentication(request)
        return view(request, *args, **kwargs)

    return wrapper


class TooManyAttempts(DomainError):
    """Too many failed sign-ins for this account (allauth's "login_failed" limit, shared with the
    sign-in page): the account is locked for a few minutes, whatever the client address."""

    code = "too_many_login_attempts"
    http_status = status.HTTP_429_TOO_MANY_REQUESTS


def second_factor_code_check(user, code: str) -> None:
    """A valid TOTP or recovery code of `user`, each used once; wrong codes count towards allauth's
    MFA lockout, shared with the sign-in page. Raises Forbidden `mfa_required` (or TooManyAttempts)."""
    try:
        clear_rate_limit = check_rate_limit(user)
    except DjangoValidationError as exc:
        raise TooManyAttempts(" ".join(exc.messages)) from exc
    if code:
        for authenticator in Authenticator.objects.filter(
            user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
        ):
            if authenticator.wrap().validate_code(code):
                authenticator.record_usage()
                clear_rate_limit()
                return
    raise Forbidden(_("Enter a valid code from your authenticator app."), code="mfa_required")
