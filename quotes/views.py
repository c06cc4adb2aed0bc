"""Quote pages: the patient's requests and quotes, and the providers' inbox where they answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from bookings.selectors import first_fee_day, first_non_refundable_day
from concierge.models import AddonKind, AddonOrder
from concierge.selectors import careteam_package
from concierge.services.packages import is_careteam
from core.api_parity import api_twin
from core.currency import patient_currency
from core.errors import DomainError, NotFound
from core.hooks import subject_sections
from core.money import Money
from core.pages import apply_domain_error, run_service
from core.rates import rates_on
from core.throttling import throttle_hit
from documents.services import document_upload
from providers.models import CancellationPolicyChoice
from quotes import selectors, services
from quotes.forms import (
    QuoteForm,
    QuoteLineFormSet,
    QuoteRequestForm,
    QuoteSlotFormSet,
    TenderForm,
    lines_from,
    slots_from,
)


def _or_404(read, **kwargs):
    try:
        return read(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _provider_ids(request) -> list[int]:
    return [int(value) for value in request.GET.getlist("provider") if value.isdigit()][:20]


# --- patients ------------------------------------------------------------------------------------


@login_required
def request_list(request):
    requests = selectors.patient_quote_requests(patient=request.user)
    return render(request, "quotes/request_list.html", {"requests": requests})


@login_required
@api_twin("api_quote_requests")
def request_new(request):
    form = QuoteRequestForm(
        request.POST or None, request.FILES or None, patient=request.user, provider_ids=_provider_ids(request)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            with transaction.atomic():
                # Per patient, as the API's throttles (docs/decisions.md#holds-per-patient).
                throttle_hit(scope="quote_requests", key=request.user.pk)
                documents = list(data["documents"])
                if data["new_document"]:
                    throttle_hit(scope="document_uploads", key=request.user.pk)
                    documents.append(
                        document_upload(
                            owner=request.user, upload=data["new_document"], title=data["new_document_title"], now=now
                        )
                    )
                sent = services.quote_request_submit(
                    patient=request.user,
                    providers=list(data["providers"]),
                    documents=documents,
                    now=now,
                    **{name: data[name] for name in services.REQUEST_FIELDS},
                )
        except DomainError as exc:
            # The document's own checks name "file" and "title"; on this page they are new_document*.
            renamed = {"file": "new_document", "title": "new_document_title"}
            exc.details = {renamed.get(name, name): errors for name, errors in exc.details.items()}
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Your request is on its way to %(count)d provider(s). You will find their quotes here.")
                % {"count": len(data["providers"])},
            )
            return redirect("quotes:request_detail", sent.pk)
    return render(request, "quotes/request_new.html", {"form": form}, status=400 if form.errors else 200)


def _subject_sections(subject: str, subject_id: int, viewer_id: int) -> list[tuple[str, dict[str, Any]]]:
    """What higher apps show on this page (`core.hooks.subject_sections`: messaging's conversation)."""
    found = subject_sections.call(subject=subject, subject_id=subject_id, viewer_id=viewer_id)
    return [pair for answer in found for pair in answer]


@login_required
def request_detail(request, request_id: int):
    quote_request = _or_404(selectors.patient_quote_request, patient=request.user, request_id=request_id)
    currency = patient_currency(request, None)
    now = timezone.now()
    table = rates_on(day=now.date())
    quotes = list(quote_request.quotes.all())
    for quote in quotes:
        quote.total = Money(quote.total_amount, quote.currency)
        quote.deposit = Money(quote.deposit_amount, quote.currency)
        quote.converted = table.convert(quote.total, currency) if quote.currency != currency else None
        quote.deposit_converted = table.convert(quote.deposit, currency) if quote.currency != currency else None
        # The rules before the commitment: what cancelling would cost if accepted and paid today.
        quote.schedule = selectors.quote_cancellation_schedule(quote=quote, now=now)
        quote.non_refundable_from = first_non_refundable_day(quote.schedule) if quote.schedule else None
        quote.fee_from = first_fee_day(quote.schedule) if quote.schedule else None
        quote.first_slot = min((slot.start for slot in quote.slots.all()), default=None)
        # The buttons the services would accept now, nothing else.
        quote.accept_check = services.quote_accept_check(quote=quote, actor=request.user, now=now)
        quote.decline_check = services.quote_decline_check(quote=quote, actor=request.user)
    return render(
        request,
        "quotes/request_detail.html",
        {
            "quote_request": quote_request,
            "quotes": quotes,
            "currency": currency,
            "withdraw_check": services.quote_request_withdraw_check(request=quote_request, actor=request.user),
            "sections": _subject_sections("quote_request", quote_request.pk, request.user.pk),
        },
    )


@login_required
@require_POST
@api_twin("api_quote_request_withdraw")
def request_withdraw(request, request_id: int):
    quote_request = _or_404(selectors.patient_quote_request, patient=request.user, request_id=request_id)
    run_service(
        request,
        lambda: services.quote_request_withdraw(request=quote_request, actor=request.user, now=timezone.now()),
        _("Your request is withdrawn; the providers can no longer read its documents."),
    )
    return redirect("quotes:request_detail", quote_request.pk)


@login_required
@require_POST
@api_twin("api_quote_accept")
def quote_accept(request, quote_id: int):
    quote = _or_404(selectors.patient_quote, patient=request.user, quote_id=quote_id)
    currency = patient_currency(request, None)
    if run_service(
        request,
        lambda: services.quote_accept(quote=quote, actor=request.user, patient_currency=currency, now=timezone.now()),
        _("Quote accepted. Your booking is waiting for its deposit."),
    ):
        quote.refresh_from_db()
        return redirect("bookings:detail", quote.booking_id)
    return redirect("quotes:request_detail", quote.request_id)


@login_required
@require_POST
@api_twin("api_quote_decline")
def quote_decline(request, quote_id: int):
    quote = _or_404(selectors.patient_quote, patient=request.user, quote_id=quote_id)
    run_service(
        request,
        lambda: services.quote_decline(quote=quote, actor=request.user, now=timezone.now()),
        _("Quote declined."),
    )
    return redirect("quotes:request_detail", quote.request_id)


# --- providers -----------------------------------------------------------------------------------


@login_required
def inbox(request):
    recipients = selectors.member_recipients(user=request.user).prefetch_related("request__quotes")
    return render(request, "quotes/inbox.html", {"recipients": recipients})


@login_required
@api_twin("api_inbox_quote")
def inbox_detail(request, recipient_id: int):
    recipient = _or_404(selectors.member_recipient, user=request.user, recipient_id=recipient_id)
    provider, quote_request = recipient.provider, recipient.request
    data = request.POST if request.method == "POST" else None
    form = QuoteForm(data, provider=provider)
    lines = QuoteLineFormSet(data, prefix="lines")
    slots = QuoteSlotFormSet(data, prefix="slots")
    if request.method == "POST" and form.is_valid() and lines.is_valid() and slots.is_valid():
        head = form.cleaned_data
        line_inputs = lines_from(lines, head["currency"])
        if line_inputs is not None:
            try:
                with transaction.atomic():
                    services.quote_submit(
                        request=quote_request,
                        provider=provider,
                        actor=request.user,
                        currency=head["currency"],
                        lines=line_inputs,
                        deposit_amount=head["deposit_amount"],
                        valid_until=head["valid_until"],
                        slots=slots_from(slots, head["location"].timezone),
                        payment_days=head["payment_days"],
                        max_variation_bps=head["max_variation_bps"],
                        cancellation_policy=head["cancellation_policy"],
                        timezone=head["location"].timezone,
                        excluded=head["excluded"],
                        message=head["message"],
                        now=timezone.now(),
                    )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Your quote is sent to the patient."))
                return redirect("quotes:inbox_detail", recipient.pk)
    invalid = request.method == "POST"
    for quote in recipient.provider_quotes:
        quote.provider = provider
        quote.withdraw_check = services.quote_withdraw_check(quote=quote, actor=request.user)
    return render(
        request,
        "quotes/inbox_detail.html",
        {
            "recipient": recipient,
            "quote_request": quote_request,
            "provider": provider,
            "form": form,
            "lines": lines,
            "slots": slots,
            "submit_check": services.quote_submit_check(
                request=quote_request, provider=provider, actor=request.user, now=timezone.now()
            ),
            "sections": _subject_sections("quote_recipient", recipient.pk, request.user.pk),
        },
        status=400 if invalid else 200,
    )


@login_required
@require_POST
@api_twin("api_inbox_quote_withdraw")
def quote_withdraw(request, quote_id: int):
    recipient_id = request.POST.get("recipient", "")
    recipient = _or_404(
        selectors.member_recipient, user=request.user, recipient_id=int(recipient_id) if recipient_id.isdigit() else 0
    )
    quote = next((q for q in recipient.provider_quotes if q.pk == quote_id), None)
    if quote is None:
        raise Http404(_("No quote with this id was sent by you."))
    quote.provider = recipient.provider
    run_service(
        request,
        lambda: services.quote_withdraw(quote=quote, actor=request.user, now=timezone.now()),
        _("Your quote is withdrawn."),
    )
    return redirect("quotes:inbox_detail", recipient.pk)


# --- tenders: the careteam's provider competition for a patient (careteam assistance) ----------------


def _require_careteam(request) -> None:
    if not is_careteam(request.user):
        raise PermissionDenied(_("Only the careteam can do this."))


@login_required
@api_twin("api_tenders")
def tender_start(request, order_id: int):
    _require_careteam(request)
    order = _or_404(careteam_package, order_id=order_id)
    now = timezone.now()
    check = services.tender_start_check(order=order, actor=request.user, now=now)
    form = TenderForm(request.POST or None, patient=order.patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                tender = services.tender_start(
                    order=order,
                    actor=request.user,
                    providers=list(data["providers"]),
                    subject=data["subject"],
                    message=data["message"],
                    answer_by=data["answer_by"],
                    desired_from=data["desired_from"],
                    desired_to=data["desired_to"],
                    specialty=data["specialty"],
                    procedure=data["procedure"],
                    documents=list(data["documents"]),
                    now=now,
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The request went to the providers in the patient's name."))
            return redirect("quotes:tender_detail", tender.pk)
    return render(
        request,
        "quotes/tender_start.html",
        {"order": order, "form": form, "check": check},
        status=400 if form.errors else 200,
    )


@login_required
@api_twin("api_tender_comparison")
def tender_detail(request, tender_id: int):
    """The tender's log: who invited whom when, who answered when, the deadline; send the comparison."""
    _require_careteam(request)
    tender = _or_404(selectors.careteam_tender, tender_id=tender_id)
    now = timezone.now()
    quotes = selectors.tender_quotes(tender=tender)
    _policy_labels(quotes)
    if request.method == "POST":
        run_service(
            request,
            lambda: services.tender_comparison_send(tender=tender, actor=request.user, now=now),
            _("The comparison was sent to the patient."),
        )
        return redirect("quotes:tender_detail", tender.pk)
    return render(
        request,
        "quotes/tender_detail.html",
        {
            "tender": tender,
            "recipients": list(tender.request.recipients.all()),
            "quotes": quotes,
            "send_check": services.tender_comparison_send_check(tender=tender, actor=request.user, now=now),
            "late": tender.answer_by < now,
        },
    )


@login_required
def tender_comparison(request, tender_id: int):
    """The patient's side-by-side view of the quotes their careteam gathered; they accept one on the request's page."""
    tender = _or_404(selectors.patient_tender, patient=request.user, tender_id=tender_id)
    quotes = selectors.tender_quotes(tender=tender)
    _policy_labels(quotes)
    return render(request, "quotes/tender_comparison.html", {"tender": tender, "quotes": quotes})


def _policy_labels(quotes) -> None:
    labels = dict(CancellationPolicyChoice.choices)
    for quote in quotes:
        quote.policy_label = labels.get(quote.cancellation_policy, quote.cancellation_policy)


def order_tenders_section(*, order_id: int, viewer_id: int) -> list[tuple[str, dict]]:
    """`core.hooks.order_sections`: a careteam assistance's tenders on its order pages (the careteam
    sees the logs and may start one; the patient sees the comparisons sent to them)."""
    order = AddonOrder.objects.filter(pk=order_id, kind=AddonKind.CARETEAM).select_related("patient").first()
    viewer = User.objects.filter(pk=viewer_id).first()
    if order is None or viewer is None:
        return []
    careteam = is_careteam(viewer)
    if not careteam and order.patient_id != viewer.pk:
        return []
    now = timezone.now()
    context = {
        "tenders": selectors.order_tenders(order_id=order.pk),
        "careteam": careteam,
        "can_start": careteam and services.tender_start_check(order=order, actor=viewer, now=now).allowed,
        "order_id": order.pk,
    }
    return [("quotes/_order_tenders.html", context)]
