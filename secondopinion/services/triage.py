"""The medical coordinator's triage (docs/decisions.md "Second opinion"): a coordinator bound by
professional secrecy takes a paid request, reads the file, may ask the patient for what is missing
(the clock pauses), names the skills needed and proposes at least two verified specialists (the
clock pauses for the patient's choice), or declares the file unsuitable, which refunds it in full.

Only members of `StaffGroup.MEDICAL_COORDINATOR` act here; other staff are refused (403), patients
and providers are told the request does not exist (404). Once a coordinator has taken a case, only
they act on it. Each action has its `case_<action>_check`, enforced first under the case's lock;
every status change goes through `machine.CASE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import StaffGroup
from concierge.models import AddonOrder, AddonOrderStatus
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.state import transition, transition_check
from providers.models import VerificationStatus
from secondopinion import clock, notifications
from secondopinion.models import Candidate, CaseStatus, OpinionCase, SpecialistProfile
from secondopinion.selectors import case_calendar, case_pauses
from secondopinion.services.machine import CASE
from secondopinion.services.refunds import order_refunded
from secondopinion.services.timing import pause_close, pause_open

MESSAGE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 300  # Candidate.note
MINIMUM_CANDIDATES = 2
CAPACITY_WINDOW = dt.timedelta(days=7)

UNSUITABLE_REASONS: dict[str, Any] = {
    "no_first_diagnosis": gettext_lazy("No first diagnosis by a health professional"),
    "emergency": gettext_lazy("An emergency: call 112 (15 in France) or go to the nearest emergency department"),
    "out_of_scope": gettext_lazy("Outside the scope of a second opinion"),
}
UNSUITABLE_FROM = frozenset({CaseStatus.SUBMITTED, CaseStatus.UNDER_TRIAGE, CaseStatus.AWAITING_DOCUMENTS})
SKILLS_WHILE = frozenset({CaseStatus.UNDER_TRIAGE, CaseStatus.AWAITING_DOCUMENTS, CaseStatus.DECLINED_BY_SPECIALIST})
SHORTLIST_FROM = frozenset({CaseStatus.UNDER_TRIAGE, CaseStatus.DECLINED_BY_SPECIALIST})
PAID_ORDER_STATUSES = frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.IN_PROGRESS, AddonOrderStatus.FULFILLED})


def is_coordinator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.in_group(StaffGroup.MEDICAL_COORDINATOR))


def coordinator_name(user: Any) -> str:
    return str(user.get_full_name() or user.email)


# --- who may act --------------------------------------------------------------------------------------


def _coordinator(actor: Any) -> Check:
    """A medical coordinator; other staff hear why (403), everyone else that there is no such request."""
    if is_coordinator(actor):
        return ALLOWED
    if getattr(actor, "is_authenticated", False) and actor.is_staff:
        return refuse(
            Forbidden(_("Only a medical coordinator can triage second-opinion requests."), code="coordinators_only")
        )
    return refuse(NotFound(_("There is no second-opinion request with this number.")))


def _not_someone_elses(case: OpinionCase, actor: Any) -> Check:
    if case.coordinator_id is not None and case.coordinator_id != actor.pk:
        return refuse(
            Forbidden(
                _("%(name)s is triaging this case.") % {"name": coordinator_name(case.coordinator)},
                code="other_coordinator",
            )
        )
    return ALLOWED


def _taken_by(case: OpinionCase, actor: Any) -> Check:
    """The case's own coordinator: taken, and by the actor."""
    found = first_refusal(_coordinator(actor), _not_someone_elses(case, actor))
    if not found.allowed:
        return found
    if case.coordinator_id is None:
        return refuse(Conflict(_("Take this case first."), code="not_taken"))
    return ALLOWED


def case_view_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` open the coordinator's page of `case`: a coordinator, while nobody else has it."""
    return first_refusal(_coordinator(actor), _not_someone_elses(case, actor))


# --- take ---------------------------------------------------------------------------------------------


def case_take_check(*, case: OpinionCase, actor: Any) -> Check:
    """A coordinator takes a paid request nobody has taken yet (taking one's own case again changes nothing)."""
    found = first_refusal(_coordinator(actor), _not_someone_elses(case, actor))
    if not found.allowed or case.coordinator_id == actor.pk:
        return found
    refusal = transition_check(machine=CASE, instance=case, target=CaseStatus.UNDER_TRIAGE)
    if refusal is None and case.status != CaseStatus.SUBMITTED:
        refusal = Conflict(_("This request is not waiting for a coordinator."), code="not_submitted")
    return Check(refusal)


def _locked(case: OpinionCase) -> OpinionCase:
    return OpinionCase.objects.select_for_update(of=("self",)).select_related("coordinator", "order").get(pk=case.pk)


def case_take(*, case: OpinionCase, actor: Any, now: dt.datetime) -> OpinionCase:
    """submitted → under_triage, the actor its coordinator."""
    with transaction.atomic():
        case = _locked(case)
        case_take_check(case=case, actor=actor).enforce()
        if case.coordinator_id == actor.pk:
            return case
        return transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.UNDER_TRIAGE,
            actor=actor,
            action="secondopinion.case.taken",
            now=now,
            fields={"coordinator": actor},
            audit_after={"coordinator": actor.pk},
        ).instance


# --- ask for documents --------------------------------------------------------------------------------


def case_documents_request_check(*, case: OpinionCase, actor: Any) -> Check:
    return first_refusal(
        _taken_by(case, actor),
        Check(transition_check(machine=CASE, instance=case, target=CaseStatus.AWAITING_DOCUMENTS)),
    )


def _text(value: str, *, field: str, maximum: int, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(empty, code="required", details={field: [empty]})
    if len(text) > maximum:
        message = _("At most %(max)s characters, please.") % {"max": maximum}
        raise ValidationFailed(message, code="too_long", details={field: [message]})
    return text


def case_documents_request(*, case: OpinionCase, actor: Any, message: str, now: dt.datetime) -> OpinionCase:
    """under_triage → awaiting_documents: the clock pauses, and the patient is told what is missing."""
    text = _text(
        message,
        field="message",
        maximum=MESSAGE_MAX_LENGTH,
        empty=_("Say which documents are missing, so the patient knows what to send."),
    )
    with transaction.atomic():
        case = _locked(case)
        case_documents_request_check(case=case, actor=actor).enforce()
        moved = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.AWAITING_DOCUMENTS,
            actor=actor,
            action="secondopinion.case.documents_requested",
            now=now,
        )
        case = moved.instance
        if moved.changed:
            pause = pause_open(case=case, reason="documents", message=text, now=now)
            notifications.notify_documents_requested(case=case, pause_id=pause.pk, now=now)
    return case


# --- skills -------------------------------------------------------------------------------------------


def case_skills_set_check(*, case: OpinionCase, actor: Any) -> Check:
    found = _taken_by(case, actor)
    if found.allowed and case.status not in SKILLS_WHILE:
        return refuse(Conflict(_("The skills needed can no longer be changed for this request."), code="too_late"))
    return found


def case_skills_set(*, case: OpinionCase, actor: Any, skills: str, now: dt.datetime) -> OpinionCase:
    """Write the skills the case needs (what the shortlist is chosen for), audited."""
    text = _text(
        skills,
        field="skills",
        maximum=MESSAGE_MAX_LENGTH,
        empty=_("Name the skills this case needs before proposing specialists."),
    )
    with transaction.atomic():
        case = _locked(case)
        case_skills_set_check(case=case, actor=actor).enforce()
        if case.skills_needed == text:
            return case
        before = case.skills_needed
        case.skills_needed = text
        case.updated_at = now
        case.save(update_fields=["skills_needed", "updated_at"])
        audit_record(
            actor=actor,
            action="secondopinion.case.skills_set",
            target=case,
            before={"skills_needed": before},
            after={"skills_needed": text},
            now=now,
        )
    return case


# --- eligible specialists -----------------------------------------------------------------------------


def case_candidates_eligible(*, case: OpinionCase, now: dt.datetime | None = None) -> QuerySet[SpecialistProfile]:
    """Who may be proposed for `case`: active profiles of verified practitioners (with a registration
    number) who give opinions in its specialty, in the currency it was paid in and in its language,
    with room left this week (fewer accepted cases in the last 7 days than their weekly capacity),
    and not already on its shortlist. Each row carries `accepted_this_week`."""
    now = now or timezone.now()
    profiles = (
        SpecialistProfile.objects.filter(
            active=True, provider__status=VerificationStatus.VERIFIED, specialties=case.specialty
        )
        .exclude(provider__registration_number="")
        .exclude(candidacies__case=case)
        .select_related("provider")
    )
    if case.order is not None:
        profiles = profiles.filter(currency=case.order.currency)
    profiles = profiles.annotate(
        accepted_this_week=Count(
            "cases", filter=Q(cases__accepted_at__gte=now - CAPACITY_WINDOW, cases__accepted_at__lte=now), distinct=True
        )
    ).filter(accepted_this_week__lt=F("weekly_capacity"))
    # Languages are a JSON list: read in Python (SQLite has no JSON containment).
    speaking = [profile.pk for profile in profiles if case.language in (profile.languages or [])]
    return profiles.filter(pk__in=speaking).order_by("provider__name", "pk")


# --- shortlist ----------------------------------------------------------------------------------------


def case_shortlist_check(*, case: OpinionCase, actor: Any) -> Check:
    """Propose specialists: the case's coordinator, while triaging it or after a specialist declined,
    once the skills needed are written."""
    found = _taken_by(case, actor)
    if not found.allowed:
        return found
    if case.status not in SHORTLIST_FROM:
        return Check(
            transition_check(machine=CASE, instance=case, target=CaseStatus.SHORTLISTED)
            or Conflict(_("Specialists cannot be proposed at this step."), code="invalid_transition")
        )
    if not case.skills_needed.strip():
        message = _("Name the skills this case needs before proposing specialists.")
        return refuse(ValidationFailed(message, code="skills_missing", details={"skills": [message]}))
    return ALLOWED


def case_shortlist(
    *,
    case: OpinionCase,
    actor: Any,
    specialists: Iterable[SpecialistProfile],
    notes: Mapping[int, str] | None = None,
    now: dt.datetime,
) -> OpinionCase:
    """Write the shortlist (at least two eligible specialists, with a note each) and hand the choice
    to the patient: under_triage → shortlisted, the clock paused. After a specialist declined, the
    coordinator adds more the same way (declined_by_specialist → under_triage → shortlisted)."""
    notes = notes or {}
    with transaction.atomic():
        case = _locked(case)
        case_shortlist_check(case=case, actor=actor).enforce()
        chosen = list({profile.pk: profile for profile in specialists}.values())
        eligible = set(case_candidates_eligible(case=case, now=now).values_list("pk", flat=True))
        refused = [profile for profile in chosen if profile.pk not in eligible]
        if refused:
            messages = [
                _("%(name)s cannot be proposed for this case (verified, specialty, language, currency, capacity).")
                % {"name": profile.provider.name}
                for profile in refused
            ]
            raise ValidationFailed(messages[0], code="not_eligible", details={"specialists": messages})
        live = case.candidates.filter(declined_at__isnull=True).exclude(specialist_id=case.specialist_id).count()
        if not chosen or len(chosen) + live < MINIMUM_CANDIDATES:
            message = _("Propose at least two specialists so the patient can choose.")
            raise ValidationFailed(message, code="too_few_candidates", details={"specialists": [message]})
        too_long = [pk for pk, note in notes.items() if len((note or "").strip()) > NOTE_MAX_LENGTH]
        if too_long:
            message = _("At most %(max)s characters, please.") % {"max": NOTE_MAX_LENGTH}
            raise ValidationFailed(message, code="too_long", details={"notes": [message]})
        Candidate.objects.bulk_create(
            Candidate(
                case=case,
                specialist=profile,
                note=(notes.get(profile.pk) or "").strip(),
                proposed_by=actor,
                proposed_at=now,
            )
            for profile in chosen
        )
        if case.status == CaseStatus.DECLINED_BY_SPECIALIST:
            case = transition(
                machine=CASE,
                instance=case,
                locked=True,
                target=CaseStatus.UNDER_TRIAGE,
                actor=actor,
                action="secondopinion.case.reopened",
                now=now,
            ).instance
        case = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.SHORTLISTED,
            actor=actor,
            action="secondopinion.case.shortlisted",
            now=now,
            audit_after={"candidates": [profile.pk for profile in chosen]},
        ).instance
        pause_open(case=case, reason="choice", now=now)
        notifications.notify_shortlisted(case=case, now=now)
    return case


# --- unsuitable ---------------------------------------------------------------------------------------


def case_unsuitable_check(*, case: OpinionCase, actor: Any) -> Check:
    """Declare the file unsuitable: any coordinator while nobody has taken it, else its own, before
    any specialist is proposed."""
    found = first_refusal(_coordinator(actor), _not_someone_elses(case, actor))
    if not found.allowed:
        return found
    refusal = transition_check(machine=CASE, instance=case, target=CaseStatus.REFUNDED)
    if case.status == CaseStatus.REFUNDED:
        refusal = CASE.refusal(case.status, CaseStatus.REFUNDED)
    if refusal is None and case.status not in UNSUITABLE_FROM:
        refusal = Conflict(
            _("Specialists were already proposed: this request can no longer be declared unsuitable."),
            code="already_shortlisted",
        )
    return Check(refusal)


def case_declare_unsuitable(*, case: OpinionCase, actor: Any, reason: str, note: str, now: dt.datetime) -> OpinionCase:
    """The file cannot be accepted: the case is refunded in full (card and add-on income, once, under
    the key `opinion-unsuitable:<case>`), the clock stops and the patient is told why."""
    if reason not in UNSUITABLE_REASONS:
        message = _("Choose why the file cannot be accepted.")
        raise ValidationFailed(message, code="invalid_reason", details={"reason": [message]})
    text = _text(
        note,
        field="note",
        maximum=MESSAGE_MAX_LENGTH,
        empty=_("Explain to the patient why the file cannot be accepted and what to do next."),
    )
    with transaction.atomic():
        case = _locked(case)
        case_unsuitable_check(case=case, actor=actor).enforce()
        refund_amount, refund_id = _refund_in_full(case=case, actor=actor, now=now)
        pause_close(case=case, now=now)
        case = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.REFUNDED,
            actor=actor,
            action="secondopinion.case.unsuitable",
            now=now,
            fields={
                "unsuitable_reason": reason,
                "unsuitable_note": text,
                "refund_amount": refund_amount,
                "stripe_refund_id": refund_id,
                "coordinator": case.coordinator or actor,
                "closed_at": now,
            },
            reason=reason,
            audit_after={"refund": refund_amount, "stripe_refund": refund_id},
        ).instance
        notifications.notify_unsuitable(case=case, now=now)
    return case


def _refund_in_full(*, case: OpinionCase, actor: Any, now: dt.datetime) -> tuple[int | None, str | None]:
    """Give the paid order back in full and mark it refunded; (amount, Stripe refund id), or
    (None, None) when nothing was paid. The caller holds the case's lock."""
    if case.order_id is None:
        return None, None
    order = AddonOrder.objects.select_for_update().get(pk=case.order_id)
    if order.status not in PAID_ORDER_STATUSES or not order.payment_intent_id or not order.amount:
        return None, None
    refund_id = order_refunded(
        order=order,
        amount=order.amount,
        key=f"opinion-unsuitable:{case.pk}",
        actor=actor,
        now=now,
        case_id=case.pk,
        explanation=_("The second-opinion file could not be accepted: refunded in full."),
    )
    return order.amount, refund_id


# --- reads for the coordinator's pages ----------------------------------------------------------------

QUEUE_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.UNDER_TRIAGE,
    CaseStatus.AWAITING_DOCUMENTS,
    CaseStatus.DECLINED_BY_SPECIALIST,
    CaseStatus.SHORTLISTED,
    CaseStatus.SPECIALIST_CHOSEN,
    CaseStatus.ACCEPTED,
)


def coordinator_cases(*, actor: Any) -> QuerySet[OpinionCase]:
    """The requests a coordinator works on: every paid one nobody has taken, and their own open ones."""
    _coordinator(actor).enforce()
    return (
        OpinionCase.objects.filter(status__in=QUEUE_STATUSES)
        .filter(Q(status=CaseStatus.SUBMITTED, coordinator__isnull=True) | Q(coordinator=actor))
        .select_related("specialty", "coordinator", "specialist__provider")
        .order_by("due_at", "clock_started_at", "pk")
    )


def coordinator_case(*, pk: int, actor: Any) -> OpinionCase:
    """One request as its coordinator (or any coordinator, while nobody has taken it) sees it."""
    _coordinator(actor).enforce()
    case = (
        OpinionCase.objects.filter(pk=pk)
        .exclude(status=CaseStatus.DRAFT)
        .select_related("patient", "specialty", "coordinator", "order", "specialist__provider")
        .first()
    )
    if case is None:
        raise NotFound(_("There is no second-opinion request with this number."))
    case_view_check(case=case, actor=actor).enforce()
    return case


def case_clock(*, case: OpinionCase, now: dt.datetime) -> dict[str, Any]:
    """What the page says about the clock: when due, paused since when, hours counted so far."""
    pauses = case_pauses(case)
    open_pause = next((start for start, end in pauses if end is None), None)
    worked = None
    if case.clock_started_at is not None:
        span = clock.worked(
            start=case.clock_started_at,
            now=min(now, case.delivered_at or now),
            calendar=case_calendar(case),
            pauses=pauses,
        )
        worked = round(span.total_seconds() / 3600, 1)
    return {
        "due_at": case.due_at,
        "paused_since": open_pause,
        "worked_hours": worked,
        "started_at": case.clock_started_at,
    }


def case_actions(*, case: OpinionCase, actor: Any) -> dict[str, Check]:
    """Each triage action with its answer now, for the page's buttons and the API's `available_actions`."""
    return {
        "take": case_take_check(case=case, actor=actor)
        if case.coordinator_id != getattr(actor, "pk", None)
        else refuse(Conflict(_("You are triaging this case."), code="already_taken")),
        "request_documents": case_documents_request_check(case=case, actor=actor),
        "set_skills": case_skills_set_check(case=case, actor=actor),
        "shortlist": case_shortlist_check(case=case, actor=actor),
        "declare_unsuitable": case_unsuitable_check(case=case, actor=actor),
    }
