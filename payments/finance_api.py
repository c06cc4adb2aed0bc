"""Finance's API, under /api/v1/finance/: what finance's pages (payments/finance_views.py) show and
do, for finance's own tools. The release queue with each row's actions, approving, rejecting,
wiring and retrying a release, refunding an orphaned charge, processing a dead-lettered Stripe
event again, the payout accounts and their changes (one finance member proposes, another
approves), the reconciliation (its last runs; a run for a day), the trust register and a
booking's ledger.

Only the finance group gets in, as on the pages: anyone else signed in gets 403 `finance_only`
before anything is read. The rules are the services' own (four eyes, states, holds): a refusal is
the DomainError body `{code, message, details}`. Where a page asks for a recent sign-in (a payout
change), the API asks for a code of the second factor in the body (accounts/reauth.py). Writes
take an `Idempotency-Key` (core/idempotency.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StaffGroup, User
from accounts.reauth import second_factor_code_check
from bookings.models import Booking
from core.checks import actions_payload
from core.errors import Forbidden, NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.money import Money
from core.serializers import ApiErrorSerializer
from payments import selectors
from payments.finance_serializers import (
    BookingLedgerSerializer,
    OrphanedChargeSerializer,
    PayoutChangeInputSerializer,
    PayoutChangeRejectInputSerializer,
    PayoutChangeSerializer,
    PayoutDecisionInputSerializer,
    PayoutOverviewSerializer,
    ReconciliationRunInputSerializer,
    ReconciliationRunSerializer,
    ReconciliationSerializer,
    ReleaseApproveInputSerializer,
    ReleaseQueueSerializer,
    ReleaseRejectInputSerializer,
    ReleaseSerializer,
    ReleaseWireInputSerializer,
    ReleaseWireResultSerializer,
    StripeEventSerializer,
    TrustRegisterQuerySerializer,
    TrustRegisterSerializer,
)
from payments.forms import TrustRegisterFilterForm
from payments.models import (
    OrphanedCharge,
    PayoutAccount,
    PayoutChange,
    ReconciliationRun,
    Release,
    StripeEvent,
)
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
    release_retry_check,
    release_retry_transfer,
    release_wire_check,
)
from payments.webhooks import stripe_event_retry_check, stripe_event_retry_now, stripe_events_dead
from providers.models import Provider

TAGS = ["Finance"]
READ_ERRORS = {403: ApiErrorSerializer}
WRITE_ERRORS = {
    400: ApiErrorSerializer,
    403: ApiErrorSerializer,
    404: ApiErrorSerializer,
    409: ApiErrorSerializer,
    502: ApiErrorSerializer,
}


def _require_finance(request: Request) -> User:
    """The pages' rule (finance_views.finance_required): the finance group only, checked first."""
    user = cast(User, request.user)  # IsAuthenticated ran first
    if not user.in_group(StaffGroup.FINANCE):
        raise Forbidden(_("Only finance can see this page."), code="finance_only")
    return user


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "email": user.email}


def _provider(provider: Provider) -> dict[str, Any]:
    return {"id": provider.pk, "name": provider.name}


def _body(serializer_class: type, request: Request) -> dict[str, Any]:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


# --- releases ----------------------------------------------------------------------------------------


def _release(release: Release, actor: User, now: dt.datetime) -> dict[str, Any]:
    """A release as finance's queue shows it, with what `actor` may do to it now (the services' checks)."""
    return {
        "id": release.pk,
        "booking": release.booking_id,
        "provider": _provider(release.provider),
        "status": release.status,
        "status_label": release.get_status_display(),
        "amount": Money(release.amount, release.currency),
        "commission": Money(release.commission, release.currency),
        "payout": Money(release.payout, release.currency),
        "commission_waived": release.commission_waived,
        "by_transfer": selectors.release_payout_by_transfer(release),
        "requested_by": _person(release.requested_by),
        "requested_at": release.requested_at,
        "decided_by": _person(release.decided_by),
        "decided_at": release.decided_at,
        "reject_reason": release.reject_reason,
        "stripe_transfer_id": release.stripe_transfer_id,
        "wire_reference": release.wire_reference,
        "paid_at": release.paid_at,
        "transfer_attempts": release.transfer_attempts,
        "transfer_error": release.transfer_error,
        "available_actions": actions_payload(
            {
                "approve": release_approve_check(release=release, actor=actor, now=now),
                "reject": release_reject_check(release=release, actor=actor),
                "wire": release_wire_check(release=release, actor=actor, now=now),
                "retry": release_retry_check(release=release, actor=actor, now=now),
            }
        ),
    }


def _release_of(release_id: int) -> Release:
    release = (
        Release.objects.select_related("booking", "provider", "provider__payout_account", "requested_by", "decided_by")
        .filter(pk=release_id)
        .first()
    )
    if release is None:
        raise NotFound(_("No release has this id."))
    return release


def _release_answer(request: Request, release_id: int) -> Response:
    """The release as it is now (read again after a change)."""
    release = _release_of(release_id)
    return Response(ReleaseSerializer(_release(release, cast(User, request.user), timezone.now())).data)


class ReleaseQueueAPI(APIView):
    @extend_schema(
        tags=TAGS, operation_id="finance_release_queue", responses={200: ReleaseQueueSerializer, **READ_ERRORS}
    )
    def get(self, request):
        """The release queue: to decide, to wire, transfers unanswered, and the last decided."""
        _require_finance(request)
        now, actor = timezone.now(), request.user
        queue = {
            "requested": selectors.releases_requested(),
            "awaiting_wire": selectors.releases_awaiting_wire(),
            "unanswered": selectors.releases_transfer_unanswered(),
            "recent": selectors.releases_recent().select_related("decided_by"),
        }
        answer = {name: [_release(release, actor, now) for release in rows] for name, rows in queue.items()}
        return Response(ReleaseQueueSerializer(answer).data)


class ReleaseAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ReleaseSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer})
    def get(self, request, release_id: int):
        """One release with its actions."""
        _require_finance(request)
        return _release_answer(request, release_id)


@non_atomic
class ReleaseApproveAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=ReleaseApproveInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ReleaseSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, release_id: int):
        """Approve a release (not one you asked for), waiving the commission or not; it is paid by
        transfer when the provider has a usable connected account, else it awaits a wire."""
        _require_finance(request)
        release = _release_of(release_id)
        waive = _body(ReleaseApproveInputSerializer, request)["waive_commission"]
        release_approve(release=release, actor=request.user, waive_commission=waive, now=timezone.now())
        return _release_answer(request, release_id)


@non_atomic
class ReleaseRejectAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=ReleaseRejectInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ReleaseSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, release_id: int):
        """Reject a release with the reason the provider reads; the deposit stays in trust."""
        _require_finance(request)
        release = _release_of(release_id)
        reason = _body(ReleaseRejectInputSerializer, request)["reason"]
        release_reject(release=release, actor=request.user, reason=reason, now=timezone.now())
        return _release_answer(request, release_id)


@non_atomic
class ReleaseWireAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=ReleaseWireInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ReleaseWireResultSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, release_id: int):
        """Record the bank wire that paid a release. A release whose transfer Stripe made after all
        comes back paid by that transfer (`paid_by_transfer`): pay no wire."""
        _require_finance(request)
        release = _release_of(release_id)
        reference = _body(ReleaseWireInputSerializer, request)["reference"]
        paid = release_record_wire(release=release, actor=request.user, reference=reference, now=timezone.now())
        row = _release(_release_of(release_id), request.user, timezone.now())
        return Response(ReleaseWireResultSerializer({**row, "paid_by_transfer": bool(paid.stripe_transfer_id)}).data)


@non_atomic
class ReleaseRetryAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ReleaseSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, release_id: int):
        """Send a release's transfer again under its key (a lost answer, a failed transfer). The
        answer's status says whether Stripe made it (`paid`) or it will be tried again."""
        _require_finance(request)
        release = _release_of(release_id)
        release_retry_transfer(release=release, actor=request.user, now=timezone.now())
        return _release_answer(request, release_id)


# --- orphaned charges ----------------------------------------------------------------------------------


def _orphan(orphan: OrphanedCharge, actor: User) -> dict[str, Any]:
    return {
        "id": orphan.pk,
        "payment_intent_id": orphan.payment_intent_id,
        "amount": Money(orphan.amount, orphan.currency),
        "booking": orphan.booking_id,
        "purpose": orphan.purpose,
        "reason": orphan.reason,
        "status": orphan.status,
        "status_label": orphan.get_status_display(),
        "stripe_refund_id": orphan.stripe_refund_id,
        "refund_attempts": orphan.refund_attempts,
        "last_error": orphan.last_error,
        "found_at": orphan.found_at,
        "refunded_at": orphan.refunded_at,
        "available_actions": actions_payload({"refund": charge_orphan_refund_check(orphan=orphan, actor=actor)}),
    }


class OrphanedChargeListAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: OrphanedChargeSerializer(many=True), **READ_ERRORS})
    def get(self, request):
        """Payments that succeeded for something that could no longer take them: those to refund
        first, then the newest."""
        _require_finance(request)
        return Response(
            OrphanedChargeSerializer([_orphan(o, request.user) for o in selectors.orphaned_charges()], many=True).data
        )


@non_atomic
class OrphanedChargeRefundAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrphanedChargeSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, orphan_id: int):
        """Refund an orphaned charge to its card now (under its own key: never twice)."""
        _require_finance(request)
        orphan = OrphanedCharge.objects.filter(pk=orphan_id).first()
        if orphan is None:
            raise NotFound(_("No orphaned charge has this id."))
        orphan = charge_orphan_refund_now(orphan=orphan, actor=request.user, now=timezone.now())
        return Response(OrphanedChargeSerializer(_orphan(orphan, request.user)).data)


# --- Stripe events that keep failing (dead letters) ------------------------------------------------------


def _event(event: StripeEvent, actor: User) -> dict[str, Any]:
    return {
        "id": event.pk,
        "type": event.type,
        "account": event.account,
        "created": event.created,
        "received_at": event.received_at,
        "processed_at": event.processed_at,
        "dead_at": event.dead_at,
        "attempts": event.attempts,
        "last_error": event.last_error,
        "available_actions": actions_payload({"retry": stripe_event_retry_check(event=event, actor=actor)}),
    }


class StripeEventListAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: StripeEventSerializer(many=True), **READ_ERRORS})
    def get(self, request):
        """The Stripe events whose processing kept failing (dead letters), newest first."""
        _require_finance(request)
        events = [_event(event, request.user) for event in stripe_events_dead()[:200]]
        return Response(StripeEventSerializer(events, many=True).data)


@non_atomic
class StripeEventRetryAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: StripeEventSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, event_id: str):
        """Process a dead-lettered event again (after fixing its cause); failing again is a 409
        `event_failed_again` with the error, and the event stays in the dead letters."""
        _require_finance(request)
        event = StripeEvent.objects.filter(pk=event_id).first()
        if event is None:
            raise NotFound(_("No Stripe event has this id."))
        event = stripe_event_retry_now(event=event, actor=request.user, now=timezone.now())
        return Response(StripeEventSerializer(_event(event, request.user)).data)


# --- payout accounts: changed by one finance member, approved by another -----------------------------------


def _account(account: PayoutAccount) -> dict[str, Any]:
    return {
        "provider": _provider(account.provider),
        "stripe_account_id": account.stripe_account_id,
        "payouts_enabled": account.payouts_enabled,
        "transfers_active": account.transfers_active,
        "can_receive_transfers": account.can_receive_transfers,
        "auto_release": account.auto_release,
        "commission_bps": account.commission_bps,
    }


def _change(change: PayoutChange, actor: User) -> dict[str, Any]:
    return {
        "id": change.pk,
        "provider": _provider(change.provider),
        "old_stripe_account_id": change.old_stripe_account_id,
        "old_auto_release": change.old_auto_release,
        "new_stripe_account_id": change.new_stripe_account_id,
        "new_auto_release": change.new_auto_release,
        "note": change.note,
        "status": change.status,
        "status_label": change.get_status_display(),
        "proposed_by": _person(change.proposed_by),
        "proposed_at": change.proposed_at,
        "decided_by": _person(change.decided_by),
        "decided_at": change.decided_at,
        "reject_reason": change.reject_reason,
        "available_actions": actions_payload(
            {
                "approve": payout_change_approve_check(change=change, actor=actor),
                "reject": payout_change_reject_check(change=change, actor=actor),
            }
        ),
    }


def _change_of(change_id: int) -> PayoutChange:
    change = PayoutChange.objects.select_related("provider", "proposed_by", "decided_by").filter(pk=change_id).first()
    if change is None:
        raise NotFound(_("No payout change has this id."))
    return change


class PayoutAccountsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PayoutOverviewSerializer, **READ_ERRORS})
    def get(self, request):
        """Every provider's payout account, the open proposals to change one (with whether you may
        approve or reject each), and the last decided."""
        _require_finance(request)
        actor = request.user
        answer = {
            "accounts": [_account(account) for account in selectors.payout_accounts()],
            "proposals": [_change(change, actor) for change in selectors.payout_changes_open()],
            "recent": [_change(change, actor) for change in selectors.payout_changes_recent()],
        }
        return Response(PayoutOverviewSerializer(answer).data)


@non_atomic
class PayoutChangeProposeAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=PayoutChangeInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: PayoutChangeSerializer, 429: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Propose a change of where (connected account) or how (automatic releases) a provider is
        paid; another finance member must approve it. Needs a second-factor code."""
        _require_finance(request)
        body = _body(PayoutChangeInputSerializer, request)
        second_factor_code_check(request.user, body["code"])
        provider = Provider.objects.filter(pk=body["provider"]).first()
        if provider is None:
            raise NotFound(_("There is no provider with this number."))
        change = payout_change_propose(
            provider=provider,
            actor=request.user,
            stripe_account_id=body["stripe_account_id"],
            auto_release=body["auto_release"],
            note=body["note"],
            now=timezone.now(),
        )
        return Response(
            PayoutChangeSerializer(_change(_change_of(change.pk), request.user)).data, status=status.HTTP_201_CREATED
        )


@non_atomic
class PayoutChangeApproveAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=PayoutDecisionInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PayoutChangeSerializer, 429: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, change_id: int):
        """Approve another finance member's proposal: the payout account changes now. Needs a
        second-factor code."""
        _require_finance(request)
        code = _body(PayoutDecisionInputSerializer, request)["code"]
        second_factor_code_check(request.user, code)
        change = _change_of(change_id)
        payout_change_approve(change=change, actor=request.user, now=timezone.now())
        return Response(PayoutChangeSerializer(_change(_change_of(change_id), request.user)).data)


@non_atomic
class PayoutChangeRejectAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=PayoutChangeRejectInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PayoutChangeSerializer, 429: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, change_id: int):
        """Reject a proposal with a reason; the payout account stays as it was. Needs a
        second-factor code."""
        _require_finance(request)
        body = _body(PayoutChangeRejectInputSerializer, request)
        second_factor_code_check(request.user, body["code"])
        change = _change_of(change_id)
        payout_change_reject(change=change, actor=request.user, reason=body["reason"], now=timezone.now())
        return Response(PayoutChangeSerializer(_change(_change_of(change_id), request.user)).data)


# --- reconciliation ------------------------------------------------------------------------------------


def _run(run: ReconciliationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "day": run.day,
        "ran_at": run.ran_at,
        "ran_by": _person(run.ran_by),
        "ok": run.ok,
        "balance_source": run.balance_source,
        "matched": run.matched,
        "problems": run.problems,
        "report": run.report,
    }


class ReconciliationAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ReconciliationSerializer, **READ_ERRORS})
    def get(self, request):
        """The last reconciliation with Stripe and the runs before it."""
        _require_finance(request)
        latest = selectors.reconciliation_latest()
        history = selectors.reconciliation_history().select_related("ran_by")
        answer = {"latest": None if latest is None else _run(latest), "history": [_run(run) for run in history]}
        return Response(ReconciliationSerializer(answer).data)


@non_atomic
class ReconciliationRunAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=ReconciliationRunInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ReconciliationRunSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Reconcile one UTC day now and keep the result (Stripe unreachable: 502, nothing kept)."""
        _require_finance(request)
        day = _body(ReconciliationRunInputSerializer, request)["day"]
        run = reconcile_day(day=day, now=timezone.now(), actor=request.user)
        return Response(ReconciliationRunSerializer(_run(run)).data, status=status.HTTP_201_CREATED)


# --- the trust register and a booking's ledger -----------------------------------------------------------


class TrustRegisterAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[TrustRegisterQuerySerializer],
        responses={200: TrustRegisterSerializer, 400: ApiErrorSerializer, 403: ApiErrorSerializer},
    )
    def get(self, request):
        """What is held in trust per booking, per provider and currency (aged by the paid date), and
        the totals per currency, with the page's filters."""
        _require_finance(request)
        form = TrustRegisterFilterForm(request.query_params, providers=selectors.trust_providers())
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        register = selectors.trust_register(now=timezone.now(), **form.filters(timezone.get_current_timezone()))
        answer = {
            "lines": [
                {
                    "booking": line.booking.pk,
                    "booking_status": line.booking.status,
                    "provider": _provider(line.booking.provider),
                    "held": Money(line.held, line.currency),
                    "paid_at": line.paid_at,
                    "age_days": line.age_days,
                    "bucket": line.bucket,
                }
                for line in register.lines
            ],
            "providers": [
                {
                    "provider": _provider(group.provider),
                    "held": Money(group.held, group.currency),
                    "buckets": {key: Money(amount, group.currency) for key, amount in group.buckets.items()},
                    "bookings": group.bookings,
                }
                for group in register.providers
            ],
            "totals": [
                {"currency": currency, "held": Money(total, currency)} for currency, total in register.totals.items()
            ],
        }
        return Response(TrustRegisterSerializer(answer).data)


class BookingLedgerAPI(APIView):
    @extend_schema(
        tags=TAGS, responses={200: BookingLedgerSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer}
    )
    def get(self, request, booking_id: int):
        """A booking's ledger (the page's booking look-up): its transactions with their lines, its
        accounts' balances and its releases."""
        _require_finance(request)
        booking = Booking.objects.select_related("provider").filter(pk=booking_id).first()
        if booking is None:
            raise NotFound(_("No booking has this number."))
        now, actor = timezone.now(), request.user
        releases = booking.releases.select_related(
            "provider", "provider__payout_account", "requested_by", "decided_by"
        ).order_by("-requested_at")
        answer = {
            "booking": booking.pk,
            "booking_status": booking.status,
            "provider": _provider(booking.provider),
            "transactions": [
                {
                    "id": txn.pk,
                    "posted_at": txn.posted_at,
                    "kind": txn.kind,
                    "external_source": txn.external_source,
                    "external_id": txn.external_id,
                    "lines": [
                        {"account": entry.account.code, "amount": Money(entry.amount, entry.currency)}
                        for entry in txn.entries.all()
                    ],
                }
                for txn in selectors.booking_ledger(booking=booking)
            ],
            "accounts": [
                {"code": account.code, "balance": Money(account.balance, account.currency)}
                for account in selectors.booking_accounts(booking=booking)
            ],
            "releases": [_release(release, actor, now) for release in releases],
        }
        return Response(BookingLedgerSerializer(answer).data)
