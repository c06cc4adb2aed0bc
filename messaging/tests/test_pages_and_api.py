"""The pages and the API: writing, reading, attachments, read receipts, and what strangers get."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import sign_in
from core.models import AuditEvent
from documents.models import MedicalDocument
from messaging.models import Message, Thread, ThreadRead
from messaging.tests.conftest import OFFICE
from messaging.tests.support import pdf_upload, send, thread_of

pytestmark = pytest.mark.django_db


def _subject_url(booking) -> str:
    return reverse("messaging:subject", args=["booking", booking.pk])


def test_a_patient_opens_the_thread_from_the_booking_page_with_a_plain_form(client, booking, patient, opted_in):
    client.force_login(patient)
    page = client.get(reverse("bookings:detail", args=[booking.pk]))
    assert _subject_url(booking) in page.content.decode()
    response = client.post(_subject_url(booking), {"body": "Can I bring my own scans?"})
    thread = Thread.objects.get(kind="booking", subject_id=booking.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("messaging:thread", args=[thread.pk])
    shown = client.get(response["Location"]).content.decode()
    assert "Can I bring my own scans?" in shown
    assert "not for emergencies" in shown


def test_the_provider_answers_with_htmx_and_gets_the_conversation_back(
    client, booking, patient, clinic_admin, opted_in
):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    client.force_login(clinic_admin)
    response = client.post(
        reverse("messaging:thread", args=[thread.pk]), {"body": "Yes, please do."}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Yes, please do." in body
    assert "<html" not in body
    assert Message.objects.filter(thread=thread, author=clinic_admin).count() == 1


def test_the_polled_list_shows_new_messages_and_marks_them_read(client, booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, clinic_admin, "Your room is ready.", now=OFFICE)
    client.force_login(patient)
    inbox = client.get(reverse("messaging:inbox")).content.decode()
    assert f'data-testid="unread-{thread.pk}"' in inbox
    polled = client.get(reverse("messaging:messages", args=[thread.pk]))
    assert "Your room is ready." in polled.content.decode()
    assert ThreadRead.objects.filter(thread=thread, user=patient).exists()
    assert f'data-testid="unread-{thread.pk}"' not in client.get(reverse("messaging:inbox")).content.decode()


def test_an_empty_message_is_answered_on_the_form_and_nothing_is_written(client, booking, patient, opted_in):
    client.force_login(patient)
    response = client.post(_subject_url(booking), {"body": "  "})
    assert response.status_code == 400
    assert "Write your message before sending it." in response.content.decode()
    assert not Thread.objects.exists()
    assert not Message.objects.exists()


def test_a_fifty_megabyte_attachment_is_refused_with_a_clear_message(client, booking, patient, opted_in):
    client.force_login(patient)
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (50 * 1024 * 1024), content_type="application/pdf")
    response = client.post(_subject_url(booking), {"body": "My MRI", "attachment": big})
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not Message.objects.exists()
    assert not MedicalDocument.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_in_the_api(api_as, booking, patient, opted_in):
    thread = thread_of(booking, now=OFFICE)
    client = api_as(patient)
    response = client.post(
        reverse("messaging-api:messages", args=[thread.pk]),
        {"body": "see file", "attachment": SimpleUploadedFile("run.pdf", b"MZ\x90\x00" * 64)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unsupported_type"
    assert not Message.objects.exists()


def test_an_attachment_is_read_by_the_thread_s_participants_only_and_every_read_is_audited(
    client, booking, patient, clinic_admin, other_patient, rival_member, opted_in
):
    thread = thread_of(booking, now=OFFICE)
    message = send(thread, patient, "My scan", now=timezone.now(), attachment=pdf_upload())
    document = message.attachments.get().document
    url = reverse("messaging:attachment", args=[thread.pk, document.pk])
    sign_in(client, clinic_admin)  # a fresh sign-in: documents ask for a recent one
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    read = AuditEvent.objects.get(action="documents.document.read", target_id=str(document.pk))
    assert read.after == {"as": "thread_participant", "thread": thread.pk}
    for stranger in (other_patient, rival_member):
        sign_in(client, stranger)
        assert client.get(url).status_code == 404
    # The document's own download, too: the grant is the thread, nothing else.
    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404


def test_strangers_get_404_on_pages_and_api_for_reading_and_writing(
    client, api_as, booking, patient, other_patient, rival_member, opted_in
):
    thread = thread_of(booking, now=OFFICE)
    send(thread, patient, now=OFFICE)
    for stranger in (other_patient, rival_member):
        client.force_login(stranger)
        assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
        assert client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "hi"}).status_code == 404
        assert client.post(_subject_url(booking), {"body": "hi"}).status_code == 404
        api = api_as(stranger)
        response = api.post(reverse("messaging-api:messages", args=[thread.pk]), {"body": "hi"}, format="json")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert api.get(reverse("messaging-api:thread", args=[thread.pk])).status_code == 404
        assert thread.pk not in [t["id"] for t in api.get(reverse("messaging-api:threads")).json()]
    assert Message.objects.filter(thread=thread).exclude(author=patient).exclude(author=None).count() == 0


def test_the_api_sends_once_per_idempotency_key_and_lists_the_messages(api_as, booking, patient, opted_in):
    client = api_as(patient)
    opened = client.post(
        reverse("messaging-api:threads"), {"about": "booking", "subject_id": booking.pk}, format="json"
    )
    assert opened.status_code == 201
    thread_id = opened.json()["id"]
    url = reverse("messaging-api:messages", args=[thread_id])
    for _ in range(2):
        sent = client.post(url, {"body": "Hello"}, format="json", HTTP_IDEMPOTENCY_KEY="msg-1")
        assert sent.status_code == 201
    assert Message.objects.filter(thread_id=thread_id, author=patient).count() == 1
    listed = client.get(url).json()
    assert [m["body"] for m in listed if not m["notice"]] == ["Hello"]
    assert any("112" in m["notice_text"] for m in listed)
    again = client.post(reverse("messaging-api:threads"), {"about": "booking", "subject_id": booking.pk}, format="json")
    assert again.status_code == 200
    assert again.json()["id"] == thread_id


def test_an_empty_body_is_a_400_in_the_api(api_as, booking, patient, opted_in):
    thread = thread_of(booking, now=OFFICE)
    response = api_as(patient).post(reverse("messaging-api:messages", args=[thread.pk]), {"body": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_body"


def test_marking_read_through_the_api_clears_the_unread_count(api_as, booking, patient, clinic_admin, opted_in):
    thread = thread_of(booking, now=OFFICE)
    send(thread, clinic_admin, "Hello", now=OFFICE)
    client = api_as(patient)
    assert client.get(reverse("messaging-api:threads")).json()[0]["unread"] == 1
    assert client.post(reverse("messaging-api:read", args=[thread.pk])).status_code == 200
    assert client.get(reverse("messaging-api:threads")).json()[0]["unread"] == 0


def test_a_thread_with_a_provider_not_opted_in_says_so(client, booking, patient):
    client.force_login(patient)
    page = client.get(_subject_url(booking)).content.decode()
    assert 'data-testid="provider-declined"' in page


def test_the_provider_settings_page_saves_and_refuses_bad_hours(client, clinic, clinic_admin, offering, rival_member):
    url = reverse("messaging:provider_settings", args=[clinic.pk])
    client.force_login(clinic_admin)
    bad = client.post(
        url,
        {
            "offerings": [offering.pk],
            "timezone": "Europe/Paris",
            "weekdays": [0],
            "opens_at": "18:00",
            "closes_at": "09:00",
        },
    )
    assert bad.status_code == 400
    assert "close after it opens" in bad.content.decode()
    good = client.post(
        url,
        {
            "offerings": [offering.pk],
            "timezone": "Europe/Paris",
            "weekdays": [0, 1],
            "opens_at": "09:00",
            "closes_at": "17:00",
        },
    )
    assert good.status_code == 302
    assert clinic.messaging.offering_ids == [offering.pk]
    client.force_login(rival_member)
    assert client.get(url).status_code == 404


def test_the_quote_request_page_links_to_one_conversation_per_provider(client, patient, clinic, clinic_admin, opted_in):
    from messaging.tests.test_subjects_and_personal_data import _request_to

    request = _request_to(patient, clinic)
    client.force_login(patient)
    page = client.get(reverse("quotes:request_detail", args=[request.pk])).content.decode()
    recipient = request.recipients.get()
    assert reverse("messaging:subject", args=["quote", recipient.pk]) in page
    client.force_login(clinic_admin)
    page = client.get(reverse("quotes:inbox_detail", args=[recipient.pk])).content.decode()
    assert reverse("messaging:subject", args=["quote", recipient.pk]) in page


def test_the_provider_dashboard_counts_conversations_with_unread_messages(
    booking, patient, clinic, clinic_admin, opted_in
):
    from messaging.dashboard import dashboard_counts

    assert dashboard_counts(provider_id=clinic.pk, viewer_id=clinic_admin.pk, now=OFFICE)[0]["count"] == 0
    send(thread_of(booking, now=OFFICE), patient, now=OFFICE)
    assert dashboard_counts(provider_id=clinic.pk, viewer_id=clinic_admin.pk, now=OFFICE)[0]["count"] == 1


def test_the_inbox_links_a_provider_administrator_to_the_messaging_settings(client, clinic, clinic_admin, patient):
    client.force_login(clinic_admin)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert reverse("messaging:provider_settings", args=[clinic.pk]) in page
    client.force_login(patient)
    assert "/settings/" not in client.get(reverse("messaging:inbox")).content.decode()


def test_the_thread_page_says_who_reads_it_and_when(client, booking, patient, opted_in):
    opted_in.weekdays = [0, 1, 2]
    opted_in.opens_at = opted_in.opens_at.replace(hour=8)
    opted_in.save()
    client.force_login(patient)

    shown = client.get(_subject_url(booking)).content.decode()

    assert "Clinique du Lac’s team and our careteam read and answer this conversation." in shown
    assert "Office hours: Monday, Tuesday, Wednesday, 08:00–18:00 (Europe/Paris time)." in shown


def test_without_the_provider_s_opt_in_the_page_names_the_careteam_s_hours(client, booking, patient):
    client.force_login(patient)

    shown = client.get(_subject_url(booking)).content.decode()

    assert "read and answer this conversation" not in shown
    assert "does not offer messaging for this care" in shown
    assert "Office hours: Monday, Tuesday, Wednesday, Thursday, Friday, 09:00–18:00 (Europe/Paris time)." in shown


def test_a_conversation_names_a_member_by_their_provider_and_staff_by_their_role_never_by_e_mail():
    from django.contrib.auth.models import Group

    from accounts.models import StaffGroup
    from accounts.tests.factories import UserFactory
    from messaging.participants import Subject
    from messaging.selectors import participant_names
    from providers.tests.factories import MemberFactory, ProviderFactory

    clinic = ProviderFactory(name="Clinique du Lac")
    member = MemberFactory(provider=clinic).user
    careteam = UserFactory(email="someone@medibroker.test")
    careteam.groups.add(Group.objects.get(name=StaffGroup.CARETEAM))
    subject = Subject(kind="booking", subject_id=1, patient_id=0, title="Booking #1", provider_id=clinic.pk)

    names = participant_names(subject=subject, user_ids=[member.pk, careteam.pk, None])

    assert names == {member.pk: "Clinique du Lac", careteam.pk: "MediBroker careteam"}


def test_the_messages_api_reads_a_non_ascii_digit_as_no_cursor(api_as, booking, patient, opted_in):
    client = api_as(patient)
    opened = client.post(
        reverse("messaging-api:threads"), {"about": "booking", "subject_id": booking.pk}, format="json"
    )
    url = reverse("messaging-api:messages", args=[opened.json()["id"]])
    client.post(url, {"body": "Hello"}, format="json")

    listed = client.get(url, {"after": "²"})  # str.isdigit() says yes; int() says no

    assert listed.status_code == 200
    assert [m["body"] for m in listed.json() if not m["notice"]] == ["Hello"]
