"""Second-opinion pages: the specialist side.
Each view module owns its `urlpatterns` (secondopinion/urls.py joins them).

- `/second-opinion/specialist/`: for members of a practitioner, their second-opinion profile (an
  administrator creates or changes it) and their cases: asked (accept by…), accepted (due by…),
  delivered.
- `/second-opinion/specialist/cases/<pk>/`: one case: accept or decline it; once accepted, its
  documents (each download audited by `documents`) and the opinion form (save a draft, or sign and
  send with a confirmation).
- `/second-opinion/verify/<code>/`: public, whether a signed opinion with this code exists, by whom
  and when; never the patient or the content.

A user who is not a member of a practitioner, or a case not theirs, gets 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.money import Money, currency_choices
from core.pages import apply_domain_error, run_service
from providers.models import Provider
from secondopinion.access import SPECIALIST_READS
from secondopinion.models import CaseStatus, Opinion, OpinionCase, SpecialistProfile
from secondopinion.services.specialists import (
    MAX_REASON_CHARS,
    MAX_SECTION_CHARS,
    accepted_this_week,
    case_accept,
    case_accept_check,
    case_decline,
    case_decline_check,
    opinion_by_code,
    opinion_save_draft,
    opinion_sign,
    opinion_sign_check,
    opinion_signed_on,
    opinion_write_check,
    practices_of_specialist,
    specialist_case_get,
    specialist_cases,
    specialist_profile_save,
    specialist_profile_save_check,
)


class ProfileForm(forms.Form):
    """The profile's terms as typed; the rules are the service's, which names the field it refuses."""

    specialties = forms.MultipleChoiceField(
        label=gettext_lazy("Specialties you give opinions in"), widget=forms.CheckboxSelectMultiple, required=False
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages you write opinions in"),
        help_text=gettext_lazy("Codes separated by commas, e.g. fr, en"),
        max_length=100,
        required=False,
    )
    price = forms.DecimalField(
        label=gettext_lazy("Your price per opinion"), min_value=Decimal("0"), max_digits=12, decimal_places=3
    )
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=currency_choices)
    weekly_capacity = forms.IntegerField(label=gettext_lazy("Opinions you can give a week"), min_value=0)
    timezone = forms.CharField(
        label=gettext_lazy("Your timezone"), help_text=gettext_lazy("e.g. Europe/Paris"), max_length=64
    )
    country = forms.CharField(
        label=gettext_lazy("Country whose public holidays you keep"),
        help_text=gettext_lazy("Two letters, e.g. FR"),
        max_length=2,
    )
    active = forms.BooleanField(label=gettext_lazy("Accepting new requests"), required=False)

    def __init__(self, *args: Any, provider: Provider, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        specialties = self.fields["specialties"]
        assert isinstance(specialties, forms.MultipleChoiceField)  # noqa: S101
        specialties.choices = [(str(s.pk), s.name) for s in provider.specialties.order_by("pk")]


def _profile_initial(profile: SpecialistProfile | None, provider: Provider) -> dict[str, Any]:
    if profile is None:
        return {
            "languages": ", ".join(provider.languages or []),
            "currency": provider.default_currency or "EUR",
            "weekly_capacity": 3,
            "timezone": "Europe/Paris",
            "country": str(provider.register_country or ""),
            "active": True,
        }
    return {
        "specialties": [str(pk) for pk in profile.specialties.values_list("pk", flat=True)],
        "languages": ", ".join(profile.languages),
        "price": Money(profile.price_amount, profile.currency).to_decimal(),
        "currency": profile.currency,
        "weekly_capacity": profile.weekly_capacity,
        "timezone": profile.timezone,
        "country": profile.country,
        "active": profile.active,
    }


def _save_profile(form: ProfileForm, provider: Provider, user: Any) -> bool:
    data = form.cleaned_data
    try:
        currency = data["currency"]
        amount = Money.from_decimal(data["price"], currency).amount
        with transaction.atomic():
            specialist_profile_save(
                provider=provider,
                actor=user,
                specialties=data["specialties"],
                languages=data["languages"].split(","),
                price_amount=amount,
                currency=currency,
                weekly_capacity=data["weekly_capacity"],
                timezone=data["timezone"],
                country=data["country"],
                active=data["active"],
                now=timezone.now(),
            )
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        if exc.code in {"invalid_amount", "unknown_currency"} and not exc.details:
            form.add_error("price", exc.message)
        else:
            apply_domain_error(form, exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("api_secondopinion_specialist_profile")
def specialist_home(request: HttpRequest) -> HttpResponse:
    practices = list(practices_of_specialist(user=request.user))
    if not practices:
        raise Http404(_("This page is for practitioners who give second opinions."))
    posted = request.POST.get("provider", "") if request.method == "POST" else ""
    blocks = []
    status = 200
    for provider in practices:
        profile = getattr(provider, "opinion_profile", None)
        check = specialist_profile_save_check(provider=provider, actor=request.user)
        form = None
        if check.allowed:
            bound = posted == str(provider.pk)
            form = ProfileForm(
                request.POST if bound else None,
                provider=provider,
                initial=_profile_initial(profile, provider),
                prefix=f"p{provider.pk}",
            )
            if bound:
                if form.is_valid() and _save_profile(form, provider, request.user):
                    messages.success(request, _("Your second-opinion profile is saved."))
                    return redirect("secondopinion:specialist_home")
                status = 400
        blocks.append({"provider": provider, "profile": profile, "check": check, "form": form})
    now = timezone.now()
    cases = list(specialist_cases(user=request.user))
    profiles = [p for p in (getattr(provider, "opinion_profile", None) for provider in practices) if p is not None]
    context = {
        "blocks": blocks,
        "asked": [c for c in cases if c.status == CaseStatus.SPECIALIST_CHOSEN],
        "accepted": [c for c in cases if c.status == CaseStatus.ACCEPTED],
        "delivered": [c for c in cases if c.status not in {CaseStatus.SPECIALIST_CHOSEN, CaseStatus.ACCEPTED}],
        "load": [
            {"profile": p, "count": accepted_this_week(specialist=p, now=now), "capacity": p.weekly_capacity}
            for p in profiles
        ],
    }
    return render(request, "secondopinion/specialist/home.html", context, status=status)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you decline? (for the coordinator)"),
        max_length=MAX_REASON_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OpinionForm(forms.Form):
    case_summary = forms.CharField(
        label=gettext_lazy("Summary of the case as you understand it"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_SECTION_CHARS,
        required=False,
    )
    diagnosis_review = forms.CharField(
        label=gettext_lazy("Review of the diagnosis"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_SECTION_CHARS,
        required=False,
    )
    options = forms.CharField(
        label=gettext_lazy("Treatment options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_SECTION_CHARS,
        required=False,
    )
    recommendation = forms.CharField(
        label=gettext_lazy("Your recommendation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_SECTION_CHARS,
        required=False,
    )
    in_person_advised = forms.BooleanField(label=gettext_lazy("I advise an in-person consultation"), required=False)
    confirm = forms.BooleanField(
        label=gettext_lazy("I have read the documents and sign this opinion: it will be sent to the patient."),
        required=False,
    )

    def __init__(self, *args: Any, questions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for index, question in enumerate(questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=_("Answer to question %(number)d: %(text)s") % {"number": index + 1, "text": question.text},
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=MAX_SECTION_CHARS,
                required=False,
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data.get(f"answer_{index}", "") for index in range(len(self.questions))]

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{index}"] for index in range(len(self.questions))]


def _case(request: HttpRequest, pk: int) -> OpinionCase:
    try:
        return specialist_case_get(user=request.user, case_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _opinion_initial(opinion: Opinion | None) -> dict[str, Any]:
    if opinion is None:
        return {}
    initial: dict[str, Any] = {
        "case_summary": opinion.case_summary,
        "diagnosis_review": opinion.diagnosis_review,
        "options": opinion.options,
        "recommendation": opinion.recommendation,
        "in_person_advised": opinion.in_person_advised,
    }
    for index, answer in enumerate(opinion.answers or []):
        initial[f"answer_{index}"] = answer
    return initial


def _place_opinion_errors(form: OpinionForm, exc: DomainError) -> None:
    """A refusal by the field it names ("answers" on the first answer box), on top otherwise."""
    details = exc.details or {}
    if not details:
        form.add_error(None, exc.message)
        return
    first_answer = f"answer_{0}" if form.questions else None
    for name, field_messages in details.items():
        target = first_answer if name == "answers" else (name if name in form.fields else None)
        for message in field_messages if isinstance(field_messages, list) else [field_messages]:
            form.add_error(target, str(message))


def _render_case(
    request: HttpRequest,
    case: OpinionCase,
    *,
    decline_form: DeclineForm | None = None,
    opinion_form: OpinionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    opinion = Opinion.objects.filter(case=case).first()
    questions = list(case.questions.order_by("position"))
    accept = case_accept_check(case=case, actor=request.user, now=now)
    decline = case_decline_check(case=case, actor=request.user)
    write = opinion_write_check(case=case, actor=request.user)
    if opinion_form is None and write.allowed:
        opinion_form = OpinionForm(questions=questions, initial=_opinion_initial(opinion))
    documents = []
    if case.accepted_at is not None and case.status in SPECIALIST_READS:
        documents = list(case.documents.select_related("document").order_by("added_at", "pk"))
    context = {
        "case": case,
        "questions": questions,
        "opinion": opinion,
        "accept": accept,
        "decline": decline,
        "write": write,
        "sign": opinion_sign_check(case=case, actor=request.user),
        "decline_form": decline_form or (DeclineForm() if decline.allowed else None),
        "opinion_form": opinion_form,
        "documents": documents,
        "signed_on": opinion_signed_on(opinion) if opinion is not None else None,
    }
    return render(request, "secondopinion/specialist/case.html", context, status=status)


@login_required
@require_GET
def specialist_case(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, _case(request, pk))


@login_required
@require_POST
@api_twin("api_secondopinion_specialist_case_accept")
def specialist_case_accept(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    run_service(
        request,
        lambda: case_accept(case=case, actor=request.user, now=timezone.now()),
        _("You accepted the request: the documents are open to you and the clock is running."),
    )
    return redirect("secondopinion:specialist_case", pk=case.pk)


@login_required
@require_POST
@api_twin("api_secondopinion_specialist_case_decline")
def specialist_case_decline(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                case_decline(case=case, actor=request.user, reason=form.cleaned_data["reason"], now=timezone.now())
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("You declined the request: the patient will choose another specialist."))
            return redirect("secondopinion:specialist_home")
    return _render_case(request, case, decline_form=form, status=400)


@login_required
@require_POST
@api_twin("api_secondopinion_specialist_opinion", "api_secondopinion_specialist_opinion_sign")
def specialist_case_opinion(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft saved as typed; with action "sign" (and the confirmation ticked), then signed."""
    case = _case(request, pk)
    questions = list(case.questions.order_by("position"))
    form = OpinionForm(request.POST, questions=questions)
    signing = request.POST.get("action") == "sign"
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            with transaction.atomic():
                opinion_save_draft(
                    case=case,
                    actor=request.user,
                    case_summary=data["case_summary"],
                    diagnosis_review=data["diagnosis_review"],
                    answers=form.answers(),
                    options=data["options"],
                    recommendation=data["recommendation"],
                    in_person_advised=data["in_person_advised"],
                    now=now,
                )
            if signing and not data["confirm"]:
                form.add_error("confirm", _("Tick the box to confirm that you sign this opinion."))
            elif signing:
                with transaction.atomic():
                    opinion_sign(case=case, actor=request.user, now=now)
                messages.success(request, _("The opinion is signed and sent to the patient."))
                return redirect("secondopinion:specialist_case", pk=case.pk)
            else:
                messages.success(request, _("Your draft is saved."))
                return redirect("secondopinion:specialist_case", pk=case.pk)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            _place_opinion_errors(form, exc)
    case.refresh_from_db()
    return _render_case(request, case, opinion_form=form, status=400)


@require_GET
def specialist_verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: whether a signed opinion has this code, by whom and on which day; nothing else."""
    opinion = opinion_by_code(code=code)
    context = {
        "code": code,
        "opinion": opinion,
        "provider": opinion.specialist.provider if opinion is not None else None,
        "signed_on": opinion_signed_on(opinion) if opinion is not None else None,
    }
    response = render(request, "secondopinion/specialist/verify.html", context, status=200 if opinion else 404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns: list[URLPattern] = [
    path("specialist/", specialist_home, name="specialist_home"),
    path("specialist/cases/<int:pk>/", specialist_case, name="specialist_case"),
    path("specialist/cases/<int:pk>/accept/", specialist_case_accept, name="specialist_case_accept"),
    path("specialist/cases/<int:pk>/decline/", specialist_case_decline, name="specialist_case_decline"),
    path("specialist/cases/<int:pk>/opinion/", specialist_case_opinion, name="specialist_case_opinion"),
    path("verify/<str:code>/", specialist_verify, name="specialist_verify"),
]
