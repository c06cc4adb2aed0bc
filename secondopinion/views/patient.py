"""Second-opinion pages: the patient side (/second-opinion/…).
Each view module owns its `urlpatterns` (secondopinion/urls.py joins them).

The landing page (what a second opinion is, its rules and prices), the request form (new and
edit: "Save draft" or "Send and pay", which leads to concierge's card page for the order), the
patient's requests and one request's page (its status in words, the clock, the documents asked
for, the shortlist to compare and choose from, withdrawing with its refund). A patient reaches
only their own requests: anyone else's answers 404. Every button shows only when its service's
check allows it; the services hold the rules.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.money import Money, format_money
from core.pages import apply_domain_error, run_service
from documents.models import MedicalDocument
from documents.services import document_upload
from providers.models import Register
from secondopinion.forms import CONSENT_SENTENCE, CaseDocumentsForm, CaseRequestForm
from secondopinion.models import Candidate, CaseStatus, ClockPause, DocumentRole, Opinion, OpinionCase
from secondopinion.selectors import case_sections, specialist_turnaround_hours
from secondopinion.services import requests as services
from secondopinion.services.deadlines import case_clock_view
from secondopinion.views.after import after_section, opinion_view

SHORT_REGISTERS: dict[str, str] = {Register.RPPS.value: "RPPS", Register.ADELI.value: "ADELI"}

# What happens next, by status, in the patient's words.
NEXT_STEPS = {
    CaseStatus.DRAFT: gettext_lazy(
        "Not sent yet. Check your questions and documents, then send and pay: the clock starts when you pay."
    ),
    CaseStatus.SUBMITTED: gettext_lazy(
        "Paid. A coordinating doctor will read your file; you will hear from us by e-mail."
    ),
    CaseStatus.UNDER_TRIAGE: gettext_lazy(
        "A coordinating doctor is reading your file. They will propose at least two specialists, or ask you "
        "for a missing document."
    ),
    CaseStatus.AWAITING_DOCUMENTS: gettext_lazy(
        "The coordinating doctor needs more documents: add them below, then tell us they are there. "
        "The clock is stopped until then."
    ),
    CaseStatus.SHORTLISTED: gettext_lazy(
        "Compare the specialists proposed for you and choose one. The clock is stopped until you choose."
    ),
    CaseStatus.SPECIALIST_CHOSEN: gettext_lazy("The specialist you chose is asked to accept your request."),
    CaseStatus.DECLINED_BY_SPECIALIST: gettext_lazy(
        "The specialist you chose could not take your request: please choose another one below."
    ),
    CaseStatus.ACCEPTED: gettext_lazy("The specialist accepted and is writing your opinion."),
    CaseStatus.OPINION_DELIVERED: gettext_lazy("Your opinion is ready."),
    CaseStatus.FOLLOW_UP: gettext_lazy("Your follow-up question is with the specialist."),
    CaseStatus.CLOSED: gettext_lazy("This request is closed."),
    CaseStatus.REFUNDED: gettext_lazy("This request was refunded to your card."),
    CaseStatus.WITHDRAWN: gettext_lazy("You withdrew this request."),
}


def _user(request: HttpRequest) -> User:
    """The signed-in patient (every view here is `login_required`)."""
    return cast(User, request.user)


def _own(request: HttpRequest, pk: int) -> OpinionCase:
    try:
        return services.case_of_patient(patient=_user(request), case_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "") or "en"


def _money_text(request: HttpRequest, amount: int, currency: str) -> str:
    return format_money(Money(amount, currency), _language(request))


def _my_documents(request: HttpRequest) -> list[MedicalDocument]:
    return list(MedicalDocument.objects.not_shredded().filter(owner=_user(request)).order_by("-created_at"))


# --- the landing page ---------------------------------------------------------------------------------


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """What a second opinion is, its rules, and the prices per specialty."""
    prices = services.opinion_prices()
    return render(
        request,
        "secondopinion/patient/landing.html",
        {
            "prices": prices,
            "hours": settings.SECOND_OPINION_HOURS,
            "days": settings.SECOND_OPINION_HOURS // 24,
            "breach_percent": settings.SECOND_OPINION_BREACH_REFUND_PERCENT,
            "cases": services.cases_of_patient(patient=_user(request))[:5],
        },
    )


# --- the request form ---------------------------------------------------------------------------------


def _upload(request: HttpRequest, form: CaseRequestForm | CaseDocumentsForm, field: str, title: str) -> Any:
    upload = form.cleaned_data.get(field)
    if not upload:
        return None
    name = (form.cleaned_data.get(title) or "").strip() or getattr(upload, "name", "") or _("Document")
    try:
        return document_upload(owner=_user(request), upload=upload, title=name, now=timezone.now())
    except DomainError as exc:
        form.add_error(field, exc.message)
        raise


def _place_request_error(form: CaseRequestForm, exc: DomainError) -> None:
    """A service refusal next to its field: the questions on the first question, documents on the upload."""
    where = {"questions": "question_1", "documents": "first_diagnosis_file"}
    details = {where.get(name, name): messages for name, messages in (exc.details or {}).items()}
    if isinstance(exc, NotFound):
        form.add_error(None, exc.message)
        return
    apply_domain_error(form, type(exc)(exc.message, code=exc.code, details=details))


def _request_page(request: HttpRequest, form: CaseRequestForm, case: OpinionCase | None, status: int = 200):
    price = None
    currency = form["currency"].value() or (case.currency if case else "")
    specialty = form["specialty"].value() or (case.specialty_id if case else None)
    if specialty and currency:
        try:
            found = services.opinion_price_list(specialty=int(specialty), currency=str(currency))
        except (TypeError, ValueError):
            found = None
        if found is not None:
            price = _money_text(request, found.unit_amount, found.currency)
    return render(
        request,
        "secondopinion/patient/request_form.html",
        {
            "form": form,
            "case": case,
            "price": price,
            "prices": services.opinion_prices(),
            "consent_sentence": CONSENT_SENTENCE,
        },
        status=status,
    )


def _save_request(request: HttpRequest, case: OpinionCase | None) -> HttpResponse:
    form = CaseRequestForm(request.POST, request.FILES, documents=_my_documents(request))
    sending = "send" in request.POST
    if not form.is_valid():
        return _request_page(request, form, case, status=400)
    if sending and not form.cleaned_data.get("consent"):
        form.add_error("consent", _("Tick the box to agree that your file is shared, or save a draft."))
        return _request_page(request, form, case, status=400)
    try:
        with transaction.atomic():
            documents: list[tuple[Any, str]] = list(form.chosen_documents())
            first = _upload(request, form, "first_diagnosis_file", "first_diagnosis_title")
            if first is not None:
                documents.append((first, DocumentRole.FIRST_DIAGNOSIS))
            other = _upload(request, form, "other_file", "other_title")
            if other is not None:
                documents.append((other, form.cleaned_data["other_role"]))
            try:
                saved = services.case_draft_save(
                    patient=_user(request),
                    specialty=form.cleaned_data["specialty"],
                    questions=form.questions(),
                    language=form.cleaned_data["language"],
                    meeting_requested=form.cleaned_data["meeting_requested"],
                    documents=documents,
                    consent=form.cleaned_data["consent"],
                    currency=form.cleaned_data["currency"],
                    now=timezone.now(),
                    case=case,
                )
                order = services.case_send(case=saved, actor=_user(request), now=timezone.now()) if sending else None
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from exc
            except DomainError as exc:
                _place_request_error(form, exc)
                raise
    except DomainError:
        return _request_page(request, form, case, status=400)
    if order is not None:
        return redirect("concierge:order_pay", order.pk)
    messages.success(request, _("Your draft is saved. Send it when you are ready: the clock starts when you pay."))
    return redirect("secondopinion:patient_case", saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("api_secondopinion_cases")
def request_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _save_request(request, None)
    form = CaseRequestForm(
        documents=_my_documents(request), initial={"currency": "EUR", "language": _language(request)}
    )
    return _request_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("api_secondopinion_case")
def request_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own(request, pk)
    if not services.case_edit_check(case=case, actor=_user(request)).allowed:
        messages.error(request, services.case_edit_check(case=case, actor=_user(request)).reason)
        return redirect("secondopinion:patient_case", case.pk)
    if request.method == "POST":
        return _save_request(request, case)
    form = CaseRequestForm(documents=_my_documents(request), initial=CaseRequestForm.initial_for(case))
    return _request_page(request, form, case)


# --- the patient's requests ---------------------------------------------------------------------------


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    rows = [
        {"case": case, "next_step": NEXT_STEPS.get(CaseStatus(case.status), "")}
        for case in services.cases_of_patient(patient=_user(request))
    ]
    return render(request, "secondopinion/patient/case_list.html", {"rows": rows})


def _turnaround_text(hours: float | None) -> str:
    if hours is None:
        return _("new on MediBroker: no answer time yet")
    days = max(1, round(hours / 24))
    return _("usually %(days)d days") % {"days": days} if days > 1 else _("usually 1 day")


def _language_name(code: str) -> str:
    """ "fr" → "French" (in the page's language): a patient abroad may not know the codes."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


# The shortlist is shown while there is a choice to make or just made; once the specialist accepts, it is history.
SHORTLIST_SHOWN = {CaseStatus.SHORTLISTED, CaseStatus.SPECIALIST_CHOSEN, CaseStatus.DECLINED_BY_SPECIALIST}


def _candidate_cards(request: HttpRequest, case: OpinionCase) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    if case.status not in SHORTLIST_SHOWN:
        return cards
    currency = case.order.currency if case.order is not None else case.currency
    rows = Candidate.objects.filter(case=case).select_related("specialist__provider").order_by("proposed_at", "pk")
    for candidate in rows:
        specialist = candidate.specialist
        provider = specialist.provider
        difference = services.price_difference(case=case, candidate=candidate)
        if case.specialist_id == specialist.pk and case.status != CaseStatus.DECLINED_BY_SPECIALIST:
            price_text = _("Your choice")
        elif difference > 0:
            price_text = _("+ %(amount)s to pay") % {"amount": _money_text(request, difference, currency)}
        elif difference < 0 and case.choice_refund_id is None:
            price_text = _("%(amount)s back to your card") % {"amount": _money_text(request, -difference, currency)}
        else:
            price_text = _("Included in what you paid")
        cards.append(
            {
                "candidate": candidate,
                "name": provider.name,
                "register": SHORT_REGISTERS.get(provider.register, provider.get_register_display()),
                "registration_number": provider.registration_number,
                "languages": ", ".join(map(_language_name, specialist.languages or provider.languages or [])),
                "price_text": price_text,
                "turnaround": _turnaround_text(specialist_turnaround_hours(specialist)),
                "declined": candidate.declined_at is not None,
                "note": candidate.note,
                "choose": services.case_choose_check(case=case, actor=_user(request), candidate=candidate),
            }
        )
    return cards


def _case_page(request: HttpRequest, case: OpinionCase, documents_form: CaseDocumentsForm | None = None, status=200):
    documents_check = services.case_documents_add_check(case=case, actor=_user(request))
    asking = (
        ClockPause.objects.filter(case=case, reason="documents").order_by("-started_at").first()
        if case.status == CaseStatus.AWAITING_DOCUMENTS
        else None
    )
    if documents_form is None and documents_check.allowed and case.status != CaseStatus.DRAFT:
        documents_form = CaseDocumentsForm(documents=_my_documents(request))
    withdraw = services.case_withdraw_check(case=case, actor=_user(request))
    currency = case.order.currency if case.order is not None else case.currency
    price = services.case_price(case)
    now = timezone.now()
    opinion = Opinion.objects.filter(case=case, signed_at__isnull=False).select_related("specialist__provider").first()
    return render(
        request,
        "secondopinion/patient/case.html",
        {
            "case": case,
            "sections": case_sections(case=case, viewer_id=_user(request).pk),
            "next_step": NEXT_STEPS.get(CaseStatus(case.status), ""),
            "clock": case_clock_view(case=case, now=now),
            # Once the opinion is signed the patient reads it, asks, shares and books from this page.
            "opinion": opinion_view(opinion) if opinion is not None else None,
            "after": after_section(case=case, viewer=_user(request), now=now) if opinion is not None else None,
            "questions": list(case.questions.all()),
            "language_name": _language_name(case.language),
            "documents": list(case.documents.select_related("document")),
            "asking": asking,
            "documents_form": documents_form,
            "documents_sent": services.case_documents_sent_check(case=case, actor=_user(request)),
            "edit": services.case_edit_check(case=case, actor=_user(request)),
            "send": services.case_send_check(case=case, actor=_user(request)),
            "price_text": _money_text(request, price.amount, price.currency) if price else "",
            "candidates": _candidate_cards(request, case),
            "withdraw": withdraw,
            "withdraw_refund": _money_text(request, services.case_withdraw_refund(case), currency)
            if withdraw.allowed and currency and case.status != CaseStatus.DRAFT
            else "",
            "supplement": case.supplement_order
            if case.supplement_order is not None and case.supplement_order.paid_at is None
            else None,
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, _own(request, pk))


@login_required
@require_POST
@api_twin("api_secondopinion_send")
def case_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a saved draft: its order, then concierge's card page."""
    case = _own(request, pk)
    try:
        order = services.case_send(case=case, actor=_user(request), now=timezone.now())
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("secondopinion:patient_case", case.pk)
    return redirect("concierge:order_pay", order.pk)


@login_required
@require_POST
@api_twin("api_secondopinion_documents")
def documents_add(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own(request, pk)
    form = CaseDocumentsForm(request.POST, request.FILES, documents=_my_documents(request))
    if not form.is_valid():
        return _case_page(request, case, form, status=400)
    try:
        with transaction.atomic():
            documents: list[tuple[Any, str]] = list(form.chosen_documents())
            new = _upload(request, form, "new_file", "new_title")
            if new is not None:
                documents.append((new, form.cleaned_data["new_role"]))
            try:
                services.case_documents_add(case=case, actor=_user(request), documents=documents, now=timezone.now())
            except DomainError as exc:
                details = {"new_file" if k == "documents" else k: v for k, v in (exc.details or {}).items()}
                apply_domain_error(form, type(exc)(exc.message, code=exc.code, details=details))
                raise
    except DomainError:
        return _case_page(request, case, form, status=400)
    messages.success(request, _("Your documents are added. When everything asked for is there, tell us below."))
    return redirect(reverse("secondopinion:patient_case", args=[case.pk]) + "#documents")


@login_required
@require_POST
@api_twin("api_secondopinion_documents_sent")
def documents_sent(request: HttpRequest, pk: int) -> HttpResponse:
    case = _own(request, pk)
    run_service(
        request,
        lambda: services.case_documents_sent(case=case, actor=_user(request), now=timezone.now()),
        _("Thank you: the coordinating doctor is told, and the clock runs again."),
    )
    return redirect("secondopinion:patient_case", case.pk)


@login_required
@require_POST
@api_twin("api_secondopinion_choose")
def choose(request: HttpRequest, pk: int, candidate_pk: int) -> HttpResponse:
    case = _own(request, pk)
    candidate = Candidate.objects.filter(pk=candidate_pk, case=case).first()
    if candidate is None:
        messages.error(request, _("Choose one of the specialists proposed for you."))
        return redirect("secondopinion:patient_case", case.pk)
    done = run_service(
        request,
        lambda: services.case_choose(case=case, actor=_user(request), candidate=candidate, now=timezone.now()),
        _("Your choice is recorded."),
    )
    case.refresh_from_db()
    if done and case.supplement_order is not None and case.supplement_order.paid_at is None:
        return redirect("concierge:order_pay", case.supplement_order_id)
    return redirect("secondopinion:patient_case", case.pk)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("api_secondopinion_withdraw")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation, saying the refund; POST: withdraw."""
    case = _own(request, pk)
    check = services.case_withdraw_check(case=case, actor=_user(request))
    if request.method == "POST":
        run_service(
            request,
            lambda: services.case_withdraw(case=case, actor=_user(request), now=timezone.now()),
            _("Your request is withdrawn."),
        )
        return redirect("secondopinion:patient_case", case.pk)
    currency = case.order.currency if case.order is not None else case.currency
    refund = services.case_withdraw_refund(case)
    return render(
        request,
        "secondopinion/patient/withdraw.html",
        {
            "case": case,
            "withdraw": check,
            "refund_text": _money_text(request, refund, currency) if refund and currency else "",
        },
    )


urlpatterns: list[URLPattern] = [
    path("", landing, name="patient_landing"),
    path("new/", request_new, name="patient_new"),
    path("cases/", case_list, name="patient_cases"),
    path("cases/<int:pk>/", case_detail, name="patient_case"),
    path("cases/<int:pk>/edit/", request_edit, name="patient_edit"),
    path("cases/<int:pk>/send/", case_send, name="patient_send"),
    path("cases/<int:pk>/documents/", documents_add, name="patient_documents"),
    path("cases/<int:pk>/documents-sent/", documents_sent, name="patient_documents_sent"),
    path("cases/<int:pk>/choose/<int:candidate_pk>/", choose, name="patient_choose"),
    path("cases/<int:pk>/withdraw/", withdraw, name="patient_withdraw"),
]
