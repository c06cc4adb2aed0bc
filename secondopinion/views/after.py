"""Second-opinion pages: the after side. Follow-up questions (the patient asks, the specialist's
practice answers), closing the case, the in-person consultation, share links, and the public page
a share link opens (the opinion and its PDF, no account needed).

The patient's case page (the patient side) includes `secondopinion/after/_follow_ups.html`,
`_consultation.html` and `_share.html` with the context `after` built by `after_section`; the same
sections stand alone at `/second-opinion/cases/<pk>/after/`, for the patient and for the
specialist's practice. Every button shows only when its service's check allows it.

Each view module owns its `urlpatterns` (secondopinion/urls.py joins them).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.api_parity import api_twin
from core.errors import DomainError, NotFound, ValidationFailed
from core.http import client_ip, private_page
from core.pages import apply_domain_error, run_service
from core.throttling import Throttled
from documents.services import DocumentUnavailable
from secondopinion.models import CaseQuestion, FollowUp, Opinion, OpinionCase
from secondopinion.services import after as services

# --- forms --------------------------------------------------------------------------------------------------


class FollowUpForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Your question for the specialist"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("At most 2,000 characters."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Your answer"), widget=forms.Textarea(attrs={"rows": 6}))


class ConsultationForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Your message to the specialist's practice"), widget=forms.Textarea(attrs={"rows": 5})
    )


class ShareLinkForm(forms.Form):
    recipient = forms.CharField(
        label=gettext_lazy("Who is the link for?"),
        help_text=gettext_lazy("Such as “Dr Dupont, my cardiologist”. The link works for 7 days."),
    )


# --- the sections ---------------------------------------------------------------------------------------------


def _role(case: OpinionCase, viewer: Any) -> str | None:
    if getattr(viewer, "is_authenticated", False) and case.patient_id == viewer.pk:
        return "patient"
    if services.is_case_specialist(case=case, user=viewer):
        return "specialist"
    return None


def after_section(
    *,
    case: OpinionCase,
    viewer: Any,
    now: dt.datetime,
    forms_in: dict[str, forms.Form] | None = None,
    new_link_url: str = "",
) -> dict[str, Any]:
    """What the after sections show `viewer` (the patient, or a member of the specialist's
    practice) of `case`: the follow-up questions and what may be asked or answered, closing, the
    consultation, the share links. `forms_in` are bound forms to show again with their errors
    (by name: "ask", "answer:<follow-up id>", "consultation", "share"); `new_link_url` is a link
    just made, shown once."""
    bound = forms_in or {}
    role = _role(case, viewer)
    follow_ups = []
    for follow_up in case.follow_ups.select_related("answered_by").all():
        answer = (
            services.follow_up_answer_check(case=case, follow_up=follow_up, actor=viewer)
            if role == "specialist"
            else None
        )
        follow_ups.append(
            {
                "follow_up": follow_up,
                "answer": answer,
                "form": bound.get(f"answer:{follow_up.pk}") or AnswerForm(prefix=f"answer-{follow_up.pk}"),
            }
        )
    section: dict[str, Any] = {
        "case": case,
        "role": role,
        "follow_ups": follow_ups,
        "follow_ups_left": services.follow_ups_left(case),
        "window_ends": services.follow_up_window_ends(case),
    }
    if role == "patient":
        links = [
            {
                "link": link,
                "live": services.share_link_is_live(link, now=now),
                "revoke": services.share_link_revoke_check(link=link, actor=viewer, now=now),
            }
            for link in services.share_links_of(case=case)
        ]
        section |= {
            "ask": services.follow_up_ask_check(case=case, actor=viewer, now=now),
            "ask_form": bound.get("ask") or FollowUpForm(),
            "close": services.case_close_check(case=case, actor=viewer),
            "consultation": services.consultation_request_check(case=case, actor=viewer),
            "consultation_request": case.consultation_request,
            "share": services.share_link_create_check(case=case, actor=viewer, now=now),
            "share_form": bound.get("share") or ShareLinkForm(),
            "share_links": links,
            "new_link_url": new_link_url,
        }
    return section


def _case(request, pk: int) -> OpinionCase:
    try:
        return services.case_for_after(user=request.user, case_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _page(request, case: OpinionCase, *, status: int = 200, **section: Any) -> HttpResponse:
    context = {"after": after_section(case=case, viewer=request.user, now=timezone.now(), **section)}
    response = render(request, "secondopinion/after/case.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _back(case: OpinionCase) -> HttpResponse:
    return redirect("secondopinion:after_case", case.pk)


@login_required
@require_GET
@never_cache
def case_after(request, pk: int) -> HttpResponse:
    return _page(request, _case(request, pk))


# --- follow-ups and closing -----------------------------------------------------------------------------------


def _submit(request: Any, case: OpinionCase, form: forms.Form, name: str, action: Any, done: str) -> HttpResponse:
    """Run `action(form.cleaned_data)` for a posted form: done → the message and back to the page;
    a field refused → the page again with the form and its errors; another refusal → its message."""
    if form.is_valid():
        try:
            with transaction.atomic():
                action(form.cleaned_data)
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(case)
        else:
            messages.success(request, done)
            return _back(case)
    return _page(request, case, forms_in={name: form}, status=400)


@login_required
@require_POST
@api_twin("api_secondopinion_follow_ups")
def follow_up_ask(request, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _submit(
        request,
        case,
        FollowUpForm(request.POST),
        "ask",
        lambda data: services.follow_up_ask(
            case=case, actor=request.user, question=data["question"], now=timezone.now()
        ),
        _("Your question is with the specialist. We will tell you when they answer."),
    )


@login_required
@require_POST
@api_twin("api_secondopinion_follow_up_answer")
def follow_up_answer(request, pk: int, follow_up_id: int) -> HttpResponse:
    case = _case(request, pk)
    follow_up = FollowUp.objects.filter(case=case, pk=follow_up_id).first()
    if follow_up is None:
        raise Http404(_("This request has no such follow-up question."))
    return _submit(
        request,
        case,
        AnswerForm(request.POST, prefix=f"answer-{follow_up.pk}"),
        f"answer:{follow_up.pk}",
        lambda data: services.follow_up_answer(
            case=case, follow_up=follow_up, actor=request.user, answer=data["answer"], now=timezone.now()
        ),
        _("Your answer has been sent to the patient."),
    )


@login_required
@require_POST
@api_twin("api_secondopinion_close")
def case_close(request, pk: int) -> HttpResponse:
    case = _case(request, pk)
    run_service(
        request,
        lambda: services.case_close(case=case, actor=request.user, now=timezone.now()),
        _("Your second-opinion request is closed."),
    )
    return _back(case)


# --- the in-person consultation ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("api_secondopinion_consultation")
def consultation(request, pk: int) -> HttpResponse:
    """The message to the specialist's practice, prefilled; sent, the quote request's page."""
    case = _case(request, pk)
    check = services.consultation_request_check(case=case, actor=request.user)
    if not check.allowed:
        if case.consultation_request_id is not None and case.patient_id == request.user.pk:
            messages.info(request, check.reason)
            return redirect("quotes:request_detail", case.consultation_request_id)
        messages.error(request, check.reason)
        return _back(case)
    form = ConsultationForm(request.POST or None, initial={"message": services.consultation_message_default(case)})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                quote_request = services.consultation_request(
                    case=case, actor=request.user, message=form.cleaned_data["message"], now=timezone.now()
                )
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(case)
        else:
            messages.success(
                request,
                _("Your request has been sent to the specialist's practice, with your documents and the opinion."),
            )
            return redirect("quotes:request_detail", quote_request.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "secondopinion/after/consultation.html", {"case": case, "form": form}, status=status)


# --- share links ---------------------------------------------------------------------------------------------


@login_required
@require_POST
@never_cache
@api_twin("api_secondopinion_share_links")
def share_link_create(request, pk: int) -> HttpResponse:
    """The link is shown once, on the page this post answers: its token is stored nowhere."""
    case = _case(request, pk)
    form = ShareLinkForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                _link, token = services.share_link_create(
                    case=case, actor=request.user, recipient=form.cleaned_data["recipient"], now=timezone.now()
                )
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(case)
        else:
            url = request.build_absolute_uri(reverse("secondopinion:after_shared", args=[token]))
            case.refresh_from_db()
            return _page(request, case, new_link_url=url)
    return _page(request, case, forms_in={"share": form}, status=400)


@login_required
@require_POST
@api_twin("api_secondopinion_share_link")
def share_link_revoke(request, pk: int, link_id: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        link = services.share_link_of(case=case, link_id=link_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    run_service(
        request,
        lambda: services.share_link_revoke(link=link, actor=request.user, now=timezone.now()),
        _("The link for %(recipient)s no longer works.") % {"recipient": link.recipient},
    )
    return _back(case)


# --- the public page a share link opens ------------------------------------------------------------------------


def _refused(request, exc: DomainError) -> HttpResponse:
    response = render(request, "secondopinion/after/shared_gone.html", {"message": exc.message}, status=exc.http_status)
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.wait)
    return private_page(response)


def opinion_view(opinion: Opinion) -> dict[str, Any]:
    """The opinion's sections as a page shows them: each question with its answer."""
    questions = list(CaseQuestion.objects.filter(case_id=opinion.case_id).order_by("position"))
    answers = opinion.answers if isinstance(opinion.answers, list) else []
    rows = []
    for index, question in enumerate(questions):
        answer = answers[index] if index < len(answers) else ""
        if isinstance(answer, dict):
            answer = answer.get("answer") or answer.get("text") or ""
        rows.append({"question": question.text, "answer": str(answer)})
    provider = opinion.specialist.provider
    return {
        "opinion": opinion,
        "answers": rows,
        "specialist_name": provider.name,
        "register": provider.get_register_display(),
        "registration_number": provider.registration_number,
    }


# Outside the request transaction: the audit event of a refused opening must outlive the 404.
@transaction.non_atomic_requests
@require_GET
def shared(request, token: str) -> HttpResponse:
    """Public, no account: the opinion a live share link opens (counted and audited)."""
    try:
        link, opinion = services.share_link_open(token=token, ip=client_ip(request), now=timezone.now())
    except (NotFound, Throttled) as exc:
        return _refused(request, exc)
    context = opinion_view(opinion) | {"link": link, "token": token}
    return private_page(render(request, "secondopinion/after/shared.html", context))


@transaction.non_atomic_requests
@require_GET
def shared_pdf(request, token: str) -> HttpResponseBase:
    """Public: the signed opinion's PDF behind a live share link."""
    try:
        opinion, data = services.share_link_pdf(token=token, ip=client_ip(request), now=timezone.now())
    except (NotFound, Throttled, DocumentUnavailable) as exc:
        return _refused(request, exc)
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=f"second-opinion-{opinion.case_id}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return private_page(response)


urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/after/", case_after, name="after_case"),
    path("cases/<int:pk>/follow-ups/", follow_up_ask, name="after_follow_up_ask"),
    path("cases/<int:pk>/follow-ups/<int:follow_up_id>/answer/", follow_up_answer, name="after_follow_up_answer"),
    path("cases/<int:pk>/close/", case_close, name="after_case_close"),
    path("cases/<int:pk>/consultation/", consultation, name="after_consultation"),
    path("cases/<int:pk>/share-links/", share_link_create, name="after_share_link_create"),
    path("cases/<int:pk>/share-links/<int:link_id>/revoke/", share_link_revoke, name="after_share_link_revoke"),
    path("shared/<str:token>/", shared, name="after_shared"),
    path("shared/<str:token>/opinion.pdf", shared_pdf, name="after_shared_pdf"),
]
