"""Aftercare: the discharge pack, its share links for the home doctor, and the release guard."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from bookings.models import BookingStatus, DischargeItem, DischargeItemKind, PackShareLink
from bookings.personal_data import erase, export
from bookings.services import (
    LinkGone,
    booking_complete,
    discharge_item_not_applicable,
    discharge_item_upload,
    discharge_pack,
    pack_link_create,
    pack_link_open,
    pack_link_revoke,
)
from bookings.services.aftercare import PACK_WINDOW_AFTER
from bookings.tests.support import FOUR_WEEKS_ON, awaiting, bookable, confirm, paris
from core.errors import Conflict, NotFound, ValidationFailed
from core.models import AuditEvent
from core.personal_data import Subject
from core.share_links import token_hash
from documents.models import MedicalDocument
from documents.services import document_read
from documents.tests import samples
from notifications.models import Message
from payments.models import Release
from payments.services.releases import release_approve_check, release_request_check
from providers.models import OfferingKind, Provider

pytestmark = pytest.mark.django_db

BEGUN = paris(10, day=FOUR_WEEKS_ON)  # the first appointment is 09:00–10:00 that day
EVERY_KIND = [kind.value for kind in DischargeItemKind]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    settings.SITE_URL = "https://medibroker.test"


@pytest.fixture
def booking(patient, clinic, clinic_admin):
    """A quote booking at the clinic, deposit paid; the clinic's deposits wait for the pack."""
    Provider.objects.filter(pk=clinic.pk).update(discharge_pack_required=True)
    clinic.refresh_from_db()
    return confirm(awaiting(patient, clinic))


def pdf(name="report.pdf"):
    return SimpleUploadedFile(name, samples.pdf("Discharge"), content_type="application/pdf")


def jpeg(name="invoice.pdf"):
    return SimpleUploadedFile(name, samples.jpeg(), content_type="application/pdf")


def fill(booking, actor, *, kinds=EVERY_KIND, now=BEGUN):
    for kind in kinds:
        discharge_item_upload(booking=booking, actor=actor, kind=kind, upload=pdf(), now=now)


def test_the_provider_uploads_items_and_the_patient_sees_what_is_there_and_what_is_missing(booking, clinic_admin):
    fill(booking, clinic_admin, kinds=["operative_report", "invoice"])

    lines = {line.kind: line for line in discharge_pack(booking)}
    assert [kind for kind, line in lines.items() if line.done] == ["operative_report", "invoice"]
    assert lines["invoice"].item.document.owner_id == booking.patient_id  # the patient's document
    assert not lines["follow_up"].done


def test_a_file_of_the_wrong_type_for_the_item_is_refused_and_nothing_is_written(booking, clinic_admin):
    with pytest.raises(ValidationFailed) as refused:
        discharge_item_upload(booking=booking, actor=clinic_admin, kind="invoice", upload=jpeg(), now=BEGUN)

    assert refused.value.code == "wrong_document_type"
    assert "PDF" in refused.value.details["file"][0]
    assert MedicalDocument.objects.count() == 0
    assert DischargeItem.objects.count() == 0


def test_a_photo_of_the_implant_card_is_taken(booking, clinic_admin):
    discharge_item_upload(booking=booking, actor=clinic_admin, kind="implants", upload=jpeg("card.jpg"), now=BEGUN)

    assert DischargeItem.objects.get(kind="implants").document.kind == "jpeg"


def test_a_new_upload_replaces_the_item_and_keeps_the_old_one_on_record(booking, clinic_admin):
    fill(booking, clinic_admin, kinds=["invoice", "invoice"])

    assert DischargeItem.objects.filter(kind="invoice").count() == 2
    assert DischargeItem.objects.filter(kind="invoice", replaced_at__isnull=True).count() == 1


def test_the_pack_opens_at_the_first_appointment_and_closes_30_days_after_completion(booking, clinic_admin):
    with pytest.raises(Conflict) as early:
        fill(booking, clinic_admin, kinds=["invoice"], now=BEGUN - dt.timedelta(hours=2))
    assert early.value.code == "discharge_pack_too_early"

    booking_complete(booking=booking, actor=clinic_admin, now=BEGUN)
    booking.refresh_from_db()
    fill(booking, clinic_admin, kinds=["invoice"], now=BEGUN + PACK_WINDOW_AFTER)
    with pytest.raises(Conflict) as late:
        fill(booking, clinic_admin, kinds=["follow_up"], now=BEGUN + PACK_WINDOW_AFTER + dt.timedelta(minutes=1))
    assert late.value.code == "discharge_pack_closed"


def test_only_implants_and_translation_may_be_stated_not_to_apply(booking, clinic_admin):
    discharge_item_not_applicable(booking=booking, actor=clinic_admin, kind="implants", now=BEGUN)
    with pytest.raises(ValidationFailed):
        discharge_item_not_applicable(booking=booking, actor=clinic_admin, kind="invoice", now=BEGUN)

    assert {line.kind: line.done for line in discharge_pack(booking)}["implants"] is True


def test_the_patient_reads_the_pack_and_the_providers_members_read_it_but_not_a_rival(
    booking, clinic_admin, rival_member, patient
):
    fill(booking, clinic_admin, kinds=["invoice"])
    document = DischargeItem.objects.get().document

    assert document_read(document=document, reader=patient, now=BEGUN).startswith(b"%PDF")
    assert document_read(document=document, reader=clinic_admin, now=BEGUN).startswith(b"%PDF")
    with pytest.raises(NotFound):
        document_read(document=document, reader=rival_member, now=BEGUN)
    read = AuditEvent.objects.filter(action="documents.document.read", actor_id=clinic_admin.pk).get()
    assert read.after["as"] == "provider"


def test_the_patient_hears_when_the_pack_is_complete(booking, clinic_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        fill(booking, clinic_admin, kinds=EVERY_KIND[:-1])
    assert not Message.objects.filter(event="discharge_pack_complete").exists()

    with django_capture_on_commit_callbacks(execute=True):
        fill(booking, clinic_admin, kinds=EVERY_KIND[-1:])

    message = Message.objects.get(event="discharge_pack_complete")
    assert message.recipient_id == booking.patient_id
    assert "complete" in message.subject
    assert "Operative" not in message.subject


# --- the release guard ------------------------------------------------------------------------------


def test_the_deposit_cannot_be_asked_for_while_the_required_pack_is_incomplete(booking, clinic_admin):
    fill(booking, clinic_admin, kinds=EVERY_KIND[:-2])

    check = release_request_check(booking=booking, actor=clinic_admin, now=BEGUN)

    assert check.refusal.code == "discharge_pack_incomplete"
    assert "Itemised invoice" in check.reason
    assert "Translation" in check.reason
    assert "Discharge instructions" not in check.reason


def test_once_the_pack_is_complete_the_pack_no_longer_holds_the_release(booking, clinic_admin):
    fill(booking, clinic_admin)

    check = release_request_check(booking=booking, actor=clinic_admin, now=BEGUN)

    assert check.refusal.code == "deposit_not_held"  # the next rule: no deposit in this test


def test_finance_cannot_approve_a_release_while_the_required_pack_is_incomplete(booking, clinic, clinic_admin):
    finance = UserFactory(is_staff=True, groups=[StaffGroup.FINANCE])
    release = Release.objects.create(
        booking=booking, provider=clinic, currency="EUR", amount=50_000, requested_by=clinic_admin, requested_at=BEGUN
    )

    assert release_approve_check(release=release, actor=finance).refusal.code == "discharge_pack_incomplete"
    fill(booking, clinic_admin)
    assert release_approve_check(release=release, actor=finance).allowed


def test_consultations_and_providers_the_careteam_exempted_do_not_wait_for_the_pack(patient, clinic, clinic_admin):
    Provider.objects.filter(pk=clinic.pk).update(discharge_pack_required=True)
    consultation = bookable(provider=clinic, kind=OfferingKind.CONSULTATION)
    booking = confirm(awaiting(patient, clinic, offering=consultation))
    assert release_request_check(booking=booking, actor=clinic_admin, now=BEGUN).refusal.code == "deposit_not_held"

    procedure = confirm(awaiting(patient, clinic, slots=[(paris(11, day=FOUR_WEEKS_ON), paris(12, day=FOUR_WEEKS_ON))]))
    assert release_request_check(
        booking=procedure, actor=clinic_admin, now=BEGUN + dt.timedelta(hours=3)
    ).refusal.code == ("discharge_pack_incomplete")
    Provider.objects.filter(pk=clinic.pk).update(discharge_pack_required=False)
    procedure.provider.refresh_from_db()
    assert release_request_check(
        booking=procedure, actor=clinic_admin, now=BEGUN + dt.timedelta(hours=3)
    ).refusal.code == ("deposit_not_held")


def test_a_new_provider_waits_for_the_pack_by_default():
    assert Provider._meta.get_field("discharge_pack_required").default is True


# --- links for the home doctor ----------------------------------------------------------------------


def test_a_link_serves_the_pack_decrypted_counts_its_openings_and_stores_only_the_tokens_hash(
    booking, clinic_admin, patient, client
):
    fill(booking, clinic_admin, kinds=["invoice"])
    link, token = pack_link_create(booking=booking, actor=patient, recipient="Dr Dupont", now=BEGUN)
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash
    item = DischargeItem.objects.get()

    page = client.get(reverse("bookings:pack_shared", args=[token]))
    file = client.get(reverse("bookings:pack_shared_file", args=[token, item.pk]))

    assert page.status_code == 200
    assert "Itemised invoice" in page.content.decode()
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")
    link.refresh_from_db()
    assert link.opened_count == 2
    opened = AuditEvent.objects.filter(action="bookings.pack_link.opened")
    assert opened.count() == 2
    assert all(event.ip is None and event.actor_id is None for event in opened)
    assert "Dr Dupont" not in str(list(opened.values_list("after", flat=True)))


def test_a_revoked_or_expired_link_answers_410_and_an_unknown_one_404(
    booking, clinic_admin, patient, client, time_machine
):
    time_machine.move_to(BEGUN, tick=False)
    fill(booking, clinic_admin, kinds=["invoice"])
    revoked, revoked_token = pack_link_create(booking=booking, actor=patient, recipient="Dr A", now=BEGUN)
    pack_link_revoke(link=revoked, actor=patient, now=BEGUN)
    _old, old_token = pack_link_create(
        booking=booking, actor=patient, recipient="Dr B", now=BEGUN - dt.timedelta(days=8)
    )

    assert client.get(reverse("bookings:pack_shared", args=[revoked_token])).status_code == 410
    assert client.get(reverse("bookings:pack_shared", args=[old_token])).status_code == 410
    assert client.get(reverse("bookings:pack_shared", args=["no-such-token"])).status_code == 404
    with pytest.raises(LinkGone):
        pack_link_open(token=revoked_token, ip="", now=BEGUN)


def test_one_live_link_per_recipient_and_none_before_the_pack_has_a_document(booking, clinic_admin, patient):
    with pytest.raises(Conflict) as empty:
        pack_link_create(booking=booking, actor=patient, recipient="Dr Dupont", now=BEGUN)
    assert empty.value.code == "discharge_pack_empty"

    fill(booking, clinic_admin, kinds=["invoice"])
    pack_link_create(booking=booking, actor=patient, recipient="Dr Dupont", now=BEGUN)
    with pytest.raises(Conflict) as twice:
        pack_link_create(booking=booking, actor=patient, recipient="dr dupont", now=BEGUN)
    assert twice.value.code == "pack_link_exists"
    assert PackShareLink.objects.count() == 1


def test_a_link_with_an_address_is_e_mailed_to_the_doctor_and_one_without_is_not(
    booking, clinic_admin, patient, django_capture_on_commit_callbacks
):
    fill(booking, clinic_admin, kinds=["invoice"])
    with django_capture_on_commit_callbacks(execute=True):
        pack_link_create(booking=booking, actor=patient, recipient="Dr Silent", now=BEGUN)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        _link, token = pack_link_create(
            booking=booking, actor=patient, recipient="Dr Dupont", email="dupont@cabinet.test", now=BEGUN
        )

    assert [m.to for m in mail.outbox] == [["dupont@cabinet.test"]]
    assert token in mail.outbox[0].body
    trail = str(list(AuditEvent.objects.values_list("before", "after")))
    assert "dupont@cabinet.test" not in trail
    assert "Dr Dupont" not in trail
    assert token not in trail


def test_someone_elses_booking_is_not_found_for_links(booking, clinic_admin, other_patient):
    fill(booking, clinic_admin, kinds=["invoice"])
    with pytest.raises(NotFound):
        pack_link_create(booking=booking, actor=other_patient, recipient="Dr X", now=BEGUN)


# --- the API's bad input ----------------------------------------------------------------------------


def test_the_api_refuses_a_wrong_type_400_not_your_booking_404_and_after_the_window_409(
    booking, clinic_admin, rival_member, api_as, time_machine
):
    url = reverse("api_booking_discharge_items", args=[booking.pk])
    time_machine.move_to(BEGUN, tick=False)

    wrong = api_as(clinic_admin).post(url, {"item": "invoice", "file": jpeg()}, format="multipart")
    rival = api_as(rival_member).post(url, {"item": "invoice", "file": pdf()}, format="multipart")
    ok = api_as(clinic_admin).post(url, {"item": "invoice", "file": pdf()}, format="multipart")

    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_document_type")
    assert rival.status_code == 404
    assert ok.status_code == 201
    assert ok.json()["missing"] == [k for k in EVERY_KIND if k != "invoice"]

    booking_complete(booking=booking, actor=clinic_admin, now=BEGUN)
    time_machine.move_to(BEGUN + PACK_WINDOW_AFTER + dt.timedelta(days=1), tick=False)
    late = api_as(clinic_admin).post(url, {"item": "follow_up", "file": pdf()}, format="multipart")
    assert (late.status_code, late.json()["code"]) == (409, "discharge_pack_closed")
    assert booking.__class__.objects.get(pk=booking.pk).status == BookingStatus.COMPLETED


# --- pages ------------------------------------------------------------------------------------------


def test_the_booking_page_shows_the_patient_what_is_missing_and_the_provider_a_form_per_item(
    booking, clinic_admin, patient, client, time_machine
):
    time_machine.move_to(BEGUN, tick=False)
    fill(booking, clinic_admin, kinds=["invoice"])

    client.force_login(patient)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert 'data-testid="discharge-item-invoice" data-state="done"' in page
    assert 'data-testid="discharge-item-follow_up" data-state="missing"' in page
    assert "5 items are missing." in page
    assert 'data-testid="pack-link-create"' in page
    assert reverse("bookings:pack_item", args=[booking.pk]) not in page

    client.force_login(clinic_admin)
    page = client.get(reverse("bookings:detail", args=[booking.pk])).content.decode()
    assert page.count(f'action="{reverse("bookings:pack_item", args=[booking.pk])}"') == len(EVERY_KIND)
    assert 'id="id_pack_implants_not_applicable"' in page
    assert 'id="id_pack_invoice_not_applicable"' not in page


def test_a_wrong_file_on_the_page_is_explained_on_its_item_and_nothing_is_written(
    booking, clinic_admin, client, time_machine
):
    time_machine.move_to(BEGUN, tick=False)
    client.force_login(clinic_admin)

    response = client.post(reverse("bookings:pack_item", args=[booking.pk]), {"kind": "invoice", "file": jpeg()})

    assert response.status_code == 400
    assert "The itemised invoice must be a PDF file" in response.content.decode()
    assert DischargeItem.objects.count() == 0


def test_the_patient_makes_a_link_on_the_page_and_sees_it_once(booking, clinic_admin, patient, client, time_machine):
    time_machine.move_to(BEGUN, tick=False)
    fill(booking, clinic_admin, kinds=["invoice"])
    client.force_login(patient)

    response = client.post(reverse("bookings:pack_link_create", args=[booking.pk]), {"recipient": "Dr Dupont"})

    assert response.status_code == 200
    assert 'data-testid="new-pack-link"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    link = PackShareLink.objects.get()
    assert link.recipient == "Dr Dupont"
    assert client.get(reverse("bookings:detail", args=[booking.pk])).content.decode().count("new-pack-link") == 0


def test_the_careteam_turns_the_providers_requirement_off_and_on(clinic, careteam, clinic_admin, client):
    url = reverse("providers:discharge_pack_setting", args=[clinic.pk])
    Provider.objects.filter(pk=clinic.pk).update(discharge_pack_required=True)
    client.force_login(careteam)

    client.post(url, {})
    assert Provider.objects.get(pk=clinic.pk).discharge_pack_required is False
    client.post(url, {"required": "on"})
    assert Provider.objects.get(pk=clinic.pk).discharge_pack_required is True
    assert AuditEvent.objects.filter(action="providers.provider.discharge_pack_set").count() == 2

    client.force_login(clinic_admin)
    assert client.post(url, {}).status_code == 403
    assert Provider.objects.get(pk=clinic.pk).discharge_pack_required is True


def test_the_api_shows_the_pack_and_the_patient_makes_and_revokes_a_link(
    booking, clinic_admin, patient, other_patient, api_as, time_machine
):
    time_machine.move_to(BEGUN, tick=False)
    fill(booking, clinic_admin, kinds=["invoice"])
    pack_url = reverse("api_booking_discharge_pack", args=[booking.pk])
    links_url = reverse("api_booking_pack_links", args=[booking.pk])

    pack = api_as(patient).get(pack_url).json()
    assert pack["required_for_release"] is True
    assert pack["complete"] is False
    assert pack["available_actions"]["share_discharge_pack"]["allowed"] is True
    assert pack["available_actions"]["add_to_discharge_pack"]["allowed"] is False
    assert {i["item"]: i["state"] for i in pack["items"]}["invoice"] == "uploaded"
    assert api_as(other_patient).get(pack_url).status_code == 404

    created = api_as(patient).post(links_url, {"recipient": "Dr Dupont"}, format="json")
    assert created.status_code == 201
    token = created.json()["url"].rstrip("/").rsplit("/", 1)[-1]
    assert PackShareLink.objects.get().token_hash == token_hash(token)
    assert api_as(other_patient).post(links_url, {"recipient": "Dr X"}, format="json").status_code == 404
    blank = api_as(patient).post(links_url, {"recipient": " "}, format="json")
    assert blank.status_code == 400

    link_url = reverse("api_booking_pack_link", args=[booking.pk, created.json()["id"]])
    assert api_as(other_patient).delete(link_url).status_code == 404
    assert api_as(patient).delete(link_url).status_code == 204
    with pytest.raises(LinkGone):
        pack_link_open(token=token, ip="", now=BEGUN)


def test_the_careteam_sets_the_requirement_through_the_api_and_no_one_else_may(clinic, careteam, clinic_admin, api_as):
    url = reverse("api_careteam_provider_discharge_pack", args=[clinic.pk])

    answer = api_as(careteam).put(url, {"discharge_pack_required": True}, format="json")
    refused = api_as(clinic_admin).put(url, {"discharge_pack_required": False}, format="json")

    assert answer.json() == {"provider": clinic.pk, "discharge_pack_required": True}
    assert refused.status_code == 403
    assert Provider.objects.get(pk=clinic.pk).discharge_pack_required is True


def test_the_patients_export_holds_the_pack_and_an_erasure_ends_the_links_and_forgets_their_recipients(
    booking, clinic_admin, patient
):
    fill(booking, clinic_admin, kinds=["invoice"])
    link, _token = pack_link_create(
        booking=booking, actor=patient, recipient="Dr Dupont", email="dupont@cabinet.test", now=BEGUN
    )

    exported = export(patient, BEGUN)["bookings"][0]
    assert [item["item"] for item in exported["discharge_pack"]] == ["invoice"]
    assert exported["discharge_pack_links"][0]["for"] == "Dr Dupont"

    erase(Subject(user_id=patient.pk, pseudonym="Erased person 1", email=patient.email, strings=()), BEGUN)
    link.refresh_from_db()
    assert link.revoked_at == BEGUN
    assert (link.recipient, link.email) == ("", "")
