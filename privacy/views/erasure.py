"""Erasure and account closure, for the person themselves.

/privacy/erase/ (after a recent sign-in or re-authentication): what is erased now, what is kept and
until when, what must end first (each with its page); the confirmation closes the account.
/privacy/erase/<id>/: the request's progress (htmx polls it); once done, the person is signed out
and sent to /privacy/erased/, which needs no sign-in.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import User
from accounts.reauth import recent_authentication_required
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.selectors import open_request_of, request_of
from privacy.services.erasure import (
    erasure_confirm,
    erasure_confirm_check,
    erasure_preview,
)

# The erasure request this browser confirmed: its progress page still answers once the account is
# closed (the person is then no longer signed in), to sign them out and say it is done.
WATCH_COOKIE = "privacy_erasure"
WATCH_SECONDS = 24 * 3600


@login_required
@recent_authentication_required
@api_twin("privacy-api:erasure")
def erasure_page(request: HttpRequest) -> HttpResponse:
    """GET: what erasing means for this person; POST: they confirm (refused with what to end first)."""
    user = cast(User, request.user)  # signed in: login_required
    running = open_request_of(user=user, kind=RequestKind.ERASURE)
    if running is not None:
        return redirect("privacy:erasure_progress", request_id=running.pk)
    now = timezone.now()
    if request.method == "POST":
        try:
            with transaction.atomic():
                erasure = erasure_confirm(user=user, now=now)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("privacy:erasure")
        # Signed out at once: the erasure ends every session of the account (maybe already, when tasks
        # run in-process), and a session deleted under this request could not be saved after it.
        logout(request)
        response = redirect("privacy:erasure_progress", request_id=erasure.pk)
        # A signed cookie, not the session: the erasure ends the person's sessions (perhaps before
        # this response is sent, when tasks run in-process), and the progress page must still know them.
        response.set_signed_cookie(
            WATCH_COOKIE,
            str(erasure.pk),
            salt=WATCH_COOKIE,
            max_age=WATCH_SECONDS,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response
    preview = erasure_preview(user=user, now=now)
    check = erasure_confirm_check(user=user, now=now)
    return render(
        request,
        "privacy/erasure.html",
        {"preview": preview, "check": check, "confirm_url": reverse("privacy:erasure")},
    )


def _watched(request: HttpRequest, request_id: int) -> DataRequest | None:
    """The erasure request this session confirmed, when its person is no longer signed in."""
    if request.get_signed_cookie(WATCH_COOKIE, default=None, salt=WATCH_COOKIE, max_age=WATCH_SECONDS) != str(
        request_id
    ):
        return None
    return DataRequest.objects.filter(pk=request_id, kind=RequestKind.ERASURE).first()


@require_GET
def erasure_progress(request: HttpRequest, request_id: int) -> HttpResponse:
    """How far the erasure has got; once done, the session ends and the closing page follows."""
    if request.user.is_authenticated:
        try:
            erasure = request_of(user=request.user, request_id=request_id, kind=RequestKind.ERASURE)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    else:
        watched = _watched(request, request_id)
        if watched is None:
            return redirect_to_login(request.get_full_path())
        erasure = watched
    htmx = request.headers.get("HX-Request") == "true"
    if erasure.status == RequestStatus.DONE:
        logout(request)  # the account is closed: nothing of the session stays
        done = reverse("privacy:erasure_done")
        if htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = done
            return response
        return redirect(done)
    template = "privacy/_erasure_progress.html" if htmx else "privacy/erasure_progress.html"
    return render(request, template, {"erasure": erasure})


@require_GET
def erasure_done(request: HttpRequest) -> HttpResponse:
    """The last page: the data is erased and the account closed (no sign-in needed)."""
    if request.user.is_authenticated:  # still signed in: the account is open (or closing)
        running = open_request_of(user=request.user, kind=RequestKind.ERASURE)
        if running is not None:
            return redirect("privacy:erasure_progress", request_id=running.pk)
        return redirect("home")
    return render(request, "privacy/erasure_done.html")


urlpatterns: list[URLPattern] = [
    path("erase/", erasure_page, name="erasure"),
    path("erase/<int:request_id>/", erasure_progress, name="erasure_progress"),
    path("erased/", erasure_done, name="erasure_done"),
]
