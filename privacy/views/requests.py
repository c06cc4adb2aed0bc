"""The person's "Your data" page (a copy of their data, corrections, objections, their requests),
the providers' page of requests forwarded to them, and the careteam's page of one request.

The copy is asked for after a recent sign-in; the link's token is kept in the person's session
(shown nowhere else on the page) and used once. The progress fragment is polled by htmx.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.reauth import recent_authentication_required
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.pages import run_service
from privacy import selectors
from privacy.models import ForwardOutcome, RequestKind, RequestStatus
from privacy.services import export as export_services
from privacy.services import requests as services
from providers.selectors import providers_of_member

SESSION_TOKENS = "privacy_export_tokens"


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What do you ask for?"),
        choices=[
            (RequestKind.RECTIFICATION, gettext_lazy("Correct data about me")),
            (RequestKind.OBJECTION, gettext_lazy("Object to a use of my data")),
        ],
    )
    details = forms.CharField(
        label=gettext_lazy("What is wrong, or which use you object to"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class ForwardAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("What did you do?"), choices=ForwardOutcome.choices)
    answer = forms.CharField(
        label=gettext_lazy("Your answer, for the person"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )


class ReasonForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- login_required ran first
    return user


def _tokens(request: HttpRequest) -> dict[str, str]:
    tokens = request.session.get(SESSION_TOKENS)
    return tokens if isinstance(tokens, dict) else {}


def _export_context(request: HttpRequest, export: Any) -> dict[str, Any]:
    now = timezone.now()
    ready = export is not None and export_services.export_download_check(request=export, now=now).allowed
    in_session = ready and str(export.pk) in _tokens(request)
    return {
        "export": export,
        "export_ready": in_session,
        "export_polling": export is not None and export.is_open,
        "export_lapsed": export is not None and export.status == RequestStatus.DONE and not in_session,
    }


# --- the person ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "requests": selectors.requests_of(user=user).prefetch_related("forwards"),
        "form": RequestForm(),
        **_export_context(request, selectors.latest_export_of(user=user)),
    }
    return render(request, "privacy/home.html", context)


@login_required
@require_POST
@recent_authentication_required
@api_twin("privacy-api:requests")
def export_ask(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        export, token = export_services.export_request(user=user, now=timezone.now())
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:home")
    tokens = _tokens(request)
    tokens[str(export.pk)] = token
    request.session[SESSION_TOKENS] = tokens
    messages.success(request, _("We are making a copy of your data: this page shows its progress."))
    return redirect("privacy:home")


@login_required
@require_GET
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress, as a fragment the page polls (htmx) or a whole page without it."""
    user = _user(request)
    try:
        export = selectors.request_of(user=user, request_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if export.kind != RequestKind.EXPORT:
        raise Http404(_("You have no copy of your data with this number."))
    if request.headers.get("HX-Request") != "true":
        return redirect("privacy:home")
    return render(request, "privacy/_export.html", _export_context(request, export))


@login_required
@require_POST
@recent_authentication_required
@api_twin("privacy-api:request_download")
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        export = selectors.request_of(user=user, request_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    tokens = _tokens(request)
    try:
        content = export_services.export_download(
            request=export, token=tokens.get(str(pk), ""), user=user, now=timezone.now()
        )
    except NotFound as exc:
        if export.kind != RequestKind.EXPORT:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("privacy:home")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:home")
    tokens.pop(str(pk), None)
    request.session[SESSION_TOKENS] = tokens
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="medibroker-my-data-{pk}.zip"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@api_twin("privacy-api:requests")
def request_ask(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("privacy:home")
    run_service(
        request,
        lambda: services.request_open(
            user=user, kind=form.cleaned_data["kind"], details=form.cleaned_data["details"], now=timezone.now()
        ),
        _("Your request is received: we answer within one month."),
    )
    return redirect("privacy:home")


# --- the providers ------------------------------------------------------------------------------------------


@login_required
@require_GET
def provider_forwards(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _is_member(user):
        raise Http404(_("You are not a member of a provider."))
    forwards = list(selectors.forwards_for_member(user=user))
    rows = [
        {
            "forward": forward,
            "reference": selectors.person_reference(forward.request.user_id),
            "form": ForwardAnswerForm(prefix=f"f{forward.pk}"),
            "can_answer": services.forward_answer_check(forward=forward, actor=user).allowed,
        }
        for forward in forwards
    ]
    return render(request, "privacy/provider_forwards.html", {"rows": rows})


def _is_member(user: User) -> bool:
    return providers_of_member(user=user).exists()


@login_required
@require_POST
@api_twin("privacy-api:forward_answer")
def forward_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    try:
        forward = services.forward_for_member(user=user, forward_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ForwardAnswerForm(request.POST, prefix=f"f{pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("privacy:provider_forwards")
    run_service(
        request,
        lambda: services.forward_answer(
            forward=forward,
            actor=user,
            outcome=form.cleaned_data["outcome"],
            answer=form.cleaned_data["answer"],
            now=timezone.now(),
        ),
        _("Your answer is recorded."),
    )
    return redirect("privacy:provider_forwards")


# --- the careteam -------------------------------------------------------------------------------------------


def _careteam_request(request: HttpRequest, pk: int):
    user = _user(request)
    try:
        return user, selectors.request_for_careteam(user=user, request_id=pk)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def careteam_request(request: HttpRequest, pk: int) -> HttpResponse:
    user, data_request = _careteam_request(request, pk)
    context = {
        "data_request": data_request,
        "reference": selectors.person_reference(data_request.user_id),
        "forwards": data_request.forwards.select_related("provider").all(),
        "actions": services.request_actions(request=data_request, actor=user),
        "form": ReasonForm(),
        "refuse_form": ReasonForm(prefix="refuse"),
    }
    return render(request, "privacy/careteam_request.html", context)


def _careteam_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user, data_request = _careteam_request(request, pk)
    form = ReasonForm(request.POST, prefix="refuse" if action == "refuse" else None)
    if not form.is_valid():
        messages.error(request, _("Write the text the person will read."))
        return redirect("privacy:careteam_request", pk=pk)
    text = form.cleaned_data["text"]
    now = timezone.now()
    calls = {
        "extend": (
            lambda: services.request_extend(request=data_request, actor=user, reason=text, now=now),
            _("The deadline is extended and the person told why."),
        ),
        "complete": (
            lambda: services.request_complete(request=data_request, actor=user, answer=text, now=now),
            _("The request is answered."),
        ),
        "refuse": (
            lambda: services.request_refuse(request=data_request, actor=user, reason=text, now=now),
            _("The request is refused and the person told why."),
        ),
    }
    call, success = calls[action]
    run_service(request, call, success)
    return redirect("privacy:careteam_request", pk=pk)


@login_required
@require_POST
@api_twin("privacy-api:careteam_extend")
def careteam_extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _careteam_action(request, pk, "extend")


@login_required
@require_POST
@api_twin("privacy-api:careteam_complete")
def careteam_complete(request: HttpRequest, pk: int) -> HttpResponse:
    return _careteam_action(request, pk, "complete")


@login_required
@require_POST
@api_twin("privacy-api:careteam_refuse")
def careteam_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    return _careteam_action(request, pk, "refuse")


urlpatterns: list[URLPattern] = [
    path("", home, name="home"),
    path("export/", export_ask, name="export_ask"),
    path("export/<int:pk>/progress/", export_progress, name="export_progress"),
    path("export/<int:pk>/download/", export_download, name="export_download"),
    path("requests/", request_ask, name="request_ask"),
    path("provider/", provider_forwards, name="provider_forwards"),
    path("provider/<int:pk>/answer/", forward_answer, name="forward_answer"),
    path("careteam/<int:pk>/", careteam_request, name="careteam_request"),
    path("careteam/<int:pk>/extend/", careteam_extend, name="careteam_extend"),
    path("careteam/<int:pk>/complete/", careteam_complete, name="careteam_complete"),
    path("careteam/<int:pk>/refuse/", careteam_refuse, name="careteam_refuse"),
]
