"""Refuse a NUL character in the URL or the query string, for every page and endpoint, up front.

PostgreSQL refuses NUL in text: a NUL in a slug or a search filter used to reach a query and end in
a 500. No URL or query parameter of ours has a use for it, so the request is answered 400 before
any view runs: the API's error shape under /api/, a short page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from core.errors import error_body

NUL = "\x00"


def has_nul(request: HttpRequest) -> bool:
    if NUL in request.path_info:
        return True
    return any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            message = _("The address holds a NUL character, which is not allowed.")
            if request.path_info.startswith("/api/"):
                return JsonResponse(error_body("invalid_characters", message), status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
