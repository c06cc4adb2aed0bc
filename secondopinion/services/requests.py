"""The patient's side of a second opinion: the request (a draft: questions, documents, language),
sending it with the payment of its concierge order, the documents a coordinator asks for, the
choice among the specialists proposed (with the price difference: a supplement to pay, or money
back), and withdrawing before a specialist accepted.

Every status change goes through `machine.CASE`; each action the pages offer has its `_check`,
which the service enforces first under the case's row lock. Money moves through concierge's
orders and payments' card services: paying is concierge's order page (`concierge:order_pay`), and
`case_record_paid` is `concierge.services.orders.AFTER_PAID["second_opinion"]` (registered in
`SecondOpinionConfig.ready()`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import consent_required_check
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, PriceList, PriceListStatus
from concierge.services.ordering import order_cancel
from concierge.services.orders import order_create
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.money import Money
from core.state import transition, transition_check
from documents.models import MedicalDocument
from providers.models import Specialty
from secondopinion import clock
from secondopinion import notifications as opinion_notifications
from secondopinion.models import (
    Candidate,
    CaseDocument,
    CaseQuestion,
    CaseStatus,
    DocumentRole,
    OpinionCase,
)
from secondopinion.selectors import specialist_calendar
from secondopinion.services.machine import CASE
from secondopinion.services.refunds import order_money_back, order_refunded
from secondopinion.services.timing import case_due_at_refresh, pause_close

MAX_QUESTIONS = 5
QUESTION_MAX_CHARS = 2000
# The languages an opinion can be written in (besides the site's own languages).
OPINION_LANGUAGES: dict[str, Any] = {
    "en": gettext_lazy("English"),
    "fr": gettext_lazy("French"),
    "es": gettext_lazy("Spanish"),
    "de": gettext_lazy("German"),
    "ar": gettext_lazy("Arabic"),
    "ru": gettext_lazy("Russian"),
    "tr": gettext_lazy("Turkish"),
}
# Where the patient adds documents themselves: while writing the request, and when a coordinator asks.
DOCUMENTS_OPEN = frozenset({CaseStatus.DRAFT, CaseStatus.AWAITING_DOCUMENTS})
CHOICE_OPEN = frozenset({CaseStatus.SHORTLISTED, CaseStatus.DECLINED_BY_SPECIALIST})

DocumentChoice = tuple[MedicalDocument | uuid.UUID | str, str]


def opinion_languages() -> list[tuple[str, str]]:
    """(code, name) of every language an opinion may be asked in: the site's and `OPINION_LANGUAGES`."""
    names = {code: str(name) for code, name in OPINION_LANGUAGES.items()}
    for code, name in settings.LANGUAGES:
        names.setdefault(code, str(name))
    return sorted(names.items(), key=lambda item: item[1])


# --- prices -------------------------------------------------------------------------------------------


def opinion_price_list(*, specialty: Specialty | int | None, currency: str) -> PriceList | None:
    """The second-opinion price in force for `specialty` in `currency` (finance approved it), or None."""
    if specialty is None or not currency:
        return None
    specialty_id = specialty.pk if isinstance(specialty, Specialty) else specialty
    return (
        PriceList.objects.filter(
            kind=AddonKind.SECOND_OPINION,
            specialty_id=specialty_id,
            currency=currency.upper(),
            status=PriceListStatus.ACTIVE,
        )
        .select_related("specialty")
        .first()
    )


def opinion_prices(*, currency: str | None = None) -> list[PriceList]:
    """Every second-opinion price in force (in one currency when given), by specialty."""
    rows = PriceList.objects.filter(
        kind=AddonKind.SECOND_OPINION, status=PriceListStatus.ACTIVE, specialty__isnull=False
    ).select_related("specialty")
    if currency:
        rows = rows.filter(currency=currency.upper())
    return sorted(rows, key=lambda price: (price.specialty.name if price.specialty else "", price.currency))


def opinion_specialties() -> list[Specialty]:
    """The specialties a second opinion can be asked in (a price is in force in some currency)."""
    ids = {price.specialty_id for price in opinion_prices() if price.specialty_id is not None}
    return sorted(Specialty.objects.filter(pk__in=ids), key=lambda specialty: specialty.name)


# --- reading the patient's own things ------------------------------------------------------------------


def _no_case() -> NotFound:
    return NotFound(_("You have no second-opinion request with this id."))


def _own(case: OpinionCase, actor: Any) -> Check:
    if not getattr(actor, "is_authenticated", False) or case.patient_id != actor.pk:
        return refuse(_no_case())
    return ALLOWED


def case_of_patient(*, patient: Any, case_id: int) -> OpinionCase:
    """The patient's own case (anyone else's: not found)."""
    case = (
        OpinionCase.objects.filter(pk=case_id, patient_id=getattr(patient, "pk", None))
        .select_related("specialty", "order", "supplement_order", "specialist__provider")
        .first()
    )
    if case is None:
        raise _no_case()
    return case


def cases_of_patient(*, patient: Any) -> list[OpinionCase]:
    return list(
        OpinionCase.objects.filter(patient_id=getattr(patient, "pk", None)).select_related("specialty", "order")
    )


def _locked(case: OpinionCase) -> OpinionCase:
    locked = OpinionCase.objects.select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise _no_case()
    return locked


def _document_id(value: MedicalDocument | uuid.UUID | str) -> uuid.UUID | None:
    if isinstance(value, MedicalDocument):
        return value.pk
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _patient_documents(patient: User, documents: Sequence[DocumentChoice]) -> list[tuple[MedicalDocument, str]]:
    """The documents named, each the patient's own with a known role; someone else's is not found."""
    wanted = [(_document_id(document), role) for document, role in documents]
    ids = {pk for pk, _role in wanted if pk is not None}
    found = {
        document.pk: document for document in MedicalDocument.objects.not_shredded().filter(pk__in=ids, owner=patient)
    }
    chosen: dict[uuid.UUID, tuple[MedicalDocument, str]] = {}
    for pk, role in wanted:
        if pk is None or pk not in found:
            raise NotFound(_("You have no document with this id."), code="document_not_found")
        if role not in DocumentRole.values:
            message = _("Say what each document is (a first diagnosis, imaging, a report…).")
            raise ValidationFailed(message, code="invalid_role", details={"documents": [message]})
        chosen[pk] = (found[pk], role)
    return list(chosen.values())


FIRST_DIAGNOSIS_REQUIRED = gettext_lazy(
    "A second opinion starts from a first diagnosis by a health professional: add that document "
    "(a report or letter from your doctor)."
)


# --- the draft ----------------------------------------------------------------------------------------


def _questions(questions: Iterable[str], errors: dict[str, list[str]]) -> list[str]:
    texts = [(text or "").strip() for text in questions]
    texts = [text for text in texts if text]
    if not texts:
        errors["questions"] = [_("Write at least one question for the specialist.")]
    elif len(texts) > MAX_QUESTIONS:
        errors["questions"] = [_("Ask at most %(limit)d questions.") % {"limit": MAX_QUESTIONS}]
    elif any(len(text) > QUESTION_MAX_CHARS for text in texts):
        errors["questions"] = [
            _("Each question has at most %(limit)d characters: shorten it, or split it in two.")
            % {"limit": QUESTION_MAX_CHARS}
        ]
    return texts


def case_edit_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` change the request: their own, not sent yet."""
    if case.status != CaseStatus.DRAFT:
        message = _("This request is sent: it can no longer be changed. Add documents if a coordinator asks.")
        return first_refusal(_own(case, actor), refuse(Conflict(message, code="not_draft")))
    return _own(case, actor)


def case_draft_save(
    *,
    patient: User,
    specialty: Specialty | None,
    questions: list[str],
    language: str,
    meeting_requested: bool,
    documents: Sequence[DocumentChoice],
    consent: bool,
    currency: str,
    now: dt.datetime,
    case: OpinionCase | None = None,
) -> OpinionCase:
    """Write the patient's request as a draft (new, or `case` changed). Every rule is checked
    first; nothing is written when one fails. The consent ticked is remembered (it is required to send)."""
    if case is not None:
        case_edit_check(case=case, actor=patient).enforce()
    consent_required_check(user=patient).enforce()
    chosen = _patient_documents(patient, documents)
    errors: dict[str, list[str]] = {}
    texts = _questions(questions, errors)
    currency = (currency or "").strip().upper()
    if specialty is None:
        errors["specialty"] = [_("Choose the specialty of your question.")]
    elif opinion_price_list(specialty=specialty, currency=currency) is None:
        errors["specialty"] = [
            _("We cannot offer a second opinion in this specialty in %(currency)s yet: choose another currency.")
            % {"currency": currency or "—"}
        ]
    language = (language or "").strip().lower()
    if language not in dict(opinion_languages()):
        errors["language"] = [_("Choose the language the opinion should be written in.")]
    if not any(role == DocumentRole.FIRST_DIAGNOSIS for _document, role in chosen):
        errors["documents"] = [str(FIRST_DIAGNOSIS_REQUIRED)]
    if errors or specialty is None:
        raise ValidationFailed(_("Please correct the fields marked below."), code="invalid_request", details=errors)
    with transaction.atomic():
        if case is None:
            case = OpinionCase(patient=patient, created_at=now, status=CaseStatus.DRAFT)
        else:
            case = _locked(case)
            case_edit_check(case=case, actor=patient).enforce()
        case.specialty = specialty
        case.language = language
        case.meeting_requested = bool(meeting_requested)
        case.currency = currency
        case.consent_at = (case.consent_at or now) if consent else None
        case.updated_at = now
        case.save()
        case.questions.all().delete()
        CaseQuestion.objects.bulk_create(
            CaseQuestion(case=case, position=position, text=text) for position, text in enumerate(texts, start=1)
        )
        keep = {document.pk for document, _role in chosen}
        case.documents.exclude(document_id__in=keep).delete()
        for document, role in chosen:
            CaseDocument.objects.update_or_create(
                case=case, document=document, defaults={"role": role}, create_defaults={"role": role, "added_at": now}
            )
    return case


# --- sending and paying --------------------------------------------------------------------------------


def case_send_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` send the request and pay: their own draft, with consent, a first diagnosis, a
    question, and a price in force."""
    own = first_refusal(case_edit_check(case=case, actor=actor), consent_required_check(user=case.patient))
    if not own.allowed:
        return own
    if case.consent_at is None:
        message = _("Tick the box to agree that your file is shared with the coordinating doctor and your specialist.")
        return refuse(ValidationFailed(message, code="consent_required", details={"consent": [message]}))
    if not case.documents.filter(role=DocumentRole.FIRST_DIAGNOSIS).exists():
        message = str(FIRST_DIAGNOSIS_REQUIRED)
        return refuse(ValidationFailed(message, code="first_diagnosis_required", details={"documents": [message]}))
    if not case.questions.exists():
        message = _("Write at least one question for the specialist.")
        return refuse(ValidationFailed(message, code="question_required", details={"questions": [message]}))
    if opinion_price_list(specialty=case.specialty_id, currency=case.currency) is None:
        message = _("We cannot offer a second opinion in this specialty in %(currency)s yet.") % {
            "currency": case.currency or "—"
        }
        return refuse(Conflict(message, code="no_price"))
    return ALLOWED


def case_price(case: OpinionCase) -> Money | None:
    """What sending the request costs now (the order's amount once sent)."""
    if case.order is not None and case.order.amount is not None:
        return Money(case.order.amount, case.order.currency)
    price = opinion_price_list(specialty=case.specialty_id, currency=case.currency)
    return None if price is None else Money(price.unit_amount, price.currency)


def case_send(*, case: OpinionCase, actor: User, now: dt.datetime) -> AddonOrder:
    """Send the request: its concierge order (to pay on concierge's card page) and the consent's
    time. Sending again before paying gives the same order back."""
    with transaction.atomic():
        case = _locked(case)
        case_send_check(case=case, actor=actor).enforce()
        order = case.order
        if order is not None and order.status == AddonOrderStatus.AWAITING_PAYMENT:
            return order
        price_list = opinion_price_list(specialty=case.specialty_id, currency=case.currency)
        if price_list is None:  # the check saw it; a price retired since
            raise Conflict(_("We cannot offer a second opinion in this specialty now."), code="no_price")
        order = order_create(
            patient=actor,
            kind=AddonKind.SECOND_OPINION,
            description=_("Second opinion #%(number)s") % {"number": case.pk},
            price=Money(price_list.unit_amount, price_list.currency),
            price_list=price_list,
            now=now,
        )
        case.order = order
        case.consent_at = now
        case.updated_at = now
        case.save(update_fields=["order", "consent_at", "updated_at"])
    return order


def _ask_specialist(case: OpinionCase, now: dt.datetime) -> None:
    """The chosen specialist is asked: their 24 working hours to accept start now."""
    if case.specialist is None:
        return
    case.accept_due_at = clock.due_at(
        start=now, hours=settings.SECOND_OPINION_ACCEPT_HOURS, calendar=specialist_calendar(case.specialist)
    )
    case.save(update_fields=["accept_due_at"])
    opinion_notifications.notify_specialist_asked(case=case, now=now)


def case_record_paid(*, order: AddonOrder, now: dt.datetime) -> AddonOrder:
    """`AFTER_PAID["second_opinion"]`, in the payment's transaction (the order locked): the case's
    main order paid → the case is submitted and its clock starts; its supplement paid → the chosen
    specialist is asked. Idempotent: a second call changes nothing."""
    case = OpinionCase.objects.select_for_update().filter(order=order).first()
    if case is not None:
        if case.status != CaseStatus.DRAFT:
            return order
        moved = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.SUBMITTED,
            actor=order.patient,
            action="secondopinion.case.submitted",
            now=now,
            fields={"clock_started_at": now},
            audit_after={"order": order.pk},
        )
        case_due_at_refresh(case=moved.instance)
        opinion_notifications.notify_case_submitted(case=moved.instance, now=now)
        return order
    case = OpinionCase.objects.select_for_update().filter(supplement_order=order).first()
    if case is not None and case.status == CaseStatus.SPECIALIST_CHOSEN and case.accept_due_at is None:
        pause_close(case=case, now=now)  # the choice is complete once paid: the clock runs again
        case_due_at_refresh(case=case)
        _ask_specialist(case, now)
    return order


# --- documents ----------------------------------------------------------------------------------------


def case_documents_add_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` add documents: their own case, while writing it or when a coordinator asked for more."""
    if case.status not in DOCUMENTS_OPEN:
        message = _("Documents can be added while you write the request, or when the coordinator asks for them.")
        return first_refusal(_own(case, actor), refuse(Conflict(message, code="documents_closed")))
    return first_refusal(_own(case, actor), consent_required_check(user=case.patient))


def case_documents_add(
    *, case: OpinionCase, actor: User, documents: Sequence[DocumentChoice], now: dt.datetime
) -> list[CaseDocument]:
    """Attach the patient's own documents to the case (one already attached keeps its place, with the new role)."""
    case_documents_add_check(case=case, actor=actor).enforce()
    chosen = _patient_documents(actor, documents)
    if not chosen:
        message = _("Choose or upload at least one document.")
        raise ValidationFailed(message, code="no_document", details={"documents": [message]})
    with transaction.atomic():
        case = _locked(case)
        case_documents_add_check(case=case, actor=actor).enforce()
        added = [
            CaseDocument.objects.update_or_create(
                case=case, document=document, defaults={"role": role}, create_defaults={"role": role, "added_at": now}
            )[0]
            for document, role in chosen
        ]
        case.updated_at = now
        case.save(update_fields=["updated_at"])
    return added


def case_documents_sent_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` say the documents asked for are there: their own case, waiting for documents."""
    return first_refusal(
        _own(case, actor),
        consent_required_check(user=case.patient),
        Check(transition_check(machine=CASE, instance=case, target=CaseStatus.UNDER_TRIAGE))
        if case.status == CaseStatus.AWAITING_DOCUMENTS
        else refuse(Conflict(_("No document is being asked of you for this request."), code="not_awaiting")),
    )


def case_documents_sent(*, case: OpinionCase, actor: User, now: dt.datetime) -> OpinionCase:
    """The patient says the documents asked for are there: back to the coordinator, the clock runs again."""
    with transaction.atomic():
        case = _locked(case)
        case_documents_sent_check(case=case, actor=actor).enforce()
        case = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.UNDER_TRIAGE,
            actor=actor,
            action="secondopinion.case.documents_sent",
            now=now,
        ).instance
        pause_close(case=case, now=now)
        opinion_notifications.notify_documents_sent(case=case, now=now)
    return case


# --- the choice ---------------------------------------------------------------------------------------


def not_proposed() -> ValidationFailed:
    message = _("Choose one of the specialists proposed for you.")
    return ValidationFailed(message, code="not_on_shortlist", details={"candidate": [message]})


def case_choose_check(*, case: OpinionCase, actor: Any, candidate: Candidate | None = None) -> Check:
    """May `actor` choose (`candidate`, when given): their own case whose shortlist is waiting for
    their choice, and a specialist on it who has not declined."""
    own = _own(case, actor)
    if not own.allowed:
        return own
    if case.status not in CHOICE_OPEN:
        return refuse(Conflict(_("There is no choice of specialist to make for this request now."), code="no_choice"))
    if candidate is not None:
        if candidate.case_id != case.pk or candidate.declined_at is not None:
            return refuse(not_proposed())
        if candidate.specialist.currency != (case.order.currency if case.order else case.currency):
            return refuse(not_proposed())
    return Check(transition_check(machine=CASE, instance=case, target=CaseStatus.SPECIALIST_CHOSEN))


def paid_so_far(case: OpinionCase) -> int:
    """What the patient has paid for the opinion, in minor units: the order and a paid supplement,
    less the difference already given back."""
    paid = (case.order.amount or 0) if case.order is not None and case.order.paid_at is not None else 0
    supplement = case.supplement_order
    if supplement is not None and supplement.paid_at is not None:
        paid += supplement.amount or 0
    return paid - (case.choice_refund_amount or 0)


def price_difference(*, case: OpinionCase, candidate: Candidate) -> int:
    """The candidate's price less what was paid: above zero, a supplement to pay; below, money back."""
    return candidate.specialist.price_amount - paid_so_far(case)


def case_choose(*, case: OpinionCase, actor: User, candidate: Candidate, now: dt.datetime) -> OpinionCase:
    """The patient chooses a proposed specialist. Their working days now count for the clock. A
    dearer specialist: a supplement order for the difference, paid before they are asked (the
    clock stays stopped until it is paid: the case waits for the patient). A cheaper one: the
    difference back to the card, once. Otherwise they are asked at once."""
    with transaction.atomic():
        case = _locked(case)
        found = Candidate.objects.select_related("specialist__provider").filter(pk=candidate.pk).first()
        if found is None:
            raise not_proposed()
        case_choose_check(case=case, actor=actor, candidate=found).enforce()
        specialist = found.specialist
        difference = price_difference(case=case, candidate=found)
        old_supplement = case.supplement_order
        if old_supplement is not None and old_supplement.status == AddonOrderStatus.AWAITING_PAYMENT:
            order_cancel(order=old_supplement, actor=actor, now=now)
        case = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.SPECIALIST_CHOSEN,
            actor=actor,
            action="secondopinion.case.specialist_chosen",
            now=now,
            fields={"specialist": specialist, "chosen_at": now, "accept_due_at": None},
            audit_after={"specialist": specialist.pk, "difference": difference},
        ).instance
        if difference <= 0:
            pause_close(case=case, now=now)  # the clock runs again, on the specialist's working days
        case_due_at_refresh(case=case)
        if case.order is None:  # a case reaches the shortlist paid
            raise Conflict(_("This request has not been sent and paid yet."), code="not_submitted")
        if difference > 0:
            case.supplement_order = order_create(
                patient=actor,
                kind=AddonKind.SECOND_OPINION,
                description=_("Second opinion #%(number)s: %(name)s's price")
                % {"number": case.pk, "name": specialist.provider.name},
                price=Money(difference, case.order.currency),
                now=now,
            )
            case.save(update_fields=["supplement_order"])
            return case
        if difference < 0 and case.choice_refund_id is None and case.order.payment_intent_id:
            refund_id = order_money_back(
                order=case.order,
                amount=-difference,
                key=f"opinion-choice:{case.pk}",
                actor=actor,
                now=now,
                case_id=case.pk,
                purpose="opinion_choice",
            )
            case.choice_refund_amount = -difference
            case.choice_refund_id = refund_id
            case.save(update_fields=["choice_refund_amount", "choice_refund_id"])
        _ask_specialist(case, now)
    return case


# --- withdrawing --------------------------------------------------------------------------------------


def case_withdraw_check(*, case: OpinionCase, actor: Any) -> Check:
    """May `actor` withdraw: their own case, before a specialist accepted it."""
    return first_refusal(
        _own(case, actor), Check(transition_check(machine=CASE, instance=case, target=CaseStatus.WITHDRAWN))
    )


def case_withdraw_refund(case: OpinionCase) -> int:
    """What withdrawing gives back now, in minor units of the order's currency: everything paid."""
    return 0 if case.status == CaseStatus.DRAFT else max(paid_so_far(case), 0)


def case_withdraw(*, case: OpinionCase, actor: User, now: dt.datetime) -> OpinionCase:
    """The patient withdraws before a specialist accepted. A draft: its unpaid order is cancelled.
    Sent and paid: everything paid goes back to the card (the order, a paid supplement, less what
    was already given back), with keys `opinion-withdraw:<case>` so a retry never refunds twice."""
    with transaction.atomic():
        case = _locked(case)
        case_withdraw_check(case=case, actor=actor).enforce()
        total = 0
        refund_id = None
        for order, key in ((case.order, f"opinion-withdraw:{case.pk}"), (case.supplement_order, None)):
            if order is None:
                continue
            order = AddonOrder.objects.select_for_update().get(pk=order.pk)
            if order.status == AddonOrderStatus.AWAITING_PAYMENT:
                order_cancel(order=order, actor=actor, now=now)
            elif order.paid_at is not None and order.status == AddonOrderStatus.CONFIRMED:
                earlier = (case.choice_refund_amount or 0) if order.pk == case.order_id else 0
                amount = (order.amount or 0) - earlier
                if amount > 0:
                    made = order_refunded(
                        order=order,
                        amount=amount,
                        key=key or f"opinion-withdraw:{case.pk}:supplement",
                        actor=actor,
                        now=now,
                        case_id=case.pk,
                        explanation=_("The second-opinion request was withdrawn: refunded in full."),
                    )
                    total += amount
                    refund_id = refund_id or made
        fields: dict[str, Any] = {"withdrawn_at": now}
        if total:
            fields.update({"refund_amount": total, "stripe_refund_id": refund_id})
        case = transition(
            machine=CASE,
            instance=case,
            locked=True,
            target=CaseStatus.WITHDRAWN,
            actor=actor,
            action="secondopinion.case.withdrawn",
            now=now,
            fields=fields,
            audit_after={"refund": total},
        ).instance
        pause_close(case=case, now=now)
    return case
