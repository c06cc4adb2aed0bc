"""The site's error pages in its own layout (templates/403.html, 403_csrf.html, 404.html, 500.html).

Django's default 403 and 500 handlers already render those templates; two need help:

- a 404's message is shown only when a view gave one ("You have no booking with this number."),
  never the exception's class name or the resolver's internals;
- a refused CSRF check renders with the request's context (the signed-in menu, the language),
  which Django's own failure view does not pass (`CSRF_FAILURE_VIEW`).

The 500 page stays Django's: it renders with an empty context and reads nothing from the database.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = exception.args[0] if exception is not None and exception.args else ""
    return render(
        request, "404.html", {"exception": str(message) if isinstance(message, str | Promise) else ""}, status=404
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
