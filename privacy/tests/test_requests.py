"""Data-rights requests: once per kind, the legal month, forwarding to providers and their
answers, the careteam's extension and answers, the case board."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import sign_in
from core.audit import AuditEvent
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from notifications.models import Message
from privacy.cases import case_items
from privacy.models import DataRequest, ForwardOutcome, ProviderForward, RequestKind, RequestStatus
from privacy.services.requests import (
    add_months,
    forward_answer,
    request_complete,
    request_extend,
    request_open,
    request_refuse,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 1, 31, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.datetime(2027, 1, 31, 10, tzinfo=dt.UTC), 1, dt.datetime(2027, 2, 28, 10, tzinfo=dt.UTC)),
        (dt.datetime(2028, 1, 31, 10, tzinfo=dt.UTC), 1, dt.datetime(2028, 2, 29, 10, tzinfo=dt.UTC)),
        (dt.datetime(2027, 12, 15, 8, tzinfo=dt.UTC), 1, dt.datetime(2028, 1, 15, 8, tzinfo=dt.UTC)),
        (dt.datetime(2027, 8, 31, 0, tzinfo=dt.UTC), 1, dt.datetime(2027, 9, 30, 0, tzinfo=dt.UTC)),
        (dt.datetime(2027, 3, 31, 0, tzinfo=dt.UTC), 2, dt.datetime(2027, 5, 31, 0, tzinfo=dt.UTC)),
        (dt.datetime(2027, 11, 30, 0, tzinfo=dt.UTC), 3, dt.datetime(2028, 2, 29, 0, tzinfo=dt.UTC)),
    ],
)
def test_a_calendar_month_clamps_the_day_to_the_months_last(start, months, expected):
    assert add_months(start, months) == expected


def test_asking_twice_shows_the_same_request_due_one_month_later(patient):
    first = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW)
    again = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW + dt.timedelta(days=1))

    assert again.pk == first.pk
    assert DataRequest.objects.filter(user=patient).count() == 1
    assert first.due_at == dt.datetime(2027, 2, 28, 10, 0, tzinfo=dt.UTC)
    assert first.status == RequestStatus.RECEIVED
    # another kind is another request
    other = request_open(user=patient, kind=RequestKind.OBJECTION, details="No marketing please", now=NOW)
    assert other.pk != first.pk
    [event] = AuditEvent.objects.filter(action="privacy.request.opened", target_id=str(first.pk))
    assert event.after == {"kind": "export"}  # ids and the kind only
    assert event.actor_id == patient.pk


def test_a_closed_request_lets_the_person_ask_again(patient, careteam):
    first = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW)
    request_complete(request=first, actor=careteam, answer="Sent.", now=NOW)
    second = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW)
    assert second.pk != first.pk


def test_a_correction_or_an_objection_needs_its_text(patient):
    with pytest.raises(ValidationFailed) as refused:
        request_open(user=patient, kind=RequestKind.RECTIFICATION, details="  ", now=NOW)
    assert "details" in refused.value.details
    with pytest.raises(ValidationFailed):
        request_open(user=patient, kind="nonsense", now=NOW)
    assert not DataRequest.objects.exists()


def test_a_correction_is_forwarded_to_each_provider_concerned_whose_members_are_told(
    patient, clinic, clinic_admin, rival, rival_member, fake_declaration, commit
):
    fake_declaration["providers"] = [clinic.pk, rival.pk, clinic.pk]

    request = commit(
        lambda: request_open(user=patient, kind=RequestKind.RECTIFICATION, details="My surname is Durand", now=NOW)
    )

    forwards = list(request.forwards.order_by("provider_id"))
    assert [f.provider_id for f in forwards] == sorted([clinic.pk, rival.pk])
    assert all(f.sent_at == NOW and f.answered_at is None for f in forwards)
    messages = Message.objects.filter(event="privacy_request_forwarded")
    assert {m.recipient_id for m in messages} == {clinic_admin.pk, rival_member.pk}
    for message in messages:
        assert patient.email not in message.body
        assert patient.email not in message.subject
        assert "Durand" not in message.body  # the person's words stay on the provider's page


def test_a_copy_is_not_forwarded(patient, clinic, fake_declaration, commit):
    fake_declaration["providers"] = [clinic.pk]
    request = commit(lambda: request_open(user=patient, kind=RequestKind.EXPORT, now=NOW))
    assert not request.forwards.exists()


def test_a_provider_member_records_the_answer_once_and_only_for_their_provider(
    patient, clinic, clinic_admin, rival, rival_member, fake_declaration
):
    fake_declaration["providers"] = [clinic.pk]
    request = request_open(user=patient, kind=RequestKind.ERASURE, now=NOW)
    forward = request.forwards.get()

    with pytest.raises(NotFound):
        forward_answer(forward=forward, actor=rival_member, outcome=ForwardOutcome.DONE, answer="", now=NOW)
    with pytest.raises(NotFound):
        forward_answer(forward=forward, actor=patient, outcome=ForwardOutcome.DONE, answer="", now=NOW)
    with pytest.raises(ValidationFailed):
        forward_answer(forward=forward, actor=clinic_admin, outcome=ForwardOutcome.KEPT_BY_LAW, answer="", now=NOW)
    forward.refresh_from_db()
    assert forward.answered_at is None

    answered = forward_answer(
        forward=forward, actor=clinic_admin, outcome=ForwardOutcome.KEPT_BY_LAW, answer="Records: 20 years", now=NOW
    )
    assert answered.outcome == ForwardOutcome.KEPT_BY_LAW
    assert answered.answered_by == clinic_admin
    with pytest.raises(Conflict):
        forward_answer(forward=forward, actor=clinic_admin, outcome=ForwardOutcome.DONE, answer="", now=NOW)
    [event] = AuditEvent.objects.filter(action="privacy.forward.answered")
    assert "Records" not in str(event.after)


def test_the_careteam_extends_once_by_two_months_with_a_reason_the_person_hears(patient, careteam, commit):
    request = request_open(user=patient, kind=RequestKind.OBJECTION, details="Stop profiling", now=NOW)

    with pytest.raises(Forbidden):
        request_extend(request=request, actor=patient, reason="Busy", now=NOW)
    with pytest.raises(ValidationFailed):
        request_extend(request=request, actor=careteam, reason=" ", now=NOW)
    extended = commit(lambda: request_extend(request=request, actor=careteam, reason="Many providers", now=NOW))

    assert extended.due_at == dt.datetime(2027, 4, 28, 10, 0, tzinfo=dt.UTC)
    assert extended.extension_reason == "Many providers"
    with pytest.raises(Conflict):
        request_extend(request=extended, actor=careteam, reason="Again", now=NOW)
    [told] = Message.objects.filter(event="privacy_request_extended", recipient=patient)
    assert "Many providers" in told.body


def test_the_careteam_completes_or_refuses_and_a_closed_request_stays_closed(patient, other_patient, careteam, commit):
    done = request_open(user=patient, kind=RequestKind.OBJECTION, details="No newsletters", now=NOW)
    refused = request_open(user=other_patient, kind=RequestKind.RECTIFICATION, details="Wrong", now=NOW)

    with pytest.raises(ValidationFailed):
        request_complete(request=done, actor=careteam, answer="", now=NOW)
    commit(lambda: request_complete(request=done, actor=careteam, answer="Unsubscribed.", now=NOW))
    commit(lambda: request_refuse(request=refused, actor=careteam, reason="Nothing wrong found.", now=NOW))

    done.refresh_from_db()
    refused.refresh_from_db()
    assert (done.status, done.answer, done.completed_at, done.handled_by) == (
        RequestStatus.DONE,
        "Unsubscribed.",
        NOW,
        careteam,
    )
    assert refused.status == RequestStatus.REFUSED
    with pytest.raises(Conflict):
        request_refuse(request=done, actor=careteam, reason="No", now=NOW)
    assert Message.objects.filter(event="privacy_request_answered").count() == 2


def test_each_open_request_is_on_the_case_board_by_its_due_date_without_names(
    patient, careteam, clinic, fake_declaration
):
    fake_declaration["providers"] = [clinic.pk]
    waiting = request_open(user=patient, kind=RequestKind.RECTIFICATION, details="Fix my name", now=NOW)
    new = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW)
    closed = request_open(user=patient, kind=RequestKind.OBJECTION, details="x", now=NOW)
    request_complete(request=closed, actor=careteam, answer="ok", now=NOW)

    items = {item.key: item for item in case_items(now=NOW)}

    assert set(items) == {f"privacy.request:{waiting.pk}", f"privacy.request:{new.pk}"}
    item = items[f"privacy.request:{waiting.pk}"]
    assert item.queue == "data_request"
    assert item.due_at == waiting.due_at
    assert item.stage == "waiting"
    assert items[f"privacy.request:{new.pk}"].stage == "new"
    assert item.url == f"/privacy/careteam/{waiting.pk}/"
    assert patient.email not in item.title
    assert "name" not in item.title.lower()


def test_the_board_page_shows_the_request_with_its_due_date(client, patient, careteam):
    request = request_open(user=patient, kind=RequestKind.EXPORT, now=NOW)
    sign_in(client, careteam)

    page = client.get(reverse("careteam:board"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f"request #{request.pk}" in text
    assert "Data-rights request" in text
    case = client.get(f"/privacy/careteam/{request.pk}/")
    assert case.status_code == 200
    assert "28 Feb" in case.content.decode() or "February 28" in case.content.decode()


def test_forwarding_once_per_provider_is_guarded_by_the_database(patient, clinic, fake_declaration):
    fake_declaration["providers"] = [clinic.pk]
    request = request_open(user=patient, kind=RequestKind.OBJECTION, details="x", now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProviderForward.objects.create(request=request, provider=clinic, sent_at=NOW)
