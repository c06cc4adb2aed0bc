"""Data-rights requests: opened by the person, forwarded to the providers concerned, answered by
the careteam within the legal month (extendable once, by two months at most, with a reason).

Every write takes `now`; every status change goes through `core.state.transition` with the
request's machine; the audit events carry ids only (a reason or an answer, which may name the
person, stays on the request, never in the audit trail).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.personal_data import declarations
from core.state import Machine, transition, transition_check
from privacy.models import (
    OPEN_STATUSES,
    DataRequest,
    ForwardOutcome,
    ProviderForward,
    RequestKind,
    RequestStatus,
)
from providers.models import Provider

# The kinds about data a provider may hold as its own controller (its medical records): forwarded.
FORWARDED_KINDS = frozenset({RequestKind.RECTIFICATION, RequestKind.ERASURE, RequestKind.OBJECTION})
# The legal month, extendable by two months (GDPR art. 12(3)).
ANSWER_MONTHS = 1
EXTENSION_MONTHS_MAX = 2

REQUEST_MACHINE = Machine(
    model=DataRequest,
    table={
        RequestStatus.RECEIVED: {RequestStatus.IN_PROGRESS, RequestStatus.DONE, RequestStatus.REFUSED,
                                 RequestStatus.WITHDRAWN},
        RequestStatus.IN_PROGRESS: {RequestStatus.DONE, RequestStatus.REFUSED, RequestStatus.WITHDRAWN},
    },
    refuse=lambda current, target: Conflict(
        _("This request is already closed: it cannot change any more."), code="request_closed"
    ),
)  # fmt: skip


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """`moment` plus `months` calendar months, the day clamped to the month's last (31 Jan + 1 → 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _is_careteam(user: User) -> bool:
    return bool(user.is_authenticated and user.in_group(StaffGroup.CARETEAM))


def _careteam_check(actor: User) -> Check:
    if not _is_careteam(actor):
        return refuse(Forbidden(_("Only the careteam answers data-rights requests."), code="careteam_only"))
    return ALLOWED


# --- opening -------------------------------------------------------------------------------------------


def request_open_check(*, user: User, kind: str) -> Check:
    if not user.is_authenticated or not user.is_active:
        return refuse(Forbidden(_("Sign in to ask about your data."), code="sign_in"))
    if kind not in RequestKind.values:
        return refuse(ValidationFailed(_("Choose what you ask for."), details={"kind": [_("Unknown kind.")]}))
    return ALLOWED


def _open_of(user: User, kind: str) -> DataRequest | None:
    return DataRequest.objects.filter(user=user, kind=kind, status__in=OPEN_STATUSES).first()


def request_open(*, user: User, kind: str, details: str = "", now: dt.datetime) -> DataRequest:
    """The person's open request of `kind`: a new one, due one month after `now`, or the one already
    running (asking twice shows the same request; the database's constraint settles a race).

    Rectification, erasure and objection are forwarded to each provider holding data on the person
    (their own records: they are the controller), whose members are told by e-mail.
    """
    request_open_check(user=user, kind=kind).enforce()
    details = (details or "").strip()
    if kind in (RequestKind.RECTIFICATION, RequestKind.OBJECTION) and not details:
        raise ValidationFailed(
            _("Say what is wrong, or which use of your data you object to."),
            details={"details": [_("This field is required.")]},
        )
    if len(details) > 5000:
        raise ValidationFailed(_("Keep it under 5,000 characters."), details={"details": [_("Too long.")]})
    existing = _open_of(user, kind)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            request = DataRequest.objects.create(
                user=user,
                kind=kind,
                details=details,
                received_at=now,
                due_at=add_months(now, ANSWER_MONTHS),
            )
            audit_record(actor=user, action="privacy.request.opened", target=request, after={"kind": kind}, now=now)
            if kind in FORWARDED_KINDS:
                _forward(request, now=now)
    except IntegrityError:
        existing = _open_of(user, kind)
        if existing is None:
            raise
        return existing
    return request


def providers_concerned(user: User) -> list[int]:
    """The providers each declaration names as holding data on `user` (deduplicated, sorted)."""
    ids: set[int] = set()
    for declaration in declarations():
        ids.update(int(pk) for pk in declaration.providers(user) or [])
    return sorted(ids)


def _forward(request: DataRequest, *, now: dt.datetime) -> list[ProviderForward]:
    from privacy.notifications import notify_forwarded

    forwards = []
    for provider in Provider.objects.filter(pk__in=providers_concerned(request.user)).order_by("pk"):
        forward, created = ProviderForward.objects.get_or_create(
            request=request, provider=provider, defaults={"sent_at": now}
        )
        if created:
            audit_record(
                actor=None,
                action="privacy.request.forwarded",
                target=request,
                after={"provider_id": provider.pk, "forward_id": forward.pk},
                now=now,
            )
            notify_forwarded(forward=forward, now=now)
        forwards.append(forward)
    return forwards


# --- the careteam's answers ----------------------------------------------------------------------------


def request_extend_check(*, request: DataRequest, actor: User) -> Check:
    if not (check := request_close_check(request=request, actor=actor)):  # the careteam, an open request
        return check
    if request.extension_reason:
        return refuse(Conflict(_("The deadline was already extended once."), code="already_extended"))
    return ALLOWED


def request_extend(
    *, request: DataRequest, actor: User, reason: str, now: dt.datetime, months: int = EXTENSION_MONTHS_MAX
) -> DataRequest:
    """Push the deadline back by `months` (two at most, once), with the reason the person is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the person the reason for the delay."), details={"reason": [_("Required.")]})
    if not 1 <= months <= EXTENSION_MONTHS_MAX:
        raise ValidationFailed(_("The deadline can be extended by two months at most."), details={"months": ["1–2"]})
    from privacy.notifications import notify_extended

    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=request.pk)
        request_extend_check(request=request, actor=actor).enforce()
        before = request.due_at
        request.due_at = add_months(request.due_at, months)
        request.extension_reason = reason
        request.save(update_fields=["due_at", "extension_reason"])
        audit_record(
            actor=actor,
            action="privacy.request.extended",
            target=request,
            before={"due_at": before.isoformat()},
            after={"due_at": request.due_at.isoformat()},
            now=now,
        )
        notify_extended(request=request, now=now)
    return request


def request_close_check(*, request: DataRequest, actor: User) -> Check:
    if not (check := _careteam_check(actor)):
        return check
    if not request.is_open:
        return refuse(Conflict(_("This request is already closed: it cannot change any more."), code="request_closed"))
    return ALLOWED


request_complete_check = request_close_check
request_refuse_check = request_close_check


def _close(
    *, request: DataRequest, actor: User, target: str, answer: str, action: str, now: dt.datetime
) -> DataRequest:
    from privacy.notifications import notify_answered

    with transaction.atomic():
        row = DataRequest.objects.select_for_update().get(pk=request.pk)
        request_close_check(request=row, actor=actor).enforce()
        moved = transition(
            machine=REQUEST_MACHINE,
            instance=row,
            target=target,
            actor=actor,
            action=action,
            now=now,
            fields={"answer": answer, "completed_at": now, "handled_by": actor},
            locked=True,
        )
        notify_answered(request=moved.instance, now=now)
    return moved.instance


def request_complete(*, request: DataRequest, actor: User, answer: str, now: dt.datetime) -> DataRequest:
    """The careteam answers the request: done, with what was done in the person's words."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(_("Tell the person what was done."), details={"answer": [_("Required.")]})
    return _close(
        request=request,
        actor=actor,
        target=RequestStatus.DONE,
        answer=answer,
        action="privacy.request.completed",
        now=now,
    )


def request_refuse(*, request: DataRequest, actor: User, reason: str, now: dt.datetime) -> DataRequest:
    """The careteam refuses the request, with the reason (and the right to complain to the authority)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the refusal."), details={"reason": [_("Required.")]})
    return _close(
        request=request,
        actor=actor,
        target=RequestStatus.REFUSED,
        answer=reason,
        action="privacy.request.refused",
        now=now,
    )


def request_start(*, request: DataRequest, now: dt.datetime, actor: User | None = None) -> DataRequest:
    """Received → in progress (the export's task, the erasure's run); a no-op once in progress."""
    if request.status == RequestStatus.IN_PROGRESS:
        return request
    return transition(
        machine=REQUEST_MACHINE,
        instance=request,
        target=RequestStatus.IN_PROGRESS,
        actor=actor,
        action="privacy.request.started",
        now=now,
    ).instance


def request_actions(*, request: DataRequest, actor: User) -> dict[str, Check]:
    return {
        "extend": request_extend_check(request=request, actor=actor),
        "complete": request_complete_check(request=request, actor=actor),
        "refuse": request_refuse_check(request=request, actor=actor),
    }


# --- the providers' answers ----------------------------------------------------------------------------


def forward_answer_check(*, forward: ProviderForward, actor: User) -> Check:
    if forward.answered_at is not None:
        return refuse(Conflict(_("Your answer to this request is already recorded."), code="already_answered"))
    return ALLOWED


def forward_for_member(*, user: User, forward_id: int) -> ProviderForward:
    """A forward to one of `user`'s providers; anything else is "not found"."""
    forward = (
        ProviderForward.objects.select_related("request", "provider")
        .filter(pk=forward_id, provider__members__user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if forward is None:
        raise NotFound(_("No request forwarded to you has this number."))
    return forward


def forward_answer(
    *, forward: ProviderForward, actor: User, outcome: str, answer: str, now: dt.datetime
) -> ProviderForward:
    """A member of the provider records its answer to a forwarded request (once)."""
    forward = forward_for_member(user=actor, forward_id=forward.pk)
    if outcome not in ForwardOutcome.values:
        raise ValidationFailed(_("Choose what you did."), details={"outcome": [_("Unknown outcome.")]})
    answer = (answer or "").strip()
    if outcome in (ForwardOutcome.KEPT_BY_LAW, ForwardOutcome.REFUSED) and not answer:
        raise ValidationFailed(_("Give the reason, for the person."), details={"answer": [_("Required.")]})
    if len(answer) > 5000:
        raise ValidationFailed(_("Keep it under 5,000 characters."), details={"answer": [_("Too long.")]})
    with transaction.atomic():
        forward = ProviderForward.objects.select_for_update().get(pk=forward.pk)
        forward_answer_check(forward=forward, actor=actor).enforce()
        forward.outcome = outcome
        forward.answer = answer
        forward.answered_at = now
        forward.answered_by = actor
        forward.save(update_fields=["outcome", "answer", "answered_at", "answered_by"])
        audit_record(
            actor=actor,
            action="privacy.forward.answered",
            target=forward,
            after={"request_id": forward.request_id, "provider_id": forward.provider_id, "outcome": outcome},
            now=now,
        )
    return forward


def transition_allowed(request: DataRequest, target: str) -> bool:
    return transition_check(machine=REQUEST_MACHINE, instance=request, target=target) is None
