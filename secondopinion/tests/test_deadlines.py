"""The clock's consequences: the coordinator's alerts at 75 % and at the deadline, the breach
refund (once, in the ledger and at Stripe), the specialist's acceptance window, the follow-up
window, and the clock as pages show it (in Paris and in Istanbul)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.tests.factories import PatientFactory
from concierge.models import AddonOrder, AddonOrderStatus
from core.errors import Conflict
from core.models import AuditEvent
from notifications.models import Message
from notifications.tests.support import require_postgresql, run_at_once
from payments.models import LedgerTransaction
from secondopinion.models import Candidate, CaseStatus, FollowUp, OpinionCase
from secondopinion.services.deadlines import (
    case_accept_timeouts,
    case_breach_refund,
    case_breach_refund_amount,
    case_clock_view,
    case_deadline_alerts,
    case_follow_up_windows_close,
)
from secondopinion.tasks import run_deadlines
from secondopinion.tests.support_deadlines import case_at, paid_order

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
ISTANBUL = ZoneInfo("Europe/Istanbul")
MINUTE = dt.timedelta(minutes=1)
# Sent and paid on Monday 7 December 2026 at 10:00 in Paris: due on Friday 11 December at 10:00;
# three quarters of the 96 working hours are used on Thursday 10 December at 10:00.
STARTED = dt.datetime(2026, 12, 7, 10, 0, tzinfo=PARIS)
THREE_QUARTERS = dt.datetime(2026, 12, 10, 10, 0, tzinfo=PARIS)
DUE = dt.datetime(2026, 12, 11, 10, 0, tzinfo=PARIS)


def sent(event: str) -> list[Message]:
    return list(Message.objects.filter(event=event).order_by("pk"))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a periodic service with its after-commit messages sent."""

    def go(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return go


# --- the alerts ---------------------------------------------------------------------------------------


def test_the_coordinator_is_alerted_once_when_three_quarters_of_the_working_time_are_used(
    patient, cardiology, coordinator, martin, run
):
    case = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)
    assert case.due_at == DUE

    assert run(case_deadline_alerts, now=THREE_QUARTERS - MINUTE).alerted_75 == 0
    assert run(case_deadline_alerts, now=THREE_QUARTERS).alerted_75 == 1
    assert run(case_deadline_alerts, now=THREE_QUARTERS + MINUTE).alerted_75 == 0

    case.refresh_from_db()
    assert case.alerted_75_at == THREE_QUARTERS
    assert case.alerted_due_at is None
    [message] = sent("opinion_deadline_75")
    assert message.recipient == coordinator
    assert message.subject == f"Second-opinion request #{case.pk}: 75 % of the time is used"
    assert "Friday, 11 December 2026, 10:00" in message.body


def test_a_case_nobody_took_alerts_every_medical_coordinator(patient, cardiology, coordinator, other_coordinator, run):
    case_at(patient, cardiology, STARTED, status=CaseStatus.SUBMITTED)

    run(case_deadline_alerts, now=THREE_QUARTERS)

    assert {m.recipient for m in sent("opinion_deadline_75")} == {coordinator, other_coordinator}


def test_at_the_deadline_the_coordinator_is_alerted_once_more(patient, cardiology, coordinator, martin, run):
    case = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)
    run(case_deadline_alerts, now=THREE_QUARTERS)

    assert run(case_deadline_alerts, now=DUE - MINUTE).alerted_due == 0
    assert run(case_deadline_alerts, now=DUE).alerted_due == 1
    assert run(case_deadline_alerts, now=DUE + MINUTE).alerted_due == 0

    case.refresh_from_db()
    assert (case.alerted_75_at, case.alerted_due_at) == (THREE_QUARTERS, DUE)
    assert len(sent("opinion_deadline_75")) == 1
    [message] = sent("opinion_deadline_due")
    assert message.subject == f"Second-opinion request #{case.pk}: the deadline has passed"


def test_a_case_found_past_its_deadline_gets_only_the_deadline_alert(patient, cardiology, coordinator, martin, run):
    case = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)

    result = run(case_deadline_alerts, now=DUE + dt.timedelta(hours=2))

    assert (result.alerted_75, result.alerted_due) == (0, 1)
    case.refresh_from_db()
    assert case.alerted_75_at is not None
    assert sent("opinion_deadline_75") == []


def test_a_paused_case_is_not_alerted(patient, cardiology, coordinator, run):
    case = case_at(
        patient,
        cardiology,
        STARTED,
        status=CaseStatus.AWAITING_DOCUMENTS,
        coordinator=coordinator,
        pauses=[(STARTED + dt.timedelta(hours=2), None, "documents")],
    )
    assert case.due_at is None

    result = run(case_deadline_alerts, now=DUE + dt.timedelta(days=3))

    assert result == type(result)()
    assert Message.objects.count() == 0


def test_a_pause_moves_the_alerts_later(patient, cardiology, coordinator, martin, run):
    # One working day paused (Tuesday 10:00 to Wednesday 10:00): everything moves one working day later.
    case = case_at(
        patient,
        cardiology,
        STARTED,
        coordinator=coordinator,
        specialist=martin,
        pauses=[(STARTED + dt.timedelta(days=1), STARTED + dt.timedelta(days=2), "documents")],
    )
    assert case.due_at == dt.datetime(2026, 12, 14, 10, 0, tzinfo=PARIS)

    assert run(case_deadline_alerts, now=THREE_QUARTERS).alerted_75 == 0
    assert run(case_deadline_alerts, now=dt.datetime(2026, 12, 11, 10, 0, tzinfo=PARIS)).alerted_75 == 1


# --- the breach refund --------------------------------------------------------------------------------


def test_the_breach_refund_is_posted_once_to_stripe_and_to_the_ledger(
    stripe_emulator,
    patient,
    cardiology,
    coordinator,
    martin,
    run,
):
    order = paid_order(stripe_emulator, patient, STARTED - MINUTE, amount=45_000)
    case = case_at(patient, cardiology, STARTED, order=order, coordinator=coordinator, specialist=martin)

    first = run(case_deadline_alerts, now=DUE)
    second = run(case_deadline_alerts, now=DUE + dt.timedelta(minutes=5))
    run(case_breach_refund, case=case, now=DUE + dt.timedelta(minutes=6))
    run(case_breach_refund, case=case, now=DUE + dt.timedelta(minutes=7))

    assert (first.refunded, second.refunded) == (1, 0)
    case.refresh_from_db()
    assert (case.breach_refund_amount, case.breached_at) == (9_000, DUE)  # 20 % of 450.00 EUR
    refunds = stripe_emulator.get(f"/v1/refunds?payment_intent={order.payment_intent_id}")["data"]
    assert [(r["id"], r["amount"]) for r in refunds] == [(case.breach_refund_id, 9_000)]
    postings = LedgerTransaction.objects.filter(kind="addon_refund")
    assert [p.external_id for p in postings] == [case.breach_refund_id]
    call_command("check_ledger")
    assert AuditEvent.objects.filter(action="secondopinion.case.breach_refunded").count() == 1
    [message] = sent("opinion_breach_refunded")
    assert message.recipient == patient
    assert message.subject == f"Your second-opinion request #{case.pk}: a refund to your card"
    assert "€90.00" in message.body
    assert case.status == CaseStatus.ACCEPTED  # the specialist still writes the opinion


def test_a_withdrawn_or_delivered_case_is_not_refunded_at_its_deadline(patient, cardiology, coordinator, martin, run):
    withdrawn = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)
    delivered = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)
    OpinionCase.objects.filter(pk=withdrawn.pk).update(status=CaseStatus.WITHDRAWN, withdrawn_at=STARTED)
    OpinionCase.objects.filter(pk=delivered.pk).update(status=CaseStatus.OPINION_DELIVERED, delivered_at=DUE - MINUTE)

    result = run(case_deadline_alerts, now=DUE + dt.timedelta(hours=1))

    assert (result.refunded, result.alerted_due) == (0, 0)
    for case in (withdrawn, delivered):
        case.refresh_from_db()
        with pytest.raises(Conflict) as refused:
            case_breach_refund(case=case, now=DUE + dt.timedelta(hours=1))
        assert refused.value.code == "clock_not_running"
        assert case.breached_at is None
    assert LedgerTransaction.objects.filter(kind="addon_refund").count() == 0


def _in_memory_case(amount: int, currency: str, *, supplement: int | None = None, choice_refund: int | None = None):
    def paid(value: int, pk: int) -> AddonOrder:
        return AddonOrder(
            pk=pk,
            kind="second_opinion",
            amount=value,
            currency=currency,
            status=AddonOrderStatus.CONFIRMED,
            paid_at=STARTED,
            payment_intent_id=f"pi_{pk}",
        )

    return OpinionCase(
        order=paid(amount, 1),
        supplement_order=paid(supplement, 2) if supplement else None,
        choice_refund_amount=choice_refund,
    )


@pytest.mark.parametrize(
    ("amount", "currency", "supplement", "choice_refund", "expected"),
    [
        pytest.param(45_000, "EUR", None, None, 9_000, id="twenty-percent-of-the-price"),
        pytest.param(45_003, "EUR", None, None, 9_001, id="half-up-to-the-cent"),
        pytest.param(45_002, "EUR", None, None, 9_000, id="down-below-the-half"),
        pytest.param(12_345, "JPY", None, None, 2_469, id="a-zero-decimal-currency"),
        pytest.param(45_000, "EUR", 5_000, None, 10_000, id="with-a-paid-supplement-for-a-dearer-specialist"),
        pytest.param(45_000, "EUR", None, 5_000, 8_000, id="less-the-refund-for-a-cheaper-specialist"),
        pytest.param(123_455, "KWD", None, None, 24_690, id="a-three-decimal-currency-in-steps-of-ten"),
    ],
)
def test_the_breach_refund_is_a_share_of_what_was_paid_rounded_half_up(
    amount, currency, supplement, choice_refund, expected
):
    refund = case_breach_refund_amount(
        case=_in_memory_case(amount, currency, supplement=supplement, choice_refund=choice_refund)
    )

    assert refund is not None
    assert (refund.amount, refund.currency) == (expected, currency)


def test_an_unpaid_case_past_its_deadline_is_alerted_but_has_nothing_to_refund(
    patient, cardiology, coordinator, martin, run
):
    case = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)

    assert run(case_deadline_alerts, now=DUE).refunded == 0

    with pytest.raises(Conflict) as refused:
        case_breach_refund(case=case, now=DUE)
    assert refused.value.code == "not_paid"


# --- the specialist's acceptance window ------------------------------------------------------------


def test_a_specialist_who_does_not_answer_in_time_is_taken_as_declining(
    patient, cardiology, coordinator, martin, yilmaz, run
):
    chosen = STARTED + dt.timedelta(hours=5)
    accept_due = chosen + dt.timedelta(hours=24)  # Tuesday 15:00, 24 working hours later
    case = case_at(
        patient,
        cardiology,
        STARTED,
        status=CaseStatus.SPECIALIST_CHOSEN,
        coordinator=coordinator,
        specialist=martin,
        chosen_at=chosen,
        accept_due_at=accept_due,
    )
    for specialist in (martin, yilmaz):
        Candidate.objects.create(case=case, specialist=specialist, proposed_by=coordinator, proposed_at=STARTED)

    assert run(case_accept_timeouts, now=accept_due - MINUTE) == 0
    assert run(case_accept_timeouts, now=accept_due) == 1
    assert run(case_accept_timeouts, now=accept_due + MINUTE) == 0

    case.refresh_from_db()
    assert case.status == CaseStatus.DECLINED_BY_SPECIALIST
    assert (case.specialist, case.accept_due_at) == (None, None)
    assert case.due_at is None  # the clock waits for the patient's choice
    [pause] = case.pauses.all()
    assert (pause.reason, pause.started_at, pause.ended_at) == ("choice", accept_due, None)
    declined = Candidate.objects.get(case=case, specialist=martin)
    assert declined.declined_at == accept_due
    assert declined.decline_reason == "no answer within 24 working hours"
    assert Candidate.objects.get(case=case, specialist=yilmaz).declined_at is None
    event = AuditEvent.objects.get(action="secondopinion.case.accept_timed_out")
    assert event.after["reason"] == "no answer within 24 working hours"
    [to_patient] = sent("opinion_choose_again")
    assert to_patient.recipient == patient
    assert to_patient.subject == f"Your second-opinion request #{case.pk}: please choose another specialist"
    assert "Dr Claire Martin" in to_patient.body
    [to_coordinator] = sent("opinion_accept_timed_out")
    assert to_coordinator.recipient == coordinator


def test_an_accepted_case_does_not_time_out(patient, cardiology, coordinator, martin, run):
    case = case_at(
        patient,
        cardiology,
        STARTED,
        coordinator=coordinator,
        specialist=martin,
        accept_due_at=STARTED + dt.timedelta(hours=24),
        accepted_at=STARTED + dt.timedelta(hours=3),
    )

    assert run(case_accept_timeouts, now=STARTED + dt.timedelta(days=2)) == 0
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


# --- the follow-up window ---------------------------------------------------------------------------


def test_the_follow_up_window_closes_thirty_days_after_the_opinion(patient, cardiology, coordinator, martin, run):
    delivered_at = DUE - dt.timedelta(days=1)
    fields = {"coordinator": coordinator, "specialist": martin, "delivered_at": delivered_at}
    ended = case_at(patient, cardiology, STARTED, status=CaseStatus.OPINION_DELIVERED, **fields)
    answered = case_at(patient, cardiology, STARTED, status=CaseStatus.OPINION_DELIVERED, **fields)
    waiting = case_at(patient, cardiology, STARTED, status=CaseStatus.FOLLOW_UP, **fields)
    FollowUp.objects.create(case=answered, question="?", asked_at=DUE, answer="!", answered_at=DUE)
    FollowUp.objects.create(case=waiting, question="?", asked_at=DUE)
    thirty_days_on = delivered_at + dt.timedelta(days=30)

    assert run(case_follow_up_windows_close, now=thirty_days_on - MINUTE) == 0
    assert run(case_follow_up_windows_close, now=thirty_days_on) == 2
    assert run(case_follow_up_windows_close, now=thirty_days_on + MINUTE) == 0

    for case, status in ((ended, CaseStatus.CLOSED), (answered, CaseStatus.CLOSED), (waiting, CaseStatus.FOLLOW_UP)):
        case.refresh_from_db()
        assert case.status == status
    assert ended.closed_at == thirty_days_on


# --- the task -----------------------------------------------------------------------------------------


def test_the_deadlines_task_runs_every_five_minutes_and_does_each_thing_once(
    patient, cardiology, coordinator, martin, django_capture_on_commit_callbacks
):
    now = timezone.now()
    case_at(patient, cardiology, now - dt.timedelta(days=10), coordinator=coordinator, specialist=martin)

    with django_capture_on_commit_callbacks(execute=True):
        first = run_deadlines.delay().get()
        second = run_deadlines.delay().get()

    assert first["alerted_due"] == 1
    assert second == dict.fromkeys(first, 0)
    entry = settings.CELERY_BEAT_SCHEDULE["second-opinion-deadlines"]
    assert entry["task"] == "secondopinion.tasks.run_deadlines"
    assert entry["schedule"] == dt.timedelta(minutes=5)


# --- the clock as pages show it -------------------------------------------------------------------------


def test_the_clock_explains_the_deadline_in_paris_time(patient, cardiology, coordinator):
    friday = dt.datetime(2026, 12, 4, 16, 0, tzinfo=PARIS)
    case = case_at(patient, cardiology, friday, status=CaseStatus.UNDER_TRIAGE, coordinator=coordinator)

    with translation.override("en"):
        view = case_clock_view(case=case, now=dt.datetime(2026, 12, 7, 16, 0, tzinfo=PARIS))

    assert view.state == "running"
    assert view.running
    assert view.due_at == dt.datetime(2026, 12, 10, 15, 0, tzinfo=dt.UTC)
    assert (view.timezone, view.timezone_city) == ("Europe/Paris", "Paris")
    assert view.due_text == "Thursday, 10 December 2026, 16:00 (Paris time)"
    assert view.explanation == (
        "Due by Thursday, 10 December 2026, 16:00 (Paris time): 96 working hours — four working days, "
        "Monday to Friday without public holidays in France — counted from your payment. "
        "The clock stops while we wait for you."
    )
    assert (view.hours_left, view.percent_used) == (72, 25)
    assert view.note == ""


def test_the_clock_of_a_specialist_in_istanbul_counts_turkish_holidays_in_istanbul_time(
    patient, cardiology, coordinator, yilmaz
):
    friday = dt.datetime(2027, 3, 5, 10, 0, tzinfo=ISTANBUL)
    case = case_at(patient, cardiology, friday, coordinator=coordinator, specialist=yilmaz)

    with translation.override("en"):
        view = case_clock_view(
            case=case, now=dt.datetime(2027, 3, 8, 10, 0, tzinfo=ISTANBUL), viewer_timezone="Europe/Paris"
        )

    assert view.explanation == (
        "Due by Tuesday, 16 March 2027, 10:00 (Istanbul time): 96 working hours — four working days, "
        "Monday to Friday without public holidays in Türkiye — counted from your payment. "
        "The clock stops while we wait for you."
    )
    assert view.viewer_due_at == dt.datetime(2027, 3, 16, 8, 0, tzinfo=PARIS)
    assert view.local_due_at.utcoffset() == dt.timedelta(hours=3)


def test_a_paused_clock_says_what_it_waits_for(patient, cardiology, coordinator):
    case = case_at(
        patient,
        cardiology,
        STARTED,
        status=CaseStatus.AWAITING_DOCUMENTS,
        coordinator=coordinator,
        pauses=[(STARTED + dt.timedelta(hours=14), None, "documents")],
    )

    with translation.override("en"):
        view = case_clock_view(case=case, now=DUE)

    assert view.state == "paused"
    assert view.due_at is None
    assert view.note == "The clock is stopped while we wait for your documents."
    assert view.hours_left == 96 - 14
    assert "82 working hours are left" in view.explanation


def test_a_late_clock_says_what_was_refunded(patient, cardiology, coordinator, martin):
    case = case_at(patient, cardiology, STARTED, coordinator=coordinator, specialist=martin)
    OpinionCase.objects.filter(pk=case.pk).update(breached_at=DUE, breach_refund_amount=9_000)
    case.refresh_from_db()

    with translation.override("en"):
        view = case_clock_view(case=case, now=DUE + dt.timedelta(hours=1))

    assert view.late
    assert (view.hours_left, view.percent_used) == (0, 100)
    assert view.note == "Late: 20 % of the price has been refunded to your card."


def test_the_clock_include_shows_the_deadline_the_bar_and_the_sentence(patient, cardiology, coordinator):
    case = case_at(patient, cardiology, STARTED, status=CaseStatus.UNDER_TRIAGE, coordinator=coordinator)
    with translation.override("en"), timezone.override(ZoneInfo("Asia/Tokyo")):
        view = case_clock_view(case=case, now=THREE_QUARTERS)
        html = render_to_string("secondopinion/_clock.html", {"clock": view})

    # The viewer (in Tokyo) reads the deadline in their own time: 09:00 UTC is 18:00 in Tokyo.
    assert '<time datetime="2026-12-11T09:00:00+00:00">Friday, 11 December 2026, 18:00 (Tokyo time)</time>' in html
    assert '<progress value="75" max="100"' in html
    assert "24 working hours left" in html
    assert view.explanation in html.replace("&#x27;", "'")
    assert "js/localtime.js" not in html  # one way to show time: the server's, in the viewer's timezone


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_workers_at_the_deadline_alert_and_refund_once(
    stripe_emulator,
    patient,
    cardiology,
    coordinator,
    martin,
):
    require_postgresql()
    order = paid_order(stripe_emulator, patient, STARTED - MINUTE)
    case = case_at(patient, cardiology, STARTED, order=order, coordinator=coordinator, specialist=martin)

    results = run_at_once([lambda: case_deadline_alerts(now=DUE)] * 4)

    assert not [r for r in results if isinstance(r, str)], results
    assert sum(r.alerted_due for r in results) == 1
    assert sum(r.refunded for r in results) == 1
    case.refresh_from_db()
    refunds = stripe_emulator.get(f"/v1/refunds?payment_intent={order.payment_intent_id}")["data"]
    assert [r["id"] for r in refunds] == [case.breach_refund_id]
    assert LedgerTransaction.objects.filter(kind="addon_refund").count() == 1
    assert Message.objects.filter(event="opinion_deadline_due").count() == 1
    assert Message.objects.filter(event="opinion_breach_refunded").count() == 1


def test_the_clock_tag_shows_a_case_s_clock_now(patient, cardiology, coordinator):
    case = case_at(patient, cardiology, timezone.now(), status=CaseStatus.UNDER_TRIAGE, coordinator=coordinator)

    html = Template("{% load opinion_clock %}{% opinion_clock case %}").render(Context({"case": case}))

    assert "<progress" in html
    assert case_clock_view(case=case, now=timezone.now()).due_at_iso in html


def test_a_french_patient_is_asked_in_french_to_choose_again(cardiology, coordinator, martin, run):
    patient = PatientFactory(email="amelie@example.test", profile__preferred_language="fr")
    case = case_at(
        patient,
        cardiology,
        STARTED,
        status=CaseStatus.SPECIALIST_CHOSEN,
        coordinator=coordinator,
        specialist=martin,
        accept_due_at=STARTED + dt.timedelta(hours=24),
    )

    run(case_accept_timeouts, now=STARTED + dt.timedelta(hours=24))

    [message] = sent("opinion_choose_again")
    assert message.language == "fr"
    assert message.subject == f"Votre demande de second avis n° {case.pk} : choisissez un autre spécialiste"
    assert "Dr Claire Martin n’a pas répondu" in message.body
