"""Threads and messages through the services: who takes part, notices, replies, notifications, the board."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import NotFound, ValidationFailed
from core.models import AuditEvent
from documents.models import MedicalDocument
from messaging import services
from messaging.cases import case_items
from messaging.models import Message, Notice, SubjectKind
from messaging.participants import subject_of, takes_part
from messaging.tests.conftest import NIGHT, OFFICE
from messaging.tests.support import send, thread_of
from notifications.models import Message as Notification

pytestmark = pytest.mark.django_db


def test_the_first_message_of_a_thread_gets_the_emergency_notice(booking, patient, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    rows = list(Message.objects.filter(thread=thread).order_by("pk"))
    assert [(m.author_id, m.notice) for m in rows] == [(patient.pk, ""), (None, Notice.FIRST)]


def test_a_patient_message_outside_office_hours_gets_the_notice_again(booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    send(thread, clinic_admin, "We will call you.", now=OFFICE + dt.timedelta(minutes=5))
    send(thread, patient, "Thank you.", now=NIGHT)
    notices = list(Message.objects.filter(thread=thread).exclude(notice="").values_list("notice", flat=True))
    assert notices == [Notice.FIRST, Notice.OUTSIDE_HOURS]


def test_a_provider_message_outside_office_hours_gets_no_notice(booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    send(thread, clinic_admin, "Late answer.", now=NIGHT)
    assert Message.objects.filter(thread=thread).exclude(notice="").count() == 1


def test_the_office_hours_are_the_provider_s_own(booking, patient, opted_in):
    opted_in.timezone = "Asia/Bangkok"  # 22:00 in Paris is 04:00 in Bangkok: closed; 09:00 UTC is 16:00: open
    opted_in.save()
    subject = subject_of(kind=SubjectKind.BOOKING, subject_id=booking.pk)
    hours = services.office_hours_of(subject)
    assert services.in_office_hours(hours=hours, at=OFFICE)
    assert not services.in_office_hours(hours=hours, at=NIGHT)


def test_a_provider_that_did_not_opt_in_is_not_in_the_thread_but_the_careteam_is(
    booking, patient, clinic_admin, careteam
):
    subject = subject_of(kind=SubjectKind.BOOKING, subject_id=booking.pk)
    assert subject.provider_declined
    assert takes_part(subject=subject, user=patient)
    assert takes_part(subject=subject, user=careteam)
    assert not takes_part(subject=subject, user=clinic_admin)
    thread = thread_of(booking, now=OFFICE)
    with pytest.raises(NotFound):
        send(thread, clinic_admin, now=OFFICE)
    send(thread, careteam, "The careteam answers.", now=OFFICE)
    assert Message.objects.filter(thread=thread, author=careteam).exists()


def test_an_opted_in_provider_s_members_take_part(booking, clinic_admin, opted_in):
    subject = subject_of(kind=SubjectKind.BOOKING, subject_id=booking.pk)
    assert not subject.provider_declined
    assert takes_part(subject=subject, user=clinic_admin)


def test_someone_outside_the_thread_cannot_write_and_nothing_is_written(
    booking, patient, other_patient, rival_member, finance, opted_in
):
    thread = thread_of(booking, now=OFFICE)
    for stranger in (other_patient, rival_member, finance):
        with pytest.raises(NotFound):
            send(thread, stranger, now=OFFICE)
    assert not Message.objects.filter(thread=thread).exists()


def test_an_empty_message_is_refused_with_a_clear_message(booking, patient, opted_in):
    thread = thread_of(booking, now=OFFICE)
    with pytest.raises(ValidationFailed) as refused:
        send(thread, patient, "   \n ", now=OFFICE)
    assert refused.value.code == "empty_body"
    assert "Write your message" in refused.value.message
    assert not Message.objects.filter(thread=thread).exists()


def test_a_new_message_notifies_the_others_with_a_link_and_without_its_words(
    booking, patient, clinic_admin, opted_in, django_capture_on_commit_callbacks
):
    thread = thread_of(booking, now=OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        send(thread, patient, "My biopsy results are worrying", now=OFFICE)
    sent = list(Notification.objects.filter(event="message_new"))
    assert {n.recipient_id for n in sent} == {clinic_admin.pk}
    for notification in sent:
        assert "biopsy" not in notification.subject + notification.body + notification.html
        assert f"/messages/{thread.pk}/" in notification.body


def test_the_author_is_not_told_of_their_own_message(
    booking, patient, clinic_admin, opted_in, django_capture_on_commit_callbacks
):
    thread = thread_of(booking, now=OFFICE)
    with django_capture_on_commit_callbacks(execute=True):
        send(thread, clinic_admin, "Welcome", now=OFFICE)
    assert set(Notification.objects.filter(event="message_new").values_list("recipient_id", flat=True)) == {patient.pk}


def test_a_patient_message_unanswered_for_48_hours_comes_onto_the_case_board(booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    send(thread, patient, "Anyone?", now=OFFICE + dt.timedelta(hours=1))
    assert case_items(now=OFFICE + dt.timedelta(hours=47)) == []
    items = case_items(now=OFFICE + dt.timedelta(hours=48))
    assert [item.key for item in items] == [f"messaging.thread:{thread.pk}"]
    assert items[0].due_at == OFFICE + dt.timedelta(hours=48)  # counted from the first unanswered message
    send(thread, clinic_admin, "Sorry for the wait.", now=OFFICE + dt.timedelta(hours=50))
    assert case_items(now=OFFICE + dt.timedelta(hours=60)) == []


def test_one_thread_per_subject(booking, patient, opted_in):
    first = thread_of(booking, now=OFFICE)
    again = thread_of(booking, now=OFFICE + dt.timedelta(hours=1))
    assert first.pk == again.pk


def test_sending_is_audited_without_the_words(booking, patient, opted_in):
    thread = thread_of(booking, now=OFFICE)
    message = send(thread, patient, "Secret words", now=OFFICE)
    event = AuditEvent.objects.get(action="messaging.message.sent", target_id=str(message.pk))
    assert event.after["thread"] == thread.pk
    assert "Secret" not in str(event.after)


def test_a_refused_attachment_stores_nothing(booking, patient, opted_in, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    thread = thread_of(booking, now=OFFICE)
    with pytest.raises(ValidationFailed) as refused:
        send(thread, patient, now=OFFICE, attachment=SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 100))
    assert refused.value.code == "unsupported_type"
    assert not Message.objects.exists()
    assert not MedicalDocument.objects.exists()


def test_a_provider_admin_sets_offerings_and_hours_and_bad_hours_are_refused(clinic, clinic_admin, offering):
    with pytest.raises(ValidationFailed) as refused:
        services.provider_messaging_update(
            provider=clinic,
            actor=clinic_admin,
            offering_ids=[offering.pk],
            quote_requests=False,
            timezone="Europe/Paris",
            weekdays=[0],
            opens_at=dt.time(18),
            closes_at=dt.time(9),
            now=OFFICE,
        )
    assert "closes_at" in refused.value.details
    saved = services.provider_messaging_update(
        provider=clinic,
        actor=clinic_admin,
        offering_ids=[offering.pk],
        quote_requests=True,
        timezone="Europe/Paris",
        weekdays=[0, 2],
        opens_at=dt.time(8),
        closes_at=dt.time(12),
        now=OFFICE,
    )
    assert saved.offering_ids == [offering.pk]
    assert saved.weekdays == [0, 2]


def test_another_provider_s_offering_cannot_be_opted_in(clinic, clinic_admin, rival):
    from providers.tests.factories import OfferingFactory

    theirs = OfferingFactory(provider=rival)
    with pytest.raises(ValidationFailed):
        services.provider_messaging_update(
            provider=clinic,
            actor=clinic_admin,
            offering_ids=[theirs.pk],
            quote_requests=False,
            timezone="Europe/Paris",
            weekdays=[0],
            opens_at=dt.time(9),
            closes_at=dt.time(17),
            now=OFFICE,
        )


def test_only_the_provider_s_administrators_set_its_messaging(clinic, clinic_member, rival_member):
    assert not services.provider_messaging_update_check(provider=clinic, actor=clinic_member).allowed
    assert not services.provider_messaging_update_check(provider=clinic, actor=rival_member).allowed
