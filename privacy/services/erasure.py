"""Erasure and account closure (GDPR art. 17): what erasing a person removes, what is kept and why,
what must end first, and the erasure itself, resumable step by step.

The person sees `erasure_preview` before they confirm; `erasure_confirm` opens the erasure request
(refused while a blocker stands: a deposit held in trust, an appointment to come) and enqueues
`privacy.tasks.run_erasure`; `erasure_run` runs each app's declaration (`core.personal_data`) in
order, each in its own transaction that records the app in `DataRequest.steps_done`, so a worker
killed half-way resumes where it stopped and never redoes a step. The account (`accounts`, order
1000) goes last: until then the person's names are still there to build the `Subject` again.
At the end the account is closed: inactive, no usable password, no API token.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import erasure_subject
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict
from core.personal_data import Blocker, Kept, declarations
from privacy.models import OPEN_STATUSES, DataRequest, RequestKind, RequestStatus
from privacy.selectors import open_request_of
from privacy.services.requests import request_open

logger = logging.getLogger(__name__)

# The account's own step: once it is done, nothing about the person is left to erase.
ACCOUNT_STEP = "accounts"


@dataclass(frozen=True)
class ErasurePreview:
    """What the person is shown before they confirm."""

    erased: list[str] = field(default_factory=list)  # each app's sentence: what erasing removes now
    kept: list[Kept] = field(default_factory=list)  # what stays, why, until when
    blockers: list[Blocker] = field(default_factory=list)  # what must end first, and how

    @property
    def can_erase(self) -> bool:
        return not self.blockers


def erasure_preview(*, user: User, now: dt.datetime) -> ErasurePreview:
    """Every declaration's part: erased now, kept (and until when), and what must end first."""
    erased: list[str] = []
    kept: list[Kept] = []
    blockers: list[Blocker] = []
    for declaration in declarations():
        if declaration.erased:
            erased.append(str(declaration.erased))
        kept.extend(declaration.kept(user, now))
        blockers.extend(declaration.blockers(user, now))
    return ErasurePreview(erased=erased, kept=kept, blockers=blockers)


def _blockers_refusal(blockers: list[Blocker]) -> Conflict:
    listed = "; ".join(f"{blocker.what}: {blocker.action}" for blocker in blockers)
    return Conflict(
        _("Your data cannot be erased yet. First: %(blockers)s") % {"blockers": listed},
        code="erasure_blocked",
        details={
            "blockers": [{"what": str(b.what), "action": str(b.action), "url": b.url} for b in blockers],
        },
    )


def erasure_confirm_check(*, user: User, now: dt.datetime) -> Check:
    """A signed-in, open account with nothing left to end first may be erased; a request already
    running is shown again (allowed)."""
    if not user.is_active:
        return refuse(Conflict(_("This account is already closed."), code="account_closed"))
    if open_request_of(user=user, kind=RequestKind.ERASURE) is not None:
        return ALLOWED
    blockers = erasure_preview(user=user, now=now).blockers
    if blockers:
        return refuse(_blockers_refusal(blockers))
    return ALLOWED


def erasure_confirm(*, user: User, now: dt.datetime) -> DataRequest:
    """The person confirmed (after re-authenticating): open the erasure request, mark it in progress
    and run it once committed. Asking again while one runs returns that one."""
    erasure_confirm_check(user=user, now=now).enforce()
    with transaction.atomic():
        request = request_open(user=user, kind=RequestKind.ERASURE, now=now)
        request = DataRequest.objects.select_for_update().get(pk=request.pk)
        if request.status == RequestStatus.RECEIVED:
            request.status = RequestStatus.IN_PROGRESS
            request.save(update_fields=["status"])
            audit_record(
                actor=user, action="privacy.erasure.confirmed", target=request, after={"request": request.pk}, now=now
            )
        request_id = request.pk
        transaction.on_commit(lambda: _enqueue(request_id), robust=True)
    return request


def _enqueue(request_id: int) -> None:
    from privacy.tasks import run_erasure

    run_erasure.delay(request_id)


# --- the erasure -------------------------------------------------------------------------------------


def erasure_run(*, request_id: int, now: dt.datetime) -> DataRequest:
    """Erase the person of request `request_id`, each app in its own transaction, skipping the apps
    already done; safe to run again after an interruption and by two workers at once (the request's
    row is locked around each step). The account goes last, then the request is done."""
    request = DataRequest.objects.get(pk=request_id, kind=RequestKind.ERASURE)
    if request.status not in OPEN_STATUSES:
        return request
    user = User.objects.get(pk=request.user_id)
    steps = declarations()
    if ACCOUNT_STEP not in request.steps_done:
        subject = erasure_subject(user)
        for position, declaration in enumerate(steps, start=1):
            with transaction.atomic():
                locked = DataRequest.objects.select_for_update().get(pk=request_id)
                if locked.status not in OPEN_STATUSES:
                    return locked
                if declaration.app in locked.steps_done:
                    continue
                declaration.erase(subject, now)
                locked.steps_done = [*locked.steps_done, declaration.app]
                locked.status = RequestStatus.IN_PROGRESS
                locked.progress = min(99, round(100 * position / (len(steps) + 1)))
                locked.save(update_fields=["steps_done", "status", "progress"])
                audit_record(
                    actor=None, action="privacy.erasure.step", target=locked, after={"app": declaration.app}, now=now
                )
    return _erasure_finish(request_id=request_id, now=now)


def _erasure_finish(*, request_id: int, now: dt.datetime) -> DataRequest:
    with transaction.atomic():
        request = DataRequest.objects.select_for_update().get(pk=request_id)
        if request.status not in OPEN_STATUSES:
            return request
        if ACCOUNT_STEP not in request.steps_done:
            request.steps_done = [*request.steps_done, ACCOUNT_STEP]
        request.status = RequestStatus.DONE
        request.progress = 100
        request.completed_at = now
        request.save(update_fields=["steps_done", "status", "progress", "completed_at"])
        audit_record(
            actor=None,
            action="privacy.erasure.completed",
            target=request,
            after={"request": request.pk, "user": request.user_id, "steps": list(request.steps_done)},
            now=now,
        )
    return request


def erasures_resume_stale(*, now: dt.datetime) -> list[int]:
    """The erasure requests left in progress longer than PRIVACY_ERASURE_RESUME_AFTER (a worker
    killed, a broker down): their ids, to run again (each run skips the steps done)."""
    cutoff = now - settings.PRIVACY_ERASURE_RESUME_AFTER
    return list(
        DataRequest.objects.filter(
            kind=RequestKind.ERASURE, status=RequestStatus.IN_PROGRESS, received_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
