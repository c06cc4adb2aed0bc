"""Second-opinion pages: the medical coordinator's triage.

- `/second-opinion/coordinator/`: the queue, by stage, with each request's due time;
- `/second-opinion/coordinator/cases/<pk>/`: the file (questions, documents, the clock) and the
  actions: take, ask for documents, the skills needed, the shortlist, declare unsuitable.

Coordinators only: other staff get 403, everyone else 404. Each action is a form POST that
redirects on success; a refused or invalid one shows the case again with the form as it was sent
and the errors next to its fields (400).
Each view module owns its `urlpatterns` (secondopinion/urls.py joins them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.api_parity import api_twin
from core.checks import Check
from core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from core.pages import apply_domain_error
from secondopinion.models import CaseStatus, OpinionCase, SpecialistProfile
from secondopinion.selectors import case_sections, specialist_turnaround_hours
from secondopinion.services import triage
from secondopinion.services.triage import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, UNSUITABLE_REASONS

# --- forms --------------------------------------------------------------------------------------------


class DocumentsRequestForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What is missing"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The patient reads this on their request's page and in an e-mail."),
    )


class SkillsForm(forms.Form):
    skills = forms.CharField(
        label=gettext_lazy("Skills needed"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class UnsuitableForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why the file cannot be accepted"), choices=())
    note = forms.CharField(
        label=gettext_lazy("Your explanation to the patient"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=gettext_lazy("I understand the patient is refunded in full."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *[(code, label) for code, label in UNSUITABLE_REASONS.items()]]  # type: ignore[attr-defined]


class ShortlistForm(forms.Form):
    """A checkbox per eligible specialist and a note each (`note_<id>`)."""

    specialists = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Specialists to propose"),
        queryset=SpecialistProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, eligible: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["specialists"].queryset = eligible  # type: ignore[attr-defined]
        for profile in eligible:
            self.fields[f"note_{profile.pk}"] = forms.CharField(
                label=gettext_lazy("Why this specialist"), max_length=NOTE_MAX_LENGTH, required=False
            )

    def notes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("note_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("note_") and value
        }


# --- helpers ------------------------------------------------------------------------------------------


def _refusal_to_http(exc: DomainError) -> Exception:
    if isinstance(exc, Forbidden):
        return PermissionDenied(exc.message)
    return Http404(exc.message)


def _queue_cases(request: HttpRequest) -> Any:
    try:
        return triage.coordinator_cases(actor=request.user)
    except (Forbidden, NotFound) as exc:
        raise _refusal_to_http(exc) from exc


def _case(request: HttpRequest, pk: int) -> OpinionCase:
    try:
        return triage.coordinator_case(pk=pk, actor=request.user)
    except (Forbidden, NotFound) as exc:
        raise _refusal_to_http(exc) from exc


def specialist_rows(case: OpinionCase, now: Any) -> list[dict[str, Any]]:
    """The eligible specialists as the shortlist shows them."""
    rows = []
    for profile in triage.case_candidates_eligible(case=case, now=now):
        rows.append(
            {
                "profile": profile,
                "name": profile.provider.name,
                "register": profile.provider.get_register_display(),
                "registration_number": profile.provider.registration_number,
                "languages": profile.languages,
                "price_amount": profile.price_amount,
                "currency": profile.currency,
                "capacity_left": profile.weekly_capacity - profile.accepted_this_week,  # type: ignore[attr-defined]
                "turnaround_hours": specialist_turnaround_hours(profile),
            }
        )
    return rows


def _context(request: HttpRequest, case: OpinionCase, **bound: forms.Form) -> dict[str, Any]:
    now = timezone.now()
    actions: dict[str, Check] = triage.case_actions(case=case, actor=request.user)
    mine = case.coordinator_id == request.user.pk
    eligible = triage.case_candidates_eligible(case=case, now=now) if actions["shortlist"].allowed else None
    documents = [
        {
            "title": row.document.title,
            "role": row.get_role_display(),
            "url": reverse("documents:download", kwargs={"document_id": row.document_id}) if mine else "",
        }
        for row in case.documents.select_related("document")
    ]
    return {
        "case": case,
        "sections": case_sections(case=case, viewer_id=request.user.pk or 0),
        "mine": mine,
        "status_label": CaseStatus(case.status).label,
        "questions": list(case.questions.all()),
        "documents": documents,
        "candidates": list(case.candidates.select_related("specialist__provider")),
        "pauses": list(case.pauses.all()),
        "clock": triage.case_clock(case=case, now=now),
        "actions": actions,
        # What the shortlist still needs (the skills), for the case's own coordinator.
        "shortlist_hint": actions["shortlist"].reason
        if mine and isinstance(actions["shortlist"].refusal, ValidationFailed)
        else "",
        "documents_form": bound.get("documents_form") or DocumentsRequestForm(),
        "skills_form": bound.get("skills_form") or SkillsForm(initial={"skills": case.skills_needed}),
        "shortlist_form": bound.get("shortlist_form")
        or (ShortlistForm(eligible=eligible) if eligible is not None else None),
        "specialists": _with_input(specialist_rows(case, now), bound.get("shortlist_form"))
        if eligible is not None
        else [],
        "unsuitable_form": bound.get("unsuitable_form") or UnsuitableForm(),
        "hours": settings.SECOND_OPINION_HOURS,
    }


def _with_input(rows: list[dict[str, Any]], form: forms.Form | None) -> list[dict[str, Any]]:
    """Each row with what was typed and ticked, when the form comes back with errors."""
    if form is None or not form.is_bound:
        return rows
    data: Any = form.data
    ticked = set(data.getlist("specialists"))
    for row in rows:
        pk = row["profile"].pk
        row["checked"] = str(pk) in ticked
        row["note"] = data.get(f"note_{pk}", "")
        row["note_errors"] = form.errors.get(f"note_{pk}", [])
    return rows


def _again(request: HttpRequest, case: OpinionCase, **bound: forms.Form) -> HttpResponse:
    case.refresh_from_db()
    return render(request, "secondopinion/coordinator/case.html", _context(request, case, **bound), status=400)


def _act(request: HttpRequest, case: OpinionCase, form: forms.Form, name: str, action: Any, done: str) -> HttpResponse:
    """Run `action(form)` when the form is valid; errors go next to the fields, a 403 stays a 403."""
    if form.is_valid():
        try:
            action(form)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("secondopinion:coordinator_case", case.pk)
    return _again(request, case, **{name: form})


# --- pages --------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    cases = list(_queue_cases(request))
    stages = []
    for status in triage.QUEUE_STATUSES:
        rows = [case for case in cases if case.status == status]
        stages.append({"status": status, "label": CaseStatus(status).label, "cases": rows})
    return render(request, "secondopinion/coordinator/queue.html", {"stages": stages, "total": len(cases)})


@login_required
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return render(request, "secondopinion/coordinator/case.html", _context(request, case))


@login_required
@require_POST
@api_twin("api_secondopinion_coordinator_take")
def take(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    try:
        triage.case_take(case=case, actor=request.user, now=timezone.now())
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are triaging this case: its documents are open to you."))
    return redirect("secondopinion:coordinator_case", case.pk)


@login_required
@require_POST
@api_twin("api_secondopinion_coordinator_request_documents")
def request_documents(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _act(
        request,
        case,
        DocumentsRequestForm(request.POST),
        "documents_form",
        lambda form: triage.case_documents_request(
            case=case, actor=request.user, message=form.cleaned_data["message"], now=timezone.now()
        ),
        _("The patient is asked for the documents; the clock is paused until they send them."),
    )


@login_required
@require_POST
@api_twin("api_secondopinion_coordinator_skills")
def skills(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _act(
        request,
        case,
        SkillsForm(request.POST),
        "skills_form",
        lambda form: triage.case_skills_set(
            case=case, actor=request.user, skills=form.cleaned_data["skills"], now=timezone.now()
        ),
        _("The skills needed are saved."),
    )


@login_required
@require_POST
@api_twin("api_secondopinion_coordinator_shortlist")
def shortlist(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    now = timezone.now()
    check = triage.case_shortlist_check(case=case, actor=request.user)
    if isinstance(check.refusal, Forbidden):
        raise PermissionDenied(check.reason)
    form = ShortlistForm(request.POST, eligible=triage.case_candidates_eligible(case=case, now=now))
    return _act(
        request,
        case,
        form,
        "shortlist_form",
        lambda form: triage.case_shortlist(
            case=case,
            actor=request.user,
            specialists=list(form.cleaned_data["specialists"]),
            notes=form.notes(),
            now=now,
        ),
        _("The specialists are proposed; the patient is asked to choose."),
    )


@login_required
@require_POST
@api_twin("api_secondopinion_coordinator_unsuitable")
def unsuitable(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    return _act(
        request,
        case,
        UnsuitableForm(request.POST),
        "unsuitable_form",
        lambda form: triage.case_declare_unsuitable(
            case=case,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("The request is closed and the patient refunded in full."),
    )


urlpatterns: list[URLPattern] = [
    path("coordinator/", queue, name="coordinator_queue"),
    path("coordinator/cases/<int:pk>/", case_page, name="coordinator_case"),
    path("coordinator/cases/<int:pk>/take/", take, name="coordinator_take"),
    path("coordinator/cases/<int:pk>/request-documents/", request_documents, name="coordinator_request_documents"),
    path("coordinator/cases/<int:pk>/skills/", skills, name="coordinator_skills"),
    path("coordinator/cases/<int:pk>/shortlist/", shortlist, name="coordinator_shortlist"),
    path("coordinator/cases/<int:pk>/unsuitable/", unsuitable, name="coordinator_unsuitable"),
]
