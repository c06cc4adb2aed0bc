"""What second opinions hold about a person (`core.personal_data`): their cases (questions, the
coordinator's reading, the clock), the opinion written for them, follow-ups and share links.

The opinion is the specialist's medical record, which they keep themselves (20 years, French
Public Health Code R1112-7): a request about it is forwarded to them (`providers`). The platform's
copy of its text is erased with the person; the case row stays, without text, for the money it
carried (the signed PDF is one of the person's documents, destroyed with them by `documents`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.money import Money
from core.personal_data import Blocker, Declaration, Kept, Subject, redact
from core.state import transition
from payments.personal_data import stripe_events_scrub
from secondopinion.models import (
    CLOCK_STATUSES,
    Candidate,
    CaseQuestion,
    CaseStatus,
    ClockPause,
    FollowUp,
    Opinion,
    OpinionCase,
    ShareLink,
)
from secondopinion.services.machine import CASE
from secondopinion.services.requests import case_withdraw_refund

ACCOUNTING_YEARS = 10
MEDICAL_RECORD_YEARS = 20
# Before a specialist accepts, the patient can withdraw (and is refunded everything paid).
WITHDRAWABLE = CLOCK_STATUSES - {CaseStatus.ACCEPTED}


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _opinion(case: OpinionCase) -> dict[str, Any] | None:
    opinion: Opinion | None = getattr(case, "opinion", None)
    if opinion is None or opinion.signed_at is None:
        return None  # a draft is the specialist's work in progress, not yet given to the patient
    return {
        "specialist": opinion.specialist_id,
        "case_summary": opinion.case_summary,
        "diagnosis_review": opinion.diagnosis_review,
        "answers": opinion.answers,
        "options": opinion.options,
        "recommendation": opinion.recommendation,
        "in_person_advised": opinion.in_person_advised,
        "signed_at": _iso(opinion.signed_at),
        "verification_code": opinion.verification_code,
        "document": str(opinion.document_id) if opinion.document_id else None,
    }


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    cases = (
        OpinionCase.objects.filter(patient_id=person.pk)
        .select_related("specialty", "specialist__provider", "opinion")
        .prefetch_related("questions", "documents", "pauses", "follow_ups", "share_links")
        .order_by("created_at", "pk")
    )
    items = []
    for case in cases:
        items.append(
            {
                "id": case.pk,
                "specialty": case.specialty.name,
                "language": case.language,
                "meeting_requested": case.meeting_requested,
                "status": case.status,
                "currency": case.currency,
                "order": case.order_id,
                "consent_to_share_at": _iso(case.consent_at),
                "specialist": None
                if case.specialist is None
                else {"id": case.specialist.provider_id, "name": case.specialist.provider.name},
                "unsuitable_reason": case.unsuitable_reason,
                "coordinator_explanation": case.unsuitable_note,
                "due_at": _iso(case.due_at),
                "delivered_at": _iso(case.delivered_at),
                "closed_at": _iso(case.closed_at),
                "withdrawn_at": _iso(case.withdrawn_at),
                "refund_amount": case.refund_amount,
                "created_at": _iso(case.created_at),
                "questions": [q.text for q in case.questions.all()],
                "documents": [{"document": str(d.document_id), "role": d.role} for d in case.documents.all()],
                "pauses": [
                    {
                        "reason": p.reason,
                        "message": p.message,
                        "started_at": _iso(p.started_at),
                        "ended_at": _iso(p.ended_at),
                    }
                    for p in case.pauses.all()
                ],
                "opinion": _opinion(case),
                "follow_ups": [
                    {
                        "question": f.question,
                        "asked_at": _iso(f.asked_at),
                        "answer": f.answer,
                        "answered_at": _iso(f.answered_at),
                    }
                    for f in case.follow_ups.all()
                ],
                "share_links": [
                    {
                        "for": link.recipient,
                        "created_at": _iso(link.created_at),
                        "expires_at": _iso(link.expires_at),
                        "revoked_at": _iso(link.revoked_at),
                        "opened": link.opened_count,
                    }
                    for link in case.share_links.all()
                ],
            }
        )
    return {"second_opinions": items}


def _withdraw_draft(case: OpinionCase, now: dt.datetime) -> None:
    with transaction.atomic():
        locked = OpinionCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.DRAFT:
            return
        transition(
            machine=CASE,
            instance=locked,
            locked=True,
            target=CaseStatus.WITHDRAWN,
            actor=None,
            action="secondopinion.case.withdrawn",
            now=now,
            fields={"withdrawn_at": now},
            audit_after={"because": "patient erased"},
        )


def erase(subject: Subject, now: dt.datetime) -> None:
    """Withdraw drafts, revoke live share links, empty the person's questions and the platform's copy
    of the opinion and follow-ups, redact the coordinators' notes. Case rows stay (the money).
    Idempotent."""
    user_id = subject.user_id
    for case in OpinionCase.objects.filter(patient_id=user_id, status=CaseStatus.DRAFT).order_by("pk"):
        _withdraw_draft(case, now)
    for case in OpinionCase.objects.filter(patient_id=user_id).order_by("pk"):
        OpinionCase.objects.filter(pk=case.pk).update(
            skills_needed=redact(case.skills_needed, subject), unsuitable_note=redact(case.unsuitable_note, subject)
        )
    CaseQuestion.objects.filter(case__patient_id=user_id).update(text="")
    Opinion.objects.filter(case__patient_id=user_id).update(
        case_summary="", diagnosis_review="", answers=[], options="", recommendation=""
    )
    FollowUp.objects.filter(case__patient_id=user_id).update(question="", answer="")
    for pause in ClockPause.objects.filter(case__patient_id=user_id).exclude(message="").order_by("pk"):
        ClockPause.objects.filter(pk=pause.pk).update(message=redact(pause.message, subject))
    for candidate in Candidate.objects.filter(case__patient_id=user_id).order_by("pk"):
        Candidate.objects.filter(pk=candidate.pk).update(
            note=redact(candidate.note, subject)[:300], decline_reason=redact(candidate.decline_reason, subject)[:300]
        )
    refund_ids = OpinionCase.objects.filter(patient_id=user_id).values_list(
        "breach_refund_id", "choice_refund_id", "stripe_refund_id"
    )
    stripe_events_scrub(subject=subject, payment_ids={x for row in refund_ids for x in row if x})
    ShareLink.objects.filter(case__patient_id=user_id, revoked_at__isnull=True).update(revoked_at=now)
    ShareLink.objects.filter(case__patient_id=user_id).update(recipient="")


def kept(person: Any, now: dt.datetime) -> list[Kept]:
    cases = list(OpinionCase.objects.filter(patient_id=person.pk).exclude(status=CaseStatus.DRAFT).order_by("pk"))
    if not cases:
        return []
    last = max(c.closed_at or c.delivered_at or c.withdrawn_at or c.updated_at for c in cases)
    found = [
        Kept(
            what=gettext("Your second-opinion cases without their texts: dates, specialist, amounts paid and refunded"),
            why=gettext("Accounting law: 10 years (French Commercial Code, L123-22)"),
            until=_plus_years(last.date(), ACCOUNTING_YEARS),
        )
    ]
    delivered = [c.delivered_at for c in cases if c.delivered_at is not None]
    if delivered:
        found.append(
            Kept(
                what=gettext(
                    "The opinion the specialist wrote stays in the specialist's own medical records "
                    "(the platform's copy is erased); your request is forwarded to them"
                ),
                why=gettext(
                    "Medical records are kept by the health professional: 20 years (Public Health Code, R1112-7)"
                ),
                until=_plus_years(max(delivered).date(), MEDICAL_RECORD_YEARS),
            )
        )
    return found


def blockers(person: Any, now: dt.datetime) -> list[Blocker]:
    found: list[Blocker] = []
    cases = OpinionCase.objects.filter(patient_id=person.pk, status__in=CLOCK_STATUSES).select_related("order")
    for case in cases.order_by("pk"):
        what = gettext("Second-opinion case %(id)s: %(status)s") % {"id": case.pk, "status": case.get_status_display()}
        if case.status in WITHDRAWABLE:
            refund = case_withdraw_refund(case)
            action = gettext("Withdraw the case: %(refund)s is refunded.") % {
                "refund": Money(refund, case.currency or case.order.currency if case.order else "EUR")
            }
            url = reverse("secondopinion:patient_withdraw", args=[case.pk])
        else:
            action = gettext("Wait until the specialist delivers the opinion (due %(due)s).") % {
                "due": _iso(case.due_at.date()) if case.due_at else "—"
            }
            url = reverse("secondopinion:patient_case", args=[case.pk])
        found.append(Blocker(what=what, action=action, url=url))
    return found


def providers(person: Any) -> list[int]:
    return sorted(
        set(
            OpinionCase.objects.filter(patient_id=person.pk, specialist__isnull=False).values_list(
                "specialist__provider_id", flat=True
            )
        )
    )


DECLARATION = Declaration(
    app="secondopinion",
    models={
        "secondopinion.OpinionCase": _("Your second-opinion cases: specialty, status, the coordinator's reading"),
        "secondopinion.CaseQuestion": _("The questions you asked the specialist"),
        "secondopinion.CaseDocument": _("Which of your documents you attached to a case"),
        "secondopinion.ClockPause": _("The coordinator's requests for documents or for your choice"),
        "secondopinion.Candidate": _("The specialists proposed for your case and why"),
        "secondopinion.Opinion": _("The opinion written for you (the platform's copy)"),
        "secondopinion.FollowUp": _("Your follow-up questions and the specialist's answers"),
        "secondopinion.ShareLink": _("The links you gave your doctor to read the opinion, and for whom"),
    },
    export=export,
    erase=erase,
    erased=_("Your questions, the platform's copy of the opinion and its follow-ups, and your share links (revoked)"),
    kept=kept,
    blockers=blockers,
    providers=providers,
)
