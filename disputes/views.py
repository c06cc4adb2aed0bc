"""The disputes' pages: the list, opening one from a booking or an order, a dispute's page
(statement, answer, evidence, timeline, decision) and its actions (answer, add a document,
withdraw, the careteam's decision, finance's approval or sending back). Every action is offered
only when its check allows it, and each runs its service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from bookings.models import Booking
from concierge.models import AddonOrder
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound
from core.money import Money
from core.pages import apply_domain_error, run_service
from disputes import forms, selectors, services
from disputes.notifications import mediator
from disputes.serializers import dispute_checks


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- login_required ran first
    return user


def _dispute(request: HttpRequest, pk: int):
    try:
        return selectors.dispute_for(user=_user(request), dispute_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def dispute_list(request: HttpRequest) -> HttpResponse:
    disputes = selectors.disputes_for(user=_user(request)).order_by("-opened_at", "-pk")[:200]
    return render(request, "disputes/list.html", {"disputes": disputes})


def _open(request: HttpRequest, *, booking: Booking | None, order: AddonOrder | None) -> HttpResponse:
    user, now = _user(request), timezone.now()
    check = (
        services.dispute_open_booking_check(booking=booking, actor=user, now=now)
        if booking is not None
        else services.dispute_open_order_check(order=order, actor=user, now=now)  # type: ignore[arg-type]
    )
    if isinstance(check.refusal, NotFound):
        raise Http404(check.refusal.message)
    form = forms.OpenForm(request.POST or None)
    if request.method == "POST" and check.allowed and form.is_valid():
        try:
            dispute = services.dispute_open(
                actor=user,
                booking=booking,
                order=order,
                reason=form.cleaned_data["reason"],
                statement=form.cleaned_data["statement"],
                now=now,
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your dispute is open. The other side and the careteam are told."))
            return redirect("disputes:detail", dispute.pk)
    status = 409 if not check.allowed else (400 if request.method == "POST" else 200)
    context = {"form": form, "check": check, "booking": booking, "order": order}
    return render(request, "disputes/open.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("disputes-api:list")
def open_booking(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = Booking.objects.select_related("provider").filter(pk=booking_id).first()
    if booking is None:
        raise Http404(_("You have no booking with this id."))
    return _open(request, booking=booking, order=None)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("disputes-api:list")
def open_order(request: HttpRequest, order_id: int) -> HttpResponse:
    order = AddonOrder.objects.filter(pk=order_id).first()
    if order is None:
        raise Http404(_("You have no order with this id."))
    return _open(request, booking=None, order=order)


def _detail_context(request: HttpRequest, dispute: Any, **forms_given: Any) -> dict[str, Any]:
    checks = dispute_checks(dispute, _user(request))
    return {
        "dispute": dispute,
        "checks": checks,
        "evidence": selectors.dispute_evidence(dispute=dispute),
        "timeline": selectors.dispute_timeline(dispute=dispute),
        "answer_form": forms_given.get("answer_form") or forms.AnswerForm(),
        "evidence_form": forms_given.get("evidence_form") or forms.EvidenceForm(),
        "decide_form": forms_given.get("decide_form") or forms.DecideForm(),
        "send_back_form": forms_given.get("send_back_form") or forms.SendBackForm(),
        "mediator": mediator() if dispute.order_id else None,
    }


ACTION_OF_FORM = {
    "answer_form": "answer",
    "evidence_form": "add_evidence",
    "decide_form": "decide",
    "send_back_form": "send_back",
}


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    return render(request, "disputes/detail.html", _detail_context(request, dispute))


def _form_post(request: HttpRequest, pk: int, form_name: str, form: Any, action: Any, done: str) -> HttpResponse:
    """Run `action(dispute, cleaned_data)` for a valid `form`; show the page again with the errors
    otherwise. Who may never do this (the action's check answers Forbidden) gets 403 first."""
    dispute = _dispute(request, pk)
    check = dispute_checks(dispute, _user(request))[ACTION_OF_FORM[form_name]]
    if isinstance(check.refusal, Forbidden):
        raise PermissionDenied(check.refusal.message)
    if form.is_valid():
        try:
            action(dispute, form.cleaned_data)
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("disputes:detail", dispute.pk)
    context = _detail_context(request, dispute, **{form_name: form})
    return render(request, "disputes/detail.html", context, status=400)


@login_required
@require_POST
@api_twin("disputes-api:answer")
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return _form_post(
        request,
        pk,
        "answer_form",
        forms.AnswerForm(request.POST),
        lambda dispute, data: services.dispute_answer(
            dispute=dispute, actor=user, answer=data["answer"], now=timezone.now()
        ),
        _("Your answer is recorded; the careteam now reviews the dispute."),
    )


@login_required
@require_POST
@api_twin("disputes-api:evidence")
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return _form_post(
        request,
        pk,
        "evidence_form",
        forms.EvidenceForm(request.POST, request.FILES),
        lambda dispute, data: services.dispute_evidence_add(
            dispute=dispute, actor=user, upload=data["file"], title=data["title"], kind=data["kind"], now=timezone.now()
        ),
        _("The document is added to the dispute."),
    )


def _minor_units(amount: Decimal | None, currency: str) -> int | None:
    if amount is None:
        return None
    return Money.from_decimal(amount, currency).amount


@login_required
@require_POST
@api_twin("disputes-api:decide")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)

    def act(dispute: Any, data: dict[str, Any]) -> None:
        amount = _minor_units(data.get("refund_amount"), dispute.currency)  # MoneyError: shown on the form
        services.dispute_decide(
            dispute=dispute,
            actor=user,
            outcome=data["outcome"],
            refund_percent=data.get("refund_percent"),
            refund_amount=amount,
            note=data["note"],
            now=timezone.now(),
        )

    return _form_post(request, pk, "decide_form", forms.DecideForm(request.POST), act, _("The decision is recorded."))


@login_required
@require_POST
@api_twin("disputes-api:approve")
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    user = _user(request)
    run_service(
        request,
        lambda: services.dispute_approve(dispute=dispute, actor=user, now=timezone.now()),
        _("The decision is approved and posted."),
    )
    return redirect("disputes:detail", dispute.pk)


@login_required
@require_POST
@api_twin("disputes-api:send_back")
def send_back(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    return _form_post(
        request,
        pk,
        "send_back_form",
        forms.SendBackForm(request.POST),
        lambda dispute, data: services.dispute_send_back(
            dispute=dispute, actor=user, reason=data["reason"], now=timezone.now()
        ),
        _("The decision went back to the careteam."),
    )


@login_required
@require_POST
@api_twin("disputes-api:withdraw")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _dispute(request, pk)
    user = _user(request)
    run_service(
        request,
        lambda: services.dispute_withdraw(dispute=dispute, actor=user, now=timezone.now()),
        _("Your dispute is withdrawn."),
    )
    return redirect("disputes:detail", dispute.pk)
