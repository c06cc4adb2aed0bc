from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import user_must_accept_terms

# Paths a user may reach before accepting new terms: the acceptance page itself, the terms and
# legal pages, sign-out, the language switch, and static assets. The API answers 403 on its own.
_EXEMPT_PREFIXES = ("/accounts/", "/legal/", "/i18n/", "/static/", "/healthz", "/api/", "/admin/logout/")


class TermsAcceptanceMiddleware:
    """Send a signed-in user to accept the terms in force before anything else.

    Publishing a new TermsVersion therefore asks everyone to accept it on their next page view,
    which is at the latest their next login.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_EXEMPT_PREFIXES)
            and user_must_accept_terms(user=user, now=timezone.now()) is not None
        ):
            return redirect(f"{reverse('accounts_terms_accept')}?next={request.get_full_path()}")
        return self.get_response(request)
