"""Response headers that depend on who asked."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


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
