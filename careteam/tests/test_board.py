"""The careteam's case board: every app's careteam work on one board, owners, notes, timeline."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from careteam.models import CaseNote, CaseOwner
from careteam.selectors import BoardFilters, board_cards
from careteam.services import case_assign, case_note_add
from careteam.tests import support
from careteam.tests.support import DAY, NOW
from concierge.models import AddonKind, AddonOrderStatus
from core.audit import audit_record
from core.cases import CaseQueue, CaseStage
from core.errors import Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_now():
    """Pages read the clock: it stands at NOW from the sign-in on (a staff session idles out in 30 minutes)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(db):
    return UserFactory(email="colin@example.test", is_staff=True, groups=[StaffGroup.CARETEAM])


@pytest.fixture
def world(patient, clinic):
    """One case of each kind, at NOW."""
    booking, document = support.evidence_waiting(patient)
    return {
        "provider": support.pending_provider(applied=NOW - 6 * DAY, city="Lyon"),
        "booking": booking,
        "document": document,
        "request": support.unanswered_request(patient, clinic, sent=NOW - 3 * DAY),
        "message": support.failed_message(patient, failed=NOW - 2 * DAY, booking_id=booking.pk),
        "vip": support.order(patient, AddonKind.VIP_CONCIERGE, AddonOrderStatus.REQUESTED, created=NOW - DAY),
        "transfer": support.transfer_paid(patient, pickup=NOW + 3 * DAY, paid=NOW - DAY),
        "interpreter": support.interpreter_paid(
            patient, first_day=(NOW + 5 * DAY).date(), last_day=(NOW + 6 * DAY).date(), paid=NOW - DAY
        ),
        "arranged": support.transfer_paid(patient, pickup=NOW - 2 * DAY, paid=NOW - 9 * DAY, assigned=True),
        "assistance": support.assistance_under_mandate(patient, granted=NOW - 2 * DAY, expires=NOW + 28 * DAY),
    }


def cards_by_key(user, **filters):
    return {card.key: card for card in board_cards(user=user, filters=BoardFilters(**filters), now=NOW)}


def test_each_kind_of_work_shows_up_with_its_stage_due_date_and_lateness(careteam, world):
    cards = cards_by_key(careteam)

    def placed(key):
        card = cards[key]
        return card.item.queue, card.item.stage, card.item.due_at, card.days_late

    provider, booking, request = world["provider"], world["booking"], world["request"]
    # Applied on a Thursday: two working days later is the Monday, 2 days before NOW.
    assert placed(f"providers.verification:{provider.pk}") == (CaseQueue.VERIFICATION, CaseStage.NEW, NOW - 2 * DAY, 2)
    assert placed(f"bookings.evidence:{booking.pk}") == (
        CaseQueue.EVIDENCE,
        CaseStage.NEW,
        booking.evidence_due_at,
        None,
    )
    assert placed(f"quotes.request:{request.pk}") == (CaseQueue.UNANSWERED_QUOTE, CaseStage.WAITING, NOW - DAY, 1)
    assert placed(f"notifications.message:{world['message'].pk}") == (
        CaseQueue.FAILED_MESSAGE,
        CaseStage.NEW,
        NOW - DAY,
        1,
    )
    assert placed(f"concierge.order:{world['vip'].pk}") == (CaseQueue.VIP_PACKAGE, CaseStage.NEW, NOW + DAY, None)
    # Nobody assigned yet: due 24 h before the pickup, or before the interpreter's first day (Istanbul has
    # no booking here, so the day starts at midnight UTC).
    assert placed(f"concierge.order:{world['transfer'].pk}") == (
        CaseQueue.ADDON_ORDER,
        CaseStage.NEW,
        NOW + 2 * DAY,
        None,
    )
    first_day = dt.datetime.combine((NOW + 5 * DAY).date(), dt.time.min, tzinfo=dt.UTC)
    assert placed(f"concierge.order:{world['interpreter'].pk}")[2] == first_day - DAY
    # Arranged, its date passed two days ago and not marked done: scheduled, and late.
    assert placed(f"concierge.order:{world['arranged'].pk}") == (
        CaseQueue.ADDON_ORDER,
        CaseStage.SCHEDULED,
        NOW - 2 * DAY,
        2,
    )
    assert placed(f"concierge.order:{world['assistance'].pk}") == (
        CaseQueue.ASSISTANCE,
        CaseStage.IN_PROGRESS,
        NOW + 28 * DAY,
        None,
    )


def test_titles_never_carry_health_information(careteam, world):
    titles = " ".join(card.item.title for card in cards_by_key(careteam).values())

    assert "Knee" not in titles
    assert "certificate" not in titles.lower()
    assert "appointment is tomorrow" not in titles


def test_the_evidence_case_links_to_the_document_never_a_copy(careteam, world):
    card = cards_by_key(careteam)[f"bookings.evidence:{world['booking'].pk}"]

    urls = [link.url for link in card.item.links]
    assert reverse("documents:download", args=[world["document"].pk]) in urls
    assert all(world["document"].title not in link.label for link in card.item.links)


def test_closed_work_leaves_the_board(careteam, patient, world):
    expired = support.assistance_under_mandate(patient, granted=NOW - 40 * DAY, expires=NOW - DAY)
    answered_too_soon = support.unanswered_request(patient, world["provider"], sent=NOW - DAY)

    keys = set(cards_by_key(careteam))

    assert f"concierge.order:{expired.pk}" not in keys
    assert f"quotes.request:{answered_too_soon.pk}" not in keys


def test_filters_narrow_the_board(careteam, colleague, world):
    transfer = f"concierge.order:{world['transfer'].pk}"
    vip = f"concierge.order:{world['vip'].pk}"
    case_assign(actor=careteam, key=transfer, owner=careteam, now=NOW)
    case_assign(actor=careteam, key=vip, owner=colleague, now=NOW)

    assert set(cards_by_key(careteam, mine=True)) == {transfer}
    assert transfer not in cards_by_key(careteam, unassigned=True)
    assert vip not in cards_by_key(careteam, unassigned=True)
    assert all(card.is_late for card in cards_by_key(careteam, late=True).values())
    assert set(cards_by_key(careteam, late=True)) >= {f"providers.verification:{world['provider'].pk}"}
    assert {card.item.city for card in cards_by_key(careteam, city="lyon").values()} == {"Lyon"}
    assert {card.item.queue for card in cards_by_key(careteam, queue=CaseQueue.EVIDENCE).values()} == {
        CaseQueue.EVIDENCE
    }


def test_assigning_is_audited_and_safe_to_repeat(careteam, colleague, world):
    key = f"concierge.order:{world['vip'].pk}"

    case_assign(actor=careteam, key=key, owner=colleague, now=NOW)
    case_assign(actor=careteam, key=key, owner=colleague, now=NOW)
    case_assign(actor=colleague, key=key, owner=None, now=NOW + DAY)

    row = CaseOwner.objects.get(key=key)
    assert (row.owner, row.assigned_by) == (None, colleague)
    actions = list(
        AuditEvent.objects.filter(target_type="careteam.caseowner", target_id=str(row.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["careteam.case.assigned", "careteam.case.unassigned"]


def test_a_case_goes_only_to_the_careteam_and_only_the_careteam_assigns(careteam, patient, finance, world):
    key = f"concierge.order:{world['vip'].pk}"

    with pytest.raises(ValidationFailed):
        case_assign(actor=careteam, key=key, owner=finance, now=NOW)
    with pytest.raises(Forbidden):
        case_assign(actor=patient, key=key, owner=patient, now=NOW)
    with pytest.raises(NotFound):
        case_assign(actor=careteam, key="concierge.order:999999", owner=careteam, now=NOW)
    assert CaseOwner.objects.count() == 0


def test_notes_are_kept_and_audited_without_their_text(careteam, world):
    key = f"providers.verification:{world['provider'].pk}"

    note = case_note_add(actor=careteam, key=key, text="  Called the register, waiting for their answer.  ", now=NOW)

    assert note.text == "Called the register, waiting for their answer."
    event = AuditEvent.objects.get(action="careteam.case.note_added")
    assert "register" not in str(event.after)
    with pytest.raises(ValidationFailed):
        case_note_add(actor=careteam, key=key, text="   ", now=NOW)
    with pytest.raises(ValidationFailed):
        case_note_add(actor=careteam, key=key, text="x" * 2001, now=NOW)
    assert CaseNote.objects.count() == 1


# --- pages ------------------------------------------------------------------------------------------


@pytest.fixture
def board_client(client, careteam):
    client.force_login(careteam)
    return client


def test_the_board_shows_columns_counts_owners_and_lateness_in_words(board_client, careteam, world):
    case_assign(actor=careteam, key=f"concierge.order:{world['transfer'].pk}", owner=careteam, now=NOW)
    careteam.timezone = "Asia/Tokyo"
    careteam.save(update_fields=["timezone"])

    with time_machine.travel(NOW, tick=False):
        page = board_client.get(reverse("careteam:board"))

    html = page.content.decode()
    assert page.status_code == 200
    for column in ("New", "In progress", "Waiting", "Scheduled"):
        assert f'>{column} <span class="badge">' in html
    assert "2 days late" in html
    assert "1 day late" in html
    assert "Provider verification" in html
    assert "Lyon" in html
    # Due dates in the viewer's own clock (issue 15: the careteam saw 15:47 where the patient saw 22:47).
    assert "(Tokyo time)</time>" in html
    assert "(Paris time)" not in html
    assert ">You<" in html
    assert "Nobody yet" in html
    assert 'name="htmx-config"' in html
    assert "Knee" not in html


def test_the_board_filters_by_get_parameters_and_htmx_gets_only_the_columns(board_client, world):
    with time_machine.travel(NOW, tick=False):
        page = board_client.get(reverse("careteam:board"), {"queue": CaseQueue.VERIFICATION})
        fragment = board_client.get(reverse("careteam:board"), {"city": "Lyon"}, headers={"HX-Request": "true"})

    assert "Verify Dr Awaiting Check" in page.content.decode()
    assert "VIP concierge" not in page.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "Verify Dr Awaiting Check" in fragment.content.decode()
    assert "1 open case" in fragment.content.decode()


def test_a_nonsense_filter_shows_the_whole_board(board_client, world):
    with time_machine.travel(NOW, tick=False):
        page = board_client.get(reverse("careteam:board"), {"queue": "nonsense", "late": "maybe"})

    assert page.status_code == 200
    assert "Verify Dr Awaiting Check" in page.content.decode()


def test_taking_a_case_without_javascript_posts_and_redirects(board_client, careteam, world):
    key = f"concierge.order:{world['vip'].pk}"

    with time_machine.travel(NOW, tick=False):
        answer = board_client.post(reverse("careteam:case_assign", args=[key]), {"owner": "me", "from": "board"})

    assert answer.status_code == 302
    assert answer["Location"] == reverse("careteam:board")
    assert CaseOwner.objects.get(key=key).owner == careteam


def test_taking_a_case_with_htmx_answers_the_card(board_client, careteam, world):
    key = f"concierge.order:{world['vip'].pk}"

    with time_machine.travel(NOW, tick=False):
        answer = board_client.post(
            reverse("careteam:case_assign", args=[key]),
            {"owner": "me", "from": "board"},
            headers={"HX-Request": "true"},
        )

    html = answer.content.decode()
    assert answer.status_code == 200
    assert html.startswith("<article")
    assert ">You<" in html
    assert "Take it" not in html


def test_the_case_page_shows_the_item_its_links_notes_owner_and_timeline(board_client, careteam, world):
    booking = world["booking"]
    key = f"bookings.evidence:{booking.pk}"
    case_assign(actor=careteam, key=key, owner=careteam, now=NOW - dt.timedelta(hours=2))
    case_note_add(actor=careteam, key=key, text="Asked the patient for a signed copy.", now=NOW - dt.timedelta(hours=1))

    with time_machine.travel(NOW, tick=False):
        page = board_client.get(reverse("careteam:case", args=[key]))

    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("bookings:evidence_queue") in html
    assert reverse("documents:download", args=[world["document"].pk]) in html
    assert "Asked the patient for a signed copy." in html
    assert 'In the hands of <bdi dir="ltr">carla@example.test</bdi>' in html
    # Newest first: the note, the assignment, then bookings' own events on the booking.
    timeline = html[html.index("Timeline") :]
    assert timeline.index("wrote a note") < timeline.index("assigned the case (to carla@example.test)")
    assert timeline.index("assigned the case (to carla@example.test)") < timeline.index("evidence: submitted")
    assert "booking: cancelled" in timeline
    assert "carla@example.test" in timeline


def test_the_timeline_reads_the_audit_events_of_the_targets_only(board_client, careteam, world, rival):
    vip = world["vip"]
    audit_record(actor=careteam, action="concierge.order.looked_at", target=vip, now=NOW - DAY)
    audit_record(actor=careteam, action="providers.provider.looked_at", target=rival, now=NOW - DAY)

    with time_machine.travel(NOW, tick=False):
        html = board_client.get(reverse("careteam:case", args=[f"concierge.order:{vip.pk}"])).content.decode()

    assert "order: looked at" in html
    assert "provider: looked at" not in html


def test_a_note_without_javascript_redirects_and_with_htmx_answers_the_notes(board_client, world):
    key = f"concierge.order:{world['transfer'].pk}"
    url = reverse("careteam:case_note_add", args=[key])

    with time_machine.travel(NOW, tick=False):
        plain = board_client.post(url, {"text": "Driver booked by phone."})
        htmx = board_client.post(url, {"text": "Driver confirmed."}, headers={"HX-Request": "true"})
        empty = board_client.post(url, {"text": " "})

    assert plain.status_code == 302
    assert plain["Location"] == reverse("careteam:case", args=[key])
    assert htmx.status_code == 200
    assert htmx.content.decode().startswith('<section id="case-notes"')
    assert "Driver booked by phone." in htmx.content.decode()
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert CaseNote.objects.count() == 2


def test_assigning_someone_outside_the_careteam_is_refused_on_the_page(board_client, finance, world):
    key = f"concierge.order:{world['vip'].pk}"

    with time_machine.travel(NOW, tick=False):
        answer = board_client.post(reverse("careteam:case_assign", args=[key]), {"owner": finance.pk}, follow=True)

    assert "Select a valid choice" in answer.content.decode()
    assert CaseOwner.objects.count() == 0


def test_only_the_careteam_opens_the_board(client, patient, finance, world):
    key = f"concierge.order:{world['vip'].pk}"
    assert client.get(reverse("careteam:board"))["Location"].startswith(reverse("account_login"))
    for person in (patient, finance):
        client.force_login(person)
        assert client.get(reverse("careteam:board")).status_code == 403
        assert client.get(reverse("careteam:case", args=[key])).status_code == 403
        assert client.post(reverse("careteam:case_note_add", args=[key]), {"text": "x"}).status_code == 403
    assert CaseNote.objects.count() == 0


def test_an_unknown_case_is_not_found(board_client):
    assert board_client.get(reverse("careteam:case", args=["concierge.order:424242"])).status_code == 404
    assert board_client.post(reverse("careteam:case_note_add", args=["nothing"]), {"text": "x"}).status_code == 404


def test_the_menu_offers_the_board_to_the_careteam_only(board_client, client, patient):
    assert reverse("careteam:board") in board_client.get(reverse("bookings:evidence_queue")).content.decode()


def test_unassigning_a_case_nobody_owned_writes_nothing(careteam, world):
    key = f"concierge.order:{world['vip'].pk}"

    assert case_assign(actor=careteam, key=key, owner=None, now=NOW) is None
    assert CaseOwner.objects.count() == 0
    assert not AuditEvent.objects.filter(target_type="careteam.caseowner").exists()
