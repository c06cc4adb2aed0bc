"""After the opinion: follow-up questions, closing the case, an in-person consultation with the
specialist's practice, and share links for the patient's own doctor.

- Follow-ups: the patient asks at most three, one at a time, within 30 days of the opinion; the
  case waits in `follow_up` until a member of the specialist's practice answers (back to
  `opinion_delivered`).
- Closing: the patient closes a delivered case (`closed`); nothing is asked of anyone any more.
- Consultation: once per case, a quote request to the specialist's practice through `quotes`
  (which shares the case's documents and the opinion's PDF with it, grants recorded on the request).
- Share links: a 7-day link to read the opinion without an account. Only the SHA-256 of its token
  is stored; the token is shown once. Each opening is audited with the client's address, never the
  token; refused attempts are audited at most once a minute per address and count as probes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.share_links import (
    link_is_live,
    link_refused_audit,
    link_refused_reason,
    token_hash,
    token_looks_valid,
    token_new,
)
from core.state import transition, transition_check
from core.when import when_text
from documents.models import MedicalDocument
from documents.services import document_read_shared
from providers.models import VerificationStatus
from quotes.models import QuoteRequest
from quotes.services import quote_request_submit
from secondopinion.models import CaseStatus, FollowUp, Opinion, OpinionCase, ShareLink
from secondopinion.notifications import notify_follow_up_answered, notify_follow_up_asked
from secondopinion.services.machine import CASE

FOLLOW_UP_WINDOW = dt.timedelta(days=30)
FOLLOW_UP_MAX = 3
QUESTION_MAX_LENGTH = 2_000
ANSWER_MAX_LENGTH = 10_000
MESSAGE_MAX_LENGTH = 5_000
RECIPIENT_MAX_LENGTH = 200
SHARE_LINK_LIFETIME = dt.timedelta(days=7)
SHARE_LINKS_LIVE_MAX = 10
# How far ahead the consultation request's desired period reaches (the patient may change it with the practice).
CONSULTATION_PERIOD = dt.timedelta(days=90)

# The opinion exists and is the patient's: what comes after it may be done.
AFTER_STATUSES = frozenset({CaseStatus.OPINION_DELIVERED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED})


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def _lock(case: OpinionCase) -> OpinionCase:
    return OpinionCase.objects.select_for_update(of=("self",)).select_related("specialist__provider").get(pk=case.pk)


# --- who --------------------------------------------------------------------------------------------------


def _patient_check(case: OpinionCase, actor: Any) -> Check:
    """Only the patient acts on their case; anyone else is told it does not exist."""
    if not getattr(actor, "is_authenticated", False) or case.patient_id != actor.pk:
        return refuse(NotFound(_("You have no second-opinion request with this id.")))
    return ALLOWED


def is_case_specialist(*, case: OpinionCase, user: Any) -> bool:
    """Whether `user` is a member of the case's chosen specialist's (verified) practice, once accepted."""
    if not getattr(user, "is_authenticated", False) or case.specialist_id is None or case.accepted_at is None:
        return False
    return OpinionCase.objects.filter(
        pk=case.pk,
        specialist__provider__members__user=user,
        specialist__provider__status=VerificationStatus.VERIFIED,
    ).exists()


def _specialist_check(case: OpinionCase, actor: Any) -> Check:
    if not is_case_specialist(case=case, user=actor):
        return refuse(NotFound(_("No second-opinion request you may answer has this id.")))
    return ALLOWED


def case_for_after(*, user: Any, case_id: int) -> OpinionCase:
    """The case `case_id` for its patient or its specialist's practice; NotFound for anyone else
    (whether or not it exists)."""
    case = OpinionCase.objects.select_related("specialist__provider", "patient").filter(pk=case_id).first()
    if case is None or not (_patient_check(case, user).allowed or is_case_specialist(case=case, user=user)):
        raise NotFound(_("You have no second-opinion request with this id."))
    return case


def _opinion_delivered_check(case: OpinionCase) -> Check:
    if case.status not in AFTER_STATUSES or case.delivered_at is None:
        if case.status in {CaseStatus.REFUNDED, CaseStatus.WITHDRAWN}:
            return refuse(
                Conflict(
                    _("This request was %(status)s.") % {"status": case.get_status_display().lower()},
                    code="case_closed",
                )
            )
        return refuse(
            Conflict(
                _("The specialist's opinion has not been delivered yet: this will be possible once it is."),
                code="opinion_not_delivered",
            )
        )
    return ALLOWED


# --- follow-up questions ----------------------------------------------------------------------------------


def follow_up_window_ends(case: OpinionCase) -> dt.datetime | None:
    return None if case.delivered_at is None else case.delivered_at + FOLLOW_UP_WINDOW


def follow_ups_left(case: OpinionCase) -> int:
    return max(0, FOLLOW_UP_MAX - case.follow_ups.count())


def follow_up_ask_check(*, case: OpinionCase, actor: Any, now: dt.datetime) -> Check:
    """The patient asks a follow-up question: the opinion delivered, none waiting for its answer,
    within 30 days of the opinion, at most three."""
    found = first_refusal(_patient_check(case, actor), _opinion_delivered_check(case))
    if not found:
        return found
    if case.status == CaseStatus.FOLLOW_UP:
        return refuse(
            Conflict(
                _("Your question is with the specialist: you can ask another once it is answered."),
                code="follow_up_pending",
            )
        )
    if case.status != CaseStatus.OPINION_DELIVERED:
        return Check(transition_check(machine=CASE, instance=case, target=CaseStatus.FOLLOW_UP))
    ends = follow_up_window_ends(case)
    if ends is not None and now >= ends:
        return refuse(
            Conflict(
                _("Follow-up questions can be asked within 30 days of the opinion (until %(date)s).")
                % {"date": when_text(ends, date_only=True)},
                code="follow_up_window_closed",
            )
        )
    if follow_ups_left(case) == 0:
        return refuse(
            Conflict(
                _("You have asked the %(max)d follow-up questions this opinion includes.") % {"max": FOLLOW_UP_MAX},
                code="follow_up_limit",
            )
        )
    return ALLOWED


@transaction.atomic
def follow_up_ask(*, case: OpinionCase, actor: User, question: str, now: dt.datetime) -> FollowUp:
    """The patient's follow-up question goes to the specialist (notified, without the question)."""
    _patient_check(case, actor).enforce()
    case = _lock(case)
    follow_up_ask_check(case=case, actor=actor, now=now).enforce()
    question = (question or "").strip()
    if not question:
        raise _invalid("question", _("Write your question for the specialist."))
    if len(question) > QUESTION_MAX_LENGTH:
        raise _invalid(
            "question",
            _("A follow-up question is at most %(max)d characters; yours has %(count)d. Shorten it.")
            % {"max": QUESTION_MAX_LENGTH, "count": len(question)},
            code="too_long",
        )
    follow_up = FollowUp.objects.create(case=case, question=question, asked_at=now)
    transition(
        machine=CASE,
        instance=case,
        locked=True,
        target=CaseStatus.FOLLOW_UP,
        actor=actor,
        action="secondopinion.case.follow_up_asked",
        now=now,
        audit_after={"follow_up": follow_up.pk},
    )
    notify_follow_up_asked(case=case, follow_up=follow_up, now=now)
    return follow_up


def follow_up_answer_check(*, case: OpinionCase, follow_up: FollowUp, actor: Any) -> Check:
    """A member of the specialist's practice answers the question waiting for them."""
    who = _specialist_check(case, actor)
    if not who:
        return who
    if follow_up.case_id != case.pk:
        return refuse(NotFound(_("This request has no such follow-up question.")))
    if follow_up.answered_at is not None:
        return refuse(Conflict(_("This question has already been answered."), code="follow_up_answered"))
    return Check(transition_check(machine=CASE, instance=case, target=CaseStatus.OPINION_DELIVERED))


@transaction.atomic
def follow_up_answer(*, case: OpinionCase, follow_up: FollowUp, actor: User, answer: str, now: dt.datetime) -> FollowUp:
    """The specialist's practice answers: the case is back at `opinion_delivered`, the patient notified."""
    _specialist_check(case, actor).enforce()
    case = _lock(case)
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    follow_up_answer_check(case=case, follow_up=follow_up, actor=actor).enforce()
    answer = (answer or "").strip()
    if not answer:
        raise _invalid("answer", _("Write your answer to the patient's question."))
    if len(answer) > ANSWER_MAX_LENGTH:
        raise _invalid(
            "answer",
            _("An answer is at most %(max)d characters; yours has %(count)d.")
            % {"max": ANSWER_MAX_LENGTH, "count": len(answer)},
            code="too_long",
        )
    follow_up.answer = answer
    follow_up.answered_at = now
    follow_up.answered_by = actor
    follow_up.save(update_fields=["answer", "answered_at", "answered_by"])
    transition(
        machine=CASE,
        instance=case,
        locked=True,
        target=CaseStatus.OPINION_DELIVERED,
        actor=actor,
        action="secondopinion.case.follow_up_answered",
        now=now,
        audit_after={"follow_up": follow_up.pk},
    )
    notify_follow_up_answered(case=case, follow_up=follow_up, now=now)
    return follow_up


# --- closing ------------------------------------------------------------------------------------------------


def case_close_check(*, case: OpinionCase, actor: Any) -> Check:
    """The patient closes the case once the opinion is delivered and no question is waiting."""
    found = _patient_check(case, actor)
    if not found:
        return found
    if case.status == CaseStatus.FOLLOW_UP:
        return refuse(
            Conflict(
                _("Your question is with the specialist: you can close the request once it is answered."),
                code="follow_up_pending",
            )
        )
    if case.status in {CaseStatus.ACCEPTED, CaseStatus.SPECIALIST_CHOSEN}:
        return _opinion_delivered_check(case)
    return Check(transition_check(machine=CASE, instance=case, target=CaseStatus.CLOSED))


@transaction.atomic
def case_close(*, case: OpinionCase, actor: User, now: dt.datetime) -> OpinionCase:
    """The patient closes the case; closing a closed case changes nothing."""
    _patient_check(case, actor).enforce()
    case = _lock(case)
    if case.status == CaseStatus.CLOSED:
        return case
    case_close_check(case=case, actor=actor).enforce()
    return transition(
        machine=CASE,
        instance=case,
        locked=True,
        target=CaseStatus.CLOSED,
        actor=actor,
        action="secondopinion.case.closed",
        now=now,
        fields={"closed_at": now},
    ).instance


# --- the in-person consultation ---------------------------------------------------------------------------


def consultation_message_default(case: OpinionCase) -> str:
    return _("Following the second opinion #%(number)d, I would like an in-person consultation.") % {"number": case.pk}


def consultation_request_check(*, case: OpinionCase, actor: Any) -> Check:
    """The patient asks the specialist's practice for an in-person consultation, once, after the opinion."""
    found = first_refusal(_patient_check(case, actor), _opinion_delivered_check(case))
    if not found:
        return found
    if case.consultation_request_id is not None:
        return refuse(
            Conflict(
                _("You have already asked for this consultation: follow your request #%(number)d.")
                % {"number": case.consultation_request_id},
                code="consultation_already_requested",
                details={
                    "quote_request": case.consultation_request_id,
                    "url": reverse("quotes:request_detail", args=[case.consultation_request_id]),
                },
            )
        )
    specialist = case.specialist
    if specialist is None or specialist.provider.status != VerificationStatus.VERIFIED:
        return refuse(
            Conflict(
                _("The specialist's practice cannot receive requests at the moment. Our careteam can help you."),
                code="provider_unverified",
            )
        )
    return ALLOWED


def _case_documents(case: OpinionCase) -> list[MedicalDocument]:
    """The case's documents and the opinion's PDF, those that are the patient's own."""
    ids = list(case.documents.values_list("document_id", flat=True))
    opinion = Opinion.objects.filter(case=case).first()
    if opinion is not None and opinion.document_id is not None:
        ids.append(opinion.document_id)
    return list(
        MedicalDocument.objects.not_shredded().filter(pk__in=ids, owner_id=case.patient_id).order_by("created_at", "pk")
    )


@transaction.atomic
def consultation_request(*, case: OpinionCase, actor: User, message: str, now: dt.datetime) -> QuoteRequest:
    """Send the specialist's practice a quote request for an in-person consultation, with the case's
    documents and the opinion shared with it (quotes records the grants on its request)."""
    _patient_check(case, actor).enforce()
    case = _lock(case)
    consultation_request_check(case=case, actor=actor).enforce()
    specialist = case.specialist
    if specialist is None:  # the check refused it already; this tells the type checker
        raise Conflict(_("No specialist gave this opinion."), code="no_specialist")
    message = (message or "").strip() or consultation_message_default(case)
    if len(message) > MESSAGE_MAX_LENGTH:
        raise _invalid(
            "message",
            _("Your message is at most %(max)d characters; yours has %(count)d.")
            % {"max": MESSAGE_MAX_LENGTH, "count": len(message)},
            code="too_long",
        )
    request = quote_request_submit(
        patient=actor,
        providers=[specialist.provider],
        documents=_case_documents(case),
        now=now,
        subject=_("In-person consultation after second opinion #%(number)d") % {"number": case.pk},
        description=message,
        desired_from=now.date(),
        desired_to=(now + CONSULTATION_PERIOD).date(),
        specialty=case.specialty,
    )
    case.consultation_request = request
    case.updated_at = now
    case.save(update_fields=["consultation_request", "updated_at"])
    audit_record(
        actor=actor,
        action="secondopinion.case.consultation_requested",
        target=case,
        after={"quote_request": request.pk, "provider": specialist.provider_id},
        now=now,
    )
    return request


# --- share links --------------------------------------------------------------------------------------------


def share_links_live(*, case: OpinionCase, now: dt.datetime) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(case=case, revoked_at__isnull=True, expires_at__gt=now)


def share_link_is_live(link: ShareLink, *, now: dt.datetime) -> bool:
    return link_is_live(link, now=now)


def _signed_opinion(case: OpinionCase) -> Opinion | None:
    return (
        Opinion.objects.select_related("specialist__provider", "document")
        .filter(case=case, signed_at__isnull=False, document__isnull=False)
        .first()
    )


def share_link_create_check(*, case: OpinionCase, actor: Any, now: dt.datetime) -> Check:
    """The patient shares the delivered, signed opinion with their doctor: ten live links at most."""
    found = first_refusal(_patient_check(case, actor), _opinion_delivered_check(case))
    if not found:
        return found
    if _signed_opinion(case) is None:
        return refuse(
            Conflict(_("The opinion's signed document is not ready yet: try again later."), code="opinion_not_signed")
        )
    if share_links_live(case=case, now=now).count() >= SHARE_LINKS_LIVE_MAX:
        return refuse(
            Conflict(
                _("You have %(max)d links in force: revoke one you no longer need before making another.")
                % {"max": SHARE_LINKS_LIVE_MAX},
                code="share_link_limit",
            )
        )
    return ALLOWED


@transaction.atomic
def share_link_create(*, case: OpinionCase, actor: User, recipient: str, now: dt.datetime) -> tuple[ShareLink, str]:
    """A 7-day link to the opinion for `recipient` (who the patient gives it to). Returns the link and
    its token, which is stored nowhere: show it now, it cannot be shown again."""
    _patient_check(case, actor).enforce()
    case = _lock(case)  # one count of live links at a time
    share_link_create_check(case=case, actor=actor, now=now).enforce()
    recipient = " ".join((recipient or "").split())
    if not recipient:
        raise _invalid("recipient", _("Say who the link is for, such as “Dr Dupont, my cardiologist”."))
    if len(recipient) > RECIPIENT_MAX_LENGTH:
        raise _invalid(
            "recipient",
            _("Keep it to %(max)d characters.") % {"max": RECIPIENT_MAX_LENGTH},
            code="too_long",
        )
    token, hashed = token_new()
    link = ShareLink.objects.create(
        case=case,
        token_hash=hashed,
        recipient=recipient,
        created_at=now,
        expires_at=now + SHARE_LINK_LIFETIME,
    )
    audit_record(
        actor=actor,
        action="secondopinion.share_link.created",
        target=link,
        after={"case": case.pk, "expires_at": link.expires_at.isoformat()},
        now=now,
    )
    return link, token


def share_link_revoke_check(*, link: ShareLink, actor: Any, now: dt.datetime) -> Check:
    found = _patient_check(link.case, actor)
    if not found:
        return found
    if not share_link_is_live(link, now=now):
        return refuse(Conflict(_("This link no longer works."), code="share_link_ended"))
    return ALLOWED


@transaction.atomic
def share_link_revoke(*, link: ShareLink, actor: User, now: dt.datetime) -> ShareLink:
    """The patient ends a link now; revoking a revoked or expired link changes nothing."""
    _patient_check(link.case, actor).enforce()
    locked = ShareLink.objects.select_for_update().get(pk=link.pk)
    if not share_link_is_live(locked, now=now):
        return locked
    locked.revoked_at = now
    locked.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor, action="secondopinion.share_link.revoked", target=locked, after={"case": locked.case_id}, now=now
    )
    return locked


def share_link_open(*, token: str, ip: str, now: dt.datetime) -> tuple[ShareLink, Opinion]:
    """The opinion behind a live link; each opening is counted and audited (the address and the
    link's id, never the token). Unknown, expired or revoked: NotFound (or Throttled for an address
    refused too often).

    Not atomic as a whole on purpose: the event of a refusal must outlive the NotFound (the page is
    a `non_atomic_requests` view)."""
    link = None
    if token_looks_valid(token):
        link = ShareLink.objects.select_related("case").filter(token_hash=token_hash(token)).first()
    opinion = None
    reason = "unknown"
    if link is not None:
        reason = link_refused_reason(link, now=now)  # revoked or expired, else ""
        if not reason and link.case.status not in AFTER_STATUSES:
            reason = "case_closed"
        elif not reason:
            opinion = _signed_opinion(link.case)
            reason = "no_opinion" if opinion is None else ""
    if link is None or opinion is None:
        link_refused_audit(
            action="secondopinion.share_link.refused",
            link=link,
            model=ShareLink,
            reason=reason,
            ip=ip,
            now=now,
            keep_ip=True,
        )
        raise NotFound(
            _("This link does not work: it may have expired or been revoked. Ask the patient for a new one.")
        )
    with transaction.atomic():
        ShareLink.objects.filter(pk=link.pk).update(opened_count=F("opened_count") + 1)
        audit_record(
            actor=None,
            action="secondopinion.share_link.opened",
            target=link,
            after={"link": link.pk, "case": link.case_id},
            now=now,
            ip=ip,
        )
    link.refresh_from_db(fields=["opened_count"])
    return link, opinion


def share_link_pdf(*, token: str, ip: str, now: dt.datetime) -> tuple[Opinion, bytes]:
    """The opinion's PDF behind a live link: opened as `share_link_open` (counted, audited), then
    read from `documents` in the link's name (its own "read" event, `as: share_link`)."""
    link, opinion = share_link_open(token=token, ip=ip, now=now)
    document = opinion.document
    if document is None:  # _signed_opinion found one with its PDF; this tells the type checker
        raise NotFound(_("This opinion has no document to download."))
    data = document_read_shared(document=document, via={"link": link.pk, "case": link.case_id}, ip=ip, now=now)
    return opinion, data


def share_links_of(*, case: OpinionCase) -> QuerySet[ShareLink]:
    return ShareLink.objects.filter(case=case).order_by("-created_at", "-pk")


def share_link_of(*, case: OpinionCase, link_id: int) -> ShareLink:
    link = ShareLink.objects.select_related("case").filter(Q(case=case) & Q(pk=link_id)).first()
    if link is None:
        raise NotFound(_("This request has no such link."))
    return link
