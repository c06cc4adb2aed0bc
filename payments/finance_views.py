"""Finance's pages (/finance/): the trust register, the release queue, each booking's ledger, the
reconciliation with Stripe, and CSV exports. Only the finance group gets in; anyone else signed in
gets 403 and no figure. One view is for providers: a member asks for a booking's deposit.

CSV amounts are decimal strings in major units beside their currency (`500.00`, `EUR`), never floats.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import StaffGroup
from accounts.reauth import recent_authentication_required
from bookings.models import Booking
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden
from core.money import Money
from core.pages import run_service
from payments import selectors
from payments.forms import (
    ApproveForm,
    BookingLookupForm,
    EntriesExportForm,
    PayoutChangeForm,
    PayoutRejectForm,
    ReconcileForm,
    RejectForm,
    TrustRegisterFilterForm,
    WireForm,
)
from payments.models import OrphanedCharge, PayoutChange, Release, StripeEvent
from payments.services.orphans import charge_orphan_refund_check, charge_orphan_refund_now
from payments.services.payout_changes import (
    payout_change_approve,
    payout_change_approve_check,
    payout_change_propose,
    payout_change_reject,
    payout_change_reject_check,
)
from payments.services.reconciliation import reconcile_day
from payments.services.releases import (
    release_approve,
    release_approve_check,
    release_record_wire,
    release_reject,
    release_reject_check,
    release_request,
    release_retry_check,
    release_retry_transfer,
    release_wire_check,
)
from payments.webhooks import stripe_event_retry_check, stripe_event_retry_now, stripe_events_dead
from providers.models import Provider
from providers.services.permissions import member_role

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def finance_required(view):
    """Signed in and in the finance group; anyone else gets 403 before anything is read."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.in_group(StaffGroup.FINANCE):
            raise PermissionDenied(_("Only finance can see this page."))
        return view(request, *args, **kwargs)

    return wrapped


def _major(amount: int, currency: str) -> str:
    """An amount for CSV: exact decimal in major units (`-450.00`, `1500` for JPY)."""
    return str(Money(amount, currency).to_decimal())


def _text(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula (names are typed by providers)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


# --- the trust register ----------------------------------------------------------------------------


def _trust_register(request):
    """The filter form bound to the query string, and the register it selects (None when invalid)."""
    form = TrustRegisterFilterForm(request.GET, providers=selectors.trust_providers())
    if not form.is_valid():
        return form, None
    return form, selectors.trust_register(now=timezone.now(), **form.filters(timezone.get_current_timezone()))


@finance_required
@require_GET
def trust_register(request):
    form, register = _trust_register(request)
    return render(
        request,
        "payments/finance/trust_register.html",
        {
            "register": register,
            "filter_form": form,
            "query": request.GET.urlencode(),
            "buckets": [key for key, _first, _last in selectors.AGE_BUCKETS],
            "lookup_form": BookingLookupForm(),
            "export_form": EntriesExportForm(),
        },
    )


@finance_required
@require_GET
def trust_register_csv(request):
    form, register = _trust_register(request)
    if register is None:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return redirect(f"{reverse('finance:trust_register')}?{request.GET.urlencode()}")
    rows = [
        [
            line.booking.pk,
            line.booking.provider_id,
            _text(line.booking.provider.name),
            line.currency,
            _major(line.held, line.currency),
            line.paid_at.isoformat() if line.paid_at else "",
            line.age_days,
            line.bucket,
            line.booking.status,
        ]
        for line in register.lines
    ]
    rows += [
        ["total", "", "", currency, _major(total, currency), "", "", "", ""]
        for currency, total in register.totals.items()
    ]
    header = [
        *("booking", "provider_id", "provider", "currency", "held", "paid_at", "age_days", "age_bucket"),
        "booking_status",
    ]
    return _csv_response(f"trust-register-{timezone.now():%Y-%m-%d}.csv", header, rows)


# --- releases --------------------------------------------------------------------------------------


@finance_required
@require_GET
def release_queue(request):
    # Each button shows only when its service would accept it (the release's checks); otherwise why not.
    requested = list(selectors.releases_requested())
    for release in requested:
        release.by_transfer = selectors.release_payout_by_transfer(release)
        release.approve = release_approve_check(release=release, actor=request.user)
        release.reject = release_reject_check(release=release, actor=request.user)
        release.approve_form = ApproveForm(auto_id=f"id_approve_{release.pk}_%s")
        release.reject_form = RejectForm(auto_id=f"id_reject_{release.pk}_%s")
    awaiting_wire = list(selectors.releases_awaiting_wire())
    for release in awaiting_wire:
        release.wire = release_wire_check(release=release, actor=request.user)
        release.wire_form = WireForm(auto_id=f"id_wire_{release.pk}_%s")
        release.retry = release_retry_check(release=release, actor=request.user)
    # Transfers sent whose answer from Stripe never came: retried by the job, or here (same key).
    unanswered = list(selectors.releases_transfer_unanswered())
    for release in unanswered:
        release.retry = release_retry_check(release=release, actor=request.user)
    return render(
        request,
        "payments/finance/releases.html",
        {
            "requested": requested,
            "awaiting_wire": awaiting_wire,
            "unanswered": unanswered,
            "recent": selectors.releases_recent(),
        },
    )


@dataclass(frozen=True)
class _ReleaseDecision:
    """One of finance's decisions on a release: the form it posts, the one field the service takes
    (under the same name; `blank` when the form is invalid, which the service then refuses or
    ignores), the service, and what finance is told when it is done."""

    form: type[forms.Form]
    field: str
    blank: Any
    service: Callable[..., Any]
    done: StrPromise


_RELEASE_DECISIONS = {
    "approve": _ReleaseDecision(
        ApproveForm,
        "waive_commission",
        False,
        release_approve,
        gettext_lazy("The release of booking no. %(number)s is approved."),
    ),
    "reject": _ReleaseDecision(
        RejectForm, "reason", "", release_reject, gettext_lazy("The release of booking no. %(number)s is rejected.")
    ),
}


@finance_required
@require_POST
@api_twin("api_finance_release_approve", "api_finance_release_reject")
def release_decide(request, release_id: int, decision: str):
    """Approve a release, reject it or record its wire: `decision`, set by the URL (finance_urls)."""
    step = _RELEASE_DECISIONS[decision]
    release = get_object_or_404(Release, pk=release_id)
    form = step.form(request.POST)
    value = form.cleaned_data[step.field] if form.is_valid() else step.blank
    run_service(
        request,
        lambda: step.service(release=release, actor=request.user, now=timezone.now(), **{step.field: value}),
        step.done % {"number": release.booking_id},
    )
    return redirect("finance:releases")


def _run(request, action: Callable[[], Any]) -> tuple[bool, Any]:
    """`core.pages.run_service` for a page whose message depends on what the service returned:
    (done, result); a refusal's message is shown and nothing is written."""
    try:
        with transaction.atomic():
            return True, action()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return False, None


@finance_required
@require_POST
@api_twin("api_finance_release_wire")
def release_wire(request, release_id: int):
    """Record the wire that paid a release; a transfer Stripe made after all is recorded instead."""
    release = get_object_or_404(Release, pk=release_id)
    form = WireForm(request.POST)
    reference = form.cleaned_data["reference"] if form.is_valid() else ""
    done, paid = _run(
        request,
        lambda: release_record_wire(release=release, actor=request.user, reference=reference, now=timezone.now()),
    )
    if done and paid.stripe_transfer_id:
        messages.warning(
            request,
            _(
                "Stripe made the transfer of booking no. %(number)s after all (%(transfer)s): "
                "it is recorded. Pay no wire."
            )
            % {"number": release.booking_id, "transfer": paid.stripe_transfer_id},
        )
    elif done:
        messages.success(
            request, _("The wire for booking no. %(number)s is recorded.") % {"number": release.booking_id}
        )
    return redirect("finance:releases")


@finance_required
@require_POST
@api_twin("api_finance_release_retry")
def release_retry(request, release_id: int):
    """Send a release's transfer again under its key (a lost answer, a failed transfer)."""
    release = get_object_or_404(Release, pk=release_id)
    done, sent = _run(request, lambda: release_retry_transfer(release=release, actor=request.user, now=timezone.now()))
    if done:
        if sent.status == "paid":
            messages.success(
                request, _("The transfer of booking no. %(number)s is made.") % {"number": release.booking_id}
            )
        else:
            messages.warning(
                request,
                _("Stripe did not confirm the transfer of booking no. %(number)s (%(error)s); it will be tried again.")
                % {"number": release.booking_id, "error": sent.transfer_error or sent.get_status_display()},
            )
    return redirect("finance:releases")


@login_required
@require_POST
@api_twin("api_booking_release_request")
def release_ask(request, booking_id: int):
    """A member of the booking's provider asks for its deposit (from the calendar or the booking)."""
    booking = Booking.objects.filter(pk=booking_id).select_related("provider").first()
    if booking is None or member_role(user=request.user, provider=booking.provider) is None:
        raise Http404(_("You have no booking with this number."))
    run_service(
        request,
        lambda: release_request(booking=booking, actor=request.user, now=timezone.now()),
        _("The deposit is asked for: finance will review it."),
    )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("bookings:detail", booking.pk)


# --- ledger ----------------------------------------------------------------------------------------


@finance_required
@require_GET
def booking_lookup(request):
    form = BookingLookupForm(request.GET)
    if form.is_valid():
        return redirect("finance:booking_ledger", form.cleaned_data["booking"])
    messages.error(request, _("Enter a booking number."))
    return redirect("finance:trust_register")


@finance_required
@require_GET
def booking_ledger(request, booking_id: int):
    booking = get_object_or_404(Booking.objects.select_related("provider", "patient"), pk=booking_id)
    transactions = list(selectors.booking_ledger(booking=booking))
    for txn in transactions:
        txn.lines = [
            {
                "account": entry.account.code,
                "debit": Money(entry.amount, entry.currency) if entry.amount > 0 else None,
                "credit": Money(-entry.amount, entry.currency) if entry.amount < 0 else None,
            }
            for entry in txn.entries.all()
        ]
    return render(
        request,
        "payments/finance/booking_ledger.html",
        {
            "booking": booking,
            "transactions": transactions,
            "accounts": selectors.booking_accounts(booking=booking),
            "releases": booking.releases.order_by("-requested_at"),
        },
    )


_ENTRY_HEADER = [
    "transaction",
    "posted_at",
    "kind",
    "booking",
    "external_source",
    "external_id",
    "account",
    "currency",
    "debit",
    "credit",
    "amount",
]


def _entry_rows(entries):
    for entry in entries:
        txn = entry.transaction
        yield [
            txn.pk,
            txn.posted_at.isoformat(),
            txn.kind,
            txn.booking_id or "",
            txn.external_source,
            txn.external_id,
            entry.account.code,
            entry.currency,
            _major(entry.amount, entry.currency) if entry.amount > 0 else "",
            _major(-entry.amount, entry.currency) if entry.amount < 0 else "",
            _major(entry.amount, entry.currency),
        ]


@finance_required
@require_GET
def booking_ledger_csv(request, booking_id: int):
    booking = get_object_or_404(Booking, pk=booking_id)
    # The prefetch sets each entry's transaction: no query per row.
    entries = [entry for txn in selectors.booking_ledger(booking=booking) for entry in txn.entries.all()]
    return _csv_response(f"booking-{booking.pk}-ledger.csv", _ENTRY_HEADER, _entry_rows(entries))


@finance_required
@require_GET
def entries_csv(request):
    form = EntriesExportForm(request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("finance:trust_register")
    start, end = form.bounds()
    entries = selectors.ledger_entries_between(start=start, end=end)
    filename = f"ledger-{form.cleaned_data['start']:%Y-%m-%d}-{form.cleaned_data['end']:%Y-%m-%d}.csv"
    return _csv_response(filename, _ENTRY_HEADER, _entry_rows(entries.iterator(chunk_size=2000)))


# --- reconciliation --------------------------------------------------------------------------------


@finance_required
@require_GET
def reconciliation(request):
    latest = selectors.reconciliation_latest()
    yesterday = timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1)
    return render(
        request,
        "payments/finance/reconciliation.html",
        {
            "run": latest,
            "history": selectors.reconciliation_history(),
            "form": ReconcileForm(initial={"day": yesterday}),
        },
    )


@finance_required
@require_POST
@api_twin("api_finance_reconciliation_run")
def reconciliation_run(request):
    form = ReconcileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the day to reconcile."))
        return redirect("finance:reconciliation")
    day = form.cleaned_data["day"]
    try:
        run = reconcile_day(day=day, now=timezone.now(), actor=request.user)
    except DomainError as exc:  # Stripe unreachable: nothing stored, try again
        messages.error(request, exc.message)
        return redirect("finance:reconciliation")
    if run.ok:
        messages.success(request, _("%(day)s reconciles: the ledger and Stripe agree.") % {"day": day})
    else:
        messages.warning(
            request, _("%(day)s: %(count)s difference(s) to look at.") % {"day": day, "count": run.problems}
        )
    return redirect("finance:reconciliation")


# --- orphaned charges ------------------------------------------------------------------------------


@finance_required
@require_GET
def orphaned_charges(request):
    """Payments that succeeded for something that could no longer take them, and their refunds."""
    orphans = list(selectors.orphaned_charges())
    for orphan in orphans:
        orphan.refund = charge_orphan_refund_check(orphan=orphan, actor=request.user)
    return render(request, "payments/finance/orphaned_charges.html", {"orphans": orphans})


@finance_required
@require_POST
@api_twin("api_finance_orphaned_charge_refund")
def orphaned_charge_refund(request, orphan_id: int):
    orphan = get_object_or_404(OrphanedCharge, pk=orphan_id)
    run_service(
        request,
        lambda: charge_orphan_refund_now(orphan=orphan, actor=request.user, now=timezone.now()),
        _("Payment %(payment)s is refunded.") % {"payment": orphan.payment_intent_id},
    )
    return redirect("finance:orphaned_charges")


# --- Stripe events that keep failing (dead letters) -------------------------------------------------


@finance_required
@require_GET
def stripe_events(request):
    events = list(stripe_events_dead())
    for event in events:
        event.retry = stripe_event_retry_check(event=event, actor=request.user)
    return render(request, "payments/finance/stripe_events.html", {"events": events})


@finance_required
@require_POST
@api_twin("api_finance_stripe_event_retry")
def stripe_event_retry(request, event_id: str):
    event = get_object_or_404(StripeEvent, pk=event_id)
    run_service(
        request,
        lambda: stripe_event_retry_now(event=event, actor=request.user, now=timezone.now()),
        _("Stripe event %(id)s is processed.") % {"id": event.pk},
    )
    return redirect("finance:stripe_events")


# --- payout accounts: changed by one finance member, approved by another -----------------------------


@finance_required
@require_GET
def payout_accounts(request):
    proposals = list(selectors.payout_changes_open())
    for change in proposals:
        change.approve = payout_change_approve_check(change=change, actor=request.user)
        change.reject = payout_change_reject_check(change=change, actor=request.user)
        change.reject_form = PayoutRejectForm(auto_id=f"id_reject_{change.pk}_%s")
    return render(
        request,
        "payments/finance/payout_accounts.html",
        {
            "accounts": selectors.payout_accounts(),
            "proposals": proposals,
            "recent": selectors.payout_changes_recent(),
            "form": PayoutChangeForm(initial={"provider": request.GET.get("provider", "")}),
        },
    )


@finance_required
@recent_authentication_required
@require_POST
@api_twin("api_finance_payout_change_new")
def payout_change_new(request):
    """Propose a change (the password is asked again when the last one is older than allowed)."""
    form = PayoutChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(" ".join(errors) for errors in form.errors.values()))
        return redirect("finance:payout_accounts")
    provider = Provider.objects.filter(pk=form.cleaned_data["provider"]).first()
    if provider is None:
        messages.error(request, _("There is no provider with this number."))
        return redirect("finance:payout_accounts")
    run_service(
        request,
        lambda: payout_change_propose(
            provider=provider,
            actor=request.user,
            stripe_account_id=form.cleaned_data["stripe_account_id"],
            auto_release=form.cleaned_data["auto_release"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("The change is proposed: another finance member must approve it."),
    )
    return redirect("finance:payout_accounts")


@finance_required
@recent_authentication_required
@require_POST
@api_twin("api_finance_payout_change_approve", "api_finance_payout_change_reject")
def payout_change_decide(request, change_id: int, decision: str):
    change = get_object_or_404(PayoutChange, pk=change_id)
    if decision == "approve":
        run_service(
            request,
            lambda: payout_change_approve(change=change, actor=request.user, now=timezone.now()),
            _("The payout account of %(provider)s is changed.") % {"provider": change.provider.name},
        )
    else:
        form = PayoutRejectForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        run_service(
            request,
            lambda: payout_change_reject(change=change, actor=request.user, reason=reason, now=timezone.now()),
            _("The change is rejected; the payout account stays as it was."),
        )
    return redirect("finance:payout_accounts")
