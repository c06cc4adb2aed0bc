"""Recent authentication before a sensitive action (a medical document's download, a payout
destination change, a data export): docs/decisions.md "Sign-in and MFA".

`recent_authentication_required` lets the view run when the signed-in user proved who they are
(sign-in, or allauth's re-authentication by password or second factor) within
ACCOUNT_REAUTHENTICATION_TIMEOUT seconds. Otherwise it raises allauth's ReauthenticationRequired,
which allauth's AccountMiddleware turns into its re-authentication page; once the user has answered,
allauth sends them back to the page they asked for (a GET) or replays the suspended POST.

Anonymous requests pass through untouched: the view answers them as before (login_required, 404).
"""

from __future__ import annotations

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.http import HttpRequest


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
