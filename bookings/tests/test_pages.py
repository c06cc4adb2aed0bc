"""Booking pages: access (others get 404), the schedule as dates and amounts, cancelling, evidence,
the provider's calendar, the careteam queue, and the .ics file."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import sign_in
from bookings import services
from bookings.models import BookingStatus, CancellationEvidence, EvidenceStatus
from bookings.services import booking_cancel, booking_confirm_deposit
from bookings.tests.support import PARIS, awaiting
from core.models import AuditEvent
from documents.services import document_upload
from providers.tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _documents(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture
def now():
    return timezone.now()


def next_monday(now: dt.datetime, weeks: int) -> dt.date:
    today = now.date()
    return today + dt.timedelta(days=(7 - today.weekday()) + 7 * (weeks - 1))


def quote_booking(patient, offering, now, *, weeks=4, paid=True):
    day = next_monday(now, weeks)
    start = dt.datetime.combine(day, dt.time(9), tzinfo=PARIS)
    booking = awaiting(
        patient,
        offering.provider,
        offering=offering,
        slots=[(start, start + dt.timedelta(hours=1))],
        now=now - dt.timedelta(minutes=5),
        payment_deadline=now + dt.timedelta(hours=1),
    )
    if paid:
        booking = booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)
    return booking


def test_my_bookings_lists_only_mine(client, patient, other_patient, offering, now):
    mine = quote_booking(patient, offering, now)
    theirs = quote_booking(other_patient, offering, now, weeks=5)
    client.force_login(patient)

    response = client.get(reverse("bookings:list"))

    assert response.status_code == 200
    assert reverse("bookings:detail", args=[mine.pk]) in response.text
    assert reverse("bookings:detail", args=[theirs.pk]) not in response.text


def test_the_booking_page_shows_local_times_and_the_schedule_as_dates_and_amounts(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(patient)

    response = client.get(reverse("bookings:detail", args=[booking.pk]))

    assert response.status_code == 200
    first = booking.appointments.get().start.astimezone(PARIS)
    assert first.strftime("%H:%M") in response.text
    assert "09:00 (Paris time)" in response.text  # Paris time, not the 08:00 UTC it is stored as
    assert "(60 minutes)" in response.text
    assert "€250.00" in response.text  # half of the €500 deposit, 8–14 days before
    assert "full refund" in response.text
    assert reverse("bookings:appointment_ics", args=[booking.pk, booking.appointments.get().pk]) in response.text


@pytest.mark.parametrize("persona", ["other_patient", "stranger_member", "anonymous_client"])
def test_someone_elses_booking_is_not_found(client, request, patient, offering, now, persona):
    booking = quote_booking(patient, offering, now)
    if persona == "stranger_member":
        client.force_login(MemberFactory().user)
    elif persona == "other_patient":
        client.force_login(request.getfixturevalue("other_patient"))

    for name, args in [
        ("bookings:detail", [booking.pk]),
        ("bookings:appointment_ics", [booking.pk, booking.appointments.get().pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code in ((302,) if persona == "anonymous_client" else (404,))
    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "none"})
    assert response.status_code in ((302,) if persona == "anonymous_client" else (404,))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_providers_member_sees_the_booking_but_cannot_cancel_it(client, patient, offering, clinic_admin, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(clinic_admin)

    assert client.get(reverse("bookings:detail", args=[booking.pk])).status_code == 200
    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "none"})

    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_the_patient_cancels_from_the_page_and_sees_the_amounts(client, patient, offering, now):
    booking = quote_booking(patient, offering, now, weeks=1)
    client.force_login(patient)

    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "none"}, follow=True)

    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "The booking is cancelled." in response.text
    assert booking.cancellation_explanation in response.text


def test_cancelling_a_completed_booking_from_the_page_shows_why_and_changes_nothing(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    type(booking).objects.filter(pk=booking.pk).update(status=BookingStatus.COMPLETED)
    client.force_login(patient)

    response = client.post(reverse("bookings:cancel", args=[booking.pk]), {"reason": "none"}, follow=True)

    assert "can no longer be cancelled" in response.text
    booking.refresh_from_db()
    assert (booking.status, booking.cancelled_at) == (BookingStatus.COMPLETED, None)


def test_evidence_is_uploaded_from_the_page_and_reviewed_by_the_careteam(client, patient, careteam, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="unfit_to_travel", now=now)
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk]))
    assert "Send your evidence" in page.text
    upload = io.BytesIO(PDF)
    upload.name = "certificate.pdf"
    response = client.post(
        reverse("bookings:evidence", args=[booking.pk]), {"title": "Certificate", "file": upload}, follow=True
    )

    assert "Your evidence was sent" in response.text
    evidence = CancellationEvidence.objects.get()
    assert evidence.document.owner == patient

    sign_in(client, careteam)  # recently signed in: the download asks nothing more
    queue = client.get(reverse("bookings:evidence_queue"))
    assert "Certificate" in queue.text
    # The careteam opens the certificate before deciding; the reading is audited as theirs.
    download = client.get(reverse("documents:download", args=[evidence.document.pk]))
    assert b"".join(download.streaming_content) == PDF
    read = AuditEvent.objects.get(action="documents.document.read", actor_id=careteam.pk)
    assert read.after == {"as": "careteam", "evidence": evidence.pk, "booking": booking.pk}
    client.post(reverse("bookings:evidence_review", args=[booking.pk]), {"accepted": "yes", "note": ""})
    booking.refresh_from_db()
    assert (booking.evidence_status, booking.cancellation_refund) == (EvidenceStatus.ACCEPTED, 50_000)


def test_a_bad_evidence_file_is_refused_and_nothing_is_kept(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="death", now=now)
    client.force_login(patient)
    upload = io.BytesIO(b"MZ\x90\x00 not a pdf")
    upload.name = "certificate.pdf"

    client.post(reverse("bookings:evidence", args=[booking.pk]), {"title": "Fake", "file": upload})

    assert CancellationEvidence.objects.count() == 0
    assert not patient.medical_documents.exists()


def test_the_careteam_cannot_read_a_document_that_is_not_evidence(client, patient, careteam, now):
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Private letter", now=now)
    sign_in(client, careteam)

    assert client.get(reverse("documents:download", args=[document.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="documents.document.read_denied", actor_id=careteam.pk).count() == 1


def test_an_existing_document_can_be_chosen_as_evidence(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="force_majeure", now=now)
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Letter", now=now)
    client.force_login(patient)

    client.post(reverse("bookings:evidence", args=[booking.pk]), {"document": str(document.pk)})

    assert CancellationEvidence.objects.get().document == document


def test_the_evidence_queue_is_for_the_careteam_only(client, patient):
    client.force_login(patient)

    assert client.get(reverse("bookings:evidence_queue")).status_code == 403


def test_the_provider_calendar_lists_upcoming_appointments_by_day_for_members_only(
    client, patient, offering, clinic_admin, now
):
    booking = quote_booking(patient, offering, now, weeks=1)
    client.force_login(clinic_admin)
    day = booking.appointments.get().start.date()

    # The calendar shows a week (this one unless asked): the week of the appointment.
    response = client.get(reverse("bookings:provider_calendar", args=[offering.provider.pk]), {"week": day})

    assert response.status_code == 200
    assert reverse("bookings:detail", args=[booking.pk]) in response.text
    assert "09:00" in response.text
    client.force_login(patient)
    assert client.get(reverse("bookings:provider_calendar", args=[offering.provider.pk])).status_code == 404
    client.force_login(MemberFactory().user)
    assert client.get(reverse("bookings:provider_calendar", args=[offering.provider.pk])).status_code == 404


def test_the_dashboard_links_to_the_bookings_calendar(client, offering, clinic_admin):
    client.force_login(clinic_admin)

    response = client.get(reverse("providers:dashboard", args=[offering.provider.pk]))

    assert reverse("bookings:provider_calendar", args=[offering.provider.pk]) in response.text


def test_a_member_marks_a_started_appointment_completed(client, patient, offering, clinic_admin, now):
    booking = quote_booking(patient, offering, now)
    start = booking.appointments.get().start
    client.force_login(clinic_admin)

    early = client.post(reverse("bookings:complete", args=[booking.pk]), follow=True)
    assert "has not started yet" in early.text
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))
    client.post(reverse("bookings:complete", args=[booking.pk]))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert start > now


def test_the_ics_file_describes_the_appointment_in_utc(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    appointment = booking.appointments.get()
    client.force_login(patient)

    response = client.get(reverse("bookings:appointment_ics", args=[booking.pk, appointment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert f"DTSTART:{appointment.start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}\r\n" in text
    assert f"UID:appointment-{appointment.pk}@" in text
    assert "STATUS:CONFIRMED" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCALENDAR\r\n")


def test_evidence_cannot_be_sent_for_someone_elses_booking(client, patient, other_patient, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="death", now=now)
    client.force_login(other_patient)

    response = client.post(reverse("bookings:evidence", args=[booking.pk]), {"title": "x"})

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="bookings.evidence.submitted").exists()


def test_the_admin_lists_bookings_read_only(client, patient, offering, now):
    from accounts.tests.factories import UserFactory

    booking = quote_booking(patient, offering, now)
    admin_user = UserFactory(email="root@example.test", is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:bookings_booking_changelist"))
    page = client.get(reverse("admin:bookings_booking_change", args=[booking.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert client.get(reverse("admin:bookings_booking_add")).status_code == 403


# --- a page offers only what its service would accept ---------------------------------------------------


def test_a_cancelled_bookings_page_has_no_cancel_form(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(patient)
    cancel_url = reverse("bookings:cancel", args=[booking.pk])

    before = client.get(reverse("bookings:detail", args=[booking.pk])).text
    booking_cancel(booking=booking, actor=patient, reason="none", now=now)
    after = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert cancel_url in before
    assert cancel_url not in after
    assert "Cancel the booking" not in after


def test_the_providers_member_is_offered_no_cancel_form(client, patient, offering, clinic_admin, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(clinic_admin)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert reverse("bookings:cancel", args=[booking.pk]) not in page


def test_an_unpaid_booking_past_its_deadline_or_expired_has_no_pay_link(client, patient, offering, now):
    booking = quote_booking(patient, offering, now, paid=False)
    pay_url = reverse("payments:pay", args=[booking.pk])
    client.force_login(patient)
    assert pay_url in client.get(reverse("bookings:detail", args=[booking.pk])).text

    # Past its deadline, before the expiry job ran: the payment would be refused already.
    type(booking).objects.filter(pk=booking.pk).update(deposit_due_at=now - dt.timedelta(minutes=1))
    lapsed = client.get(reverse("bookings:detail", args=[booking.pk])).text
    services.booking_expire_unpaid(now=timezone.now())
    expired = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert pay_url not in lapsed
    assert pay_url not in expired
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED


def test_a_paid_booking_has_no_pay_link_and_says_when_it_was_paid(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert reverse("payments:pay", args=[booking.pk]) not in page
    assert "Deposit paid on" in page


def test_the_evidence_form_is_gone_once_the_deadline_passed(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="unfit_to_travel", now=now)
    client.force_login(patient)
    assert (
        reverse("bookings:evidence", args=[booking.pk])
        in client.get(reverse("bookings:detail", args=[booking.pk])).text
    )
    type(booking).objects.filter(pk=booking.pk).update(evidence_due_at=now - dt.timedelta(minutes=1))

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert "Decision pending" in page
    assert reverse("bookings:evidence", args=[booking.pk]) not in page


def test_the_evidence_window_is_read_from_the_rules(client, patient, offering, now):
    booking = quote_booking(patient, offering, now)
    client.force_login(patient)

    page = client.get(reverse("bookings:detail", args=[booking.pk])).text

    assert f"which must reach us within {services.EVIDENCE_WINDOW.days} days of the cancellation" in page


def test_the_calendar_offers_to_close_a_booking_only_once_its_appointment_began(
    client, patient, offering, clinic_admin, now
):
    booking = quote_booking(patient, offering, now, weeks=1)
    complete_url = reverse("bookings:complete", args=[booking.pk])
    no_show_url = reverse("bookings:no_show", args=[booking.pk])
    client.force_login(clinic_admin)
    calendar = reverse("bookings:provider_calendar", args=[offering.provider.pk])

    upcoming = client.get(calendar).text
    booking.appointments.update(start=now - dt.timedelta(hours=2), end=now - dt.timedelta(hours=1))
    begun = client.get(calendar).text
    client.post(complete_url)
    closed = client.get(calendar).text

    assert complete_url not in upcoming
    assert no_show_url not in upcoming
    assert complete_url in begun
    assert no_show_url in begun
    assert complete_url not in closed
    assert no_show_url not in closed


def test_the_evidence_queue_offers_a_review_only_for_evidence_awaiting_it(client, patient, careteam, offering, now):
    booking = quote_booking(patient, offering, now)
    booking_cancel(booking=booking, actor=patient, reason="death", now=now)
    document = document_upload(owner=patient, upload=io.BytesIO(PDF), title="Certificate", now=now)
    services.booking_submit_evidence(booking=booking, actor=patient, document=document, now=now)
    client.force_login(careteam)
    review_url = reverse("bookings:evidence_review", args=[booking.pk])

    assert review_url in client.get(reverse("bookings:evidence_queue")).text
    client.post(review_url, {"accepted": "yes", "note": ""})
    assert review_url not in client.get(reverse("bookings:evidence_queue")).text
