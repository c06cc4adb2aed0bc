"""Middleware of the core: headers that depend on who asked, and requests refused up front.

- `PrivateResponseMiddleware`: every answer to a signed-in person is private and never stored.
- `RefuseNulMiddleware`: refuses a NUL character in the URL, and in the API's query strings, up front.
- `ViewerTimezoneMiddleware`: the viewer's own timezone for the dates on the page (core/when.py).

PostgreSQL refuses NUL in text: a NUL reaching a query ends in a 500. No URL or API query
parameter of ours has a use for it, so the request is answered 400 before any view runs: the
API's error shape under /api/ (`details` names the parameter), a short text elsewhere. A page's
query string is left to the page's form, which says "Null characters are not allowed." next to
the field (a 200 with the form, as for any other bad filter).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.errors import error_body
from core.when import TZ_COOKIE, valid_timezone

NUL = "\x00"
API_PREFIX = "/api/"


def nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first query parameter holding a NUL (in its name or value), or None."""
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in value for value in values):
            return key.replace(NUL, "")
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        message = _("Null characters are not allowed.")
        is_api = request.path_info.startswith(API_PREFIX)
        if NUL in request.path_info:
            if is_api:
                return JsonResponse(error_body("invalid", message, {"path": [message]}), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        if is_api:
            name = nul_parameter(request)
            if name is not None:
                return JsonResponse(error_body("invalid", message, {name: [message]}), status=400)
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Every answer to a signed-in person (page, JSON, file) is `Cache-Control: private, no-store`.

    These answers carry medical and payment details: no shared cache (proxy, CDN) may keep them and
    the browser may not write them to disk, where the next user of a shared computer would find them
    with the Back button. Anonymous public pages keep their normal caching.

    The API's token users are known only once DRF has authenticated the request inside the view
    (it then sets the user on the Django request), so the test runs on the way out, and any request
    carrying an Authorization header counts as signed in whatever it proved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Before the view too: a DRF view without authentication classes puts an anonymous user
        # on the request of a person signed in by session.
        before = getattr(request, "user", None)
        signed_in = before is not None and before.is_authenticated
        response = self.get_response(request)
        after = getattr(request, "user", None)
        if signed_in or "HTTP_AUTHORIZATION" in request.META or (after is not None and after.is_authenticated):
            # max-age=0, no-cache, no-store, must-revalidate, private, and an Expires in the past.
            add_never_cache_headers(response)
        return response


class ViewerTimezoneMiddleware:
    """Activates the viewer's own timezone for the request (core/when.py).

    A signed-in person's is the one on their account (`User.timezone`); anyone else's is the one
    their browser reported in the `tz` cookie (static/js/timezone.js). An unknown name is ignored:
    the site's `TIME_ZONE` stands.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        name = getattr(user, "timezone", "") if user is not None and user.is_authenticated else ""
        # The browser writes the name URL-encoded ("Europe%2FLondon"); cookies are not decoded for us.
        chosen = valid_timezone(name) or valid_timezone(unquote(request.COOKIES.get(TZ_COOKIE, "")))
        if chosen:
            timezone.activate(zoneinfo.ZoneInfo(chosen))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
