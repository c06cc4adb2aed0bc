from __future__ import annotations

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.utils.translation.trans_real import parse_accept_lang_header

from accounts.selectors import user_language, user_must_accept_terms, user_requires_mfa
from core.locales import site_language

# Paths a user may reach before accepting new terms: the acceptance page itself, the terms and
# legal pages, sign-out, the language switch, and static assets. The API answers 403 on its own.
_EXEMPT_PREFIXES = ("/accounts/", "/legal/", "/i18n/", "/static/", "/healthz", "/api/", "/admin/logout/")

# Kept in the session by SessionTimeoutMiddleware (seconds since the epoch).
SIGNED_IN_AT = "accounts_signed_in_at"
LAST_SEEN_AT = "accounts_last_seen_at"


def requires_mfa(request: HttpRequest) -> bool:
    """`user_requires_mfa` for the request's user, asked once per request (both middlewares use it)."""
    cached = getattr(request, "_accounts_requires_mfa", None)
    if cached is None:
        user = request.user
        cached = bool(user.is_authenticated and user_requires_mfa(user=user))
        request._accounts_requires_mfa = cached  # type: ignore[attr-defined]
    return cached


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or ("application/json" in accept and "text/html" not in accept)


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


class MFARequiredMiddleware:
    """A signed-in admin, staff member or provider member without a second factor sets one up first.

    Whoever `user_requires_mfa` names can read other people's medical files or move money; until
    they have an authenticator, every page sends them to allauth's TOTP activation and the API
    answers 403 `mfa_setup_required`. Only what finishing the set-up needs stays open (allauth's MFA
    pages and re-authentication, sign-out) plus static files, the language switch and the health
    check. Sessions authenticated by API token are checked by the API's own permission, not here.
    """

    _ALWAYS_OPEN = ("/static/", "/i18n/", "/healthz", "/admin/logout/")
    _OPEN_URL_NAMES = ("mfa_index", "account_reauthenticate", "account_logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def _open(self, path: str) -> bool:
        if path.startswith(self._ALWAYS_OPEN):
            return True
        # reverse() at call time: the URL prefixes follow config/urls.py. mfa_index is the root of
        # allauth's MFA pages (activation, recovery codes, MFA re-authentication).
        return any(path.startswith(reverse(name)) for name in self._OPEN_URL_NAMES)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._open(request.path)
            and requires_mfa(request)
            and not is_mfa_enabled(user)
        ):
            message = _(
                "Your account can read patients' medical files or handle payments: set up two-factor "
                "authentication to continue."
            )
            if wants_json(request):
                return JsonResponse({"code": "mfa_setup_required", "message": message, "details": {}}, status=403)
            # allauth asks for the password again before it shows the secret, even right after
            # signing in: say so, or the second password prompt looks like a failed sign-in.
            messages.warning(
                request,
                _(
                    "Your account can read patients' medical files or handle payments: set up two-factor "
                    "authentication to continue. Confirm your password if asked, then scan the QR code "
                    "with an authenticator app."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def mark_signed_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: the absolute and idle timeouts count from this sign-in."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Sign out a session idle too long, or signed in too long ago (docs/decisions.md "Sessions").

    Idle: SESSION_IDLE_TIMEOUT_PRIVILEGED seconds for whoever must use MFA (they can read others'
    data), SESSION_IDLE_TIMEOUT_PATIENT for everyone else. Absolute: SESSION_ABSOLUTE_TIMEOUT
    seconds from sign-in, whatever the activity. A page request is then sent to the sign-in page with
    a message saying why; an API request goes on as anonymous (and gets the API's 401/403).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request)
            if expired is not None:
                logout(request)
                messages.info(request, expired)
                if not wants_json(request):
                    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
                    return redirect(f"{reverse('account_login')}{'?' + query if query else ''}")
        return self.get_response(request)

    def _expired(self, request) -> str | None:
        now = time.time()
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if not isinstance(signed_in_at, int | float):
            # A session from before this middleware (or a test's force_login): it starts now.
            signed_in_at = session[SIGNED_IN_AT] = now
        if not isinstance(last_seen_at, int | float):
            last_seen_at = now
        idle = (
            settings.SESSION_IDLE_TIMEOUT_PRIVILEGED if requires_mfa(request) else settings.SESSION_IDLE_TIMEOUT_PATIENT
        )
        if now - last_seen_at > idle:
            minutes = max(1, round(idle / 60))
            return ngettext(
                "You were signed out after %(minutes)d minute without activity.",
                "You were signed out after %(minutes)d minutes without activity.",
                minutes,
            ) % {"minutes": minutes}
        if now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT:
            hours = max(1, round(settings.SESSION_ABSOLUTE_TIMEOUT / 3600))
            return ngettext(
                "You were signed out %(hours)d hour after signing in: please sign in again.",
                "You were signed out %(hours)d hours after signing in: please sign in again.",
                hours,
            ) % {"hours": hours}
        session[LAST_SEEN_AT] = now
        return None


class UserLanguageMiddleware:
    """The language of a page, after Django's LocaleMiddleware (docs/decisions.md, "Languages").

    LocaleMiddleware has taken the language cookie (the header's switch), else the browser's
    Accept-Language, else English; a code the site does not offer is skipped, never an error. Here:

    - `?lang=<code>` shows this one page in that language (the legal pages link to their binding
      French version that way); an unknown code is ignored. Not `language`: the search's filter
      by spoken language has that name;
    - a signed-in person's own language (the patient profile's, else the account's) wins on pages;
    - the API answers in the Accept-Language its client sends, else as above: a token's user is
      only known inside the view, and a client asks for its language on each request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self.language(request)
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def language(request) -> str:
        asked = site_language(request.GET.get("lang")) if request.method in ("GET", "HEAD") else ""
        if asked:
            return asked
        if request.path.startswith("/api/"):
            for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
                if site_language(code):
                    return site_language(code)
            return ""
        return user_language(user=getattr(request, "user", None))
