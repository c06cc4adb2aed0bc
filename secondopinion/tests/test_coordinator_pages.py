"""The coordinator's pages (the queue, a case's file and its actions) and the second-opinion queue
on the case board: coordinators only; the careteam neither sees the cases nor opens them."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from careteam.selectors import BoardFilters, board_cards, case_card
from core.cases import CaseQueue, CaseStage
from core.errors import NotFound
from payments.tests import conftest as payments_fixtures
from secondopinion.models import CaseStatus, DocumentRole
from secondopinion.services.triage import case_declare_unsuitable, case_take
from secondopinion.tests import support_triage as support
from secondopinion.tests.conftest import NOW

pytestmark = pytest.mark.django_db

stripe_stub = payments_fixtures.stripe_stub  # Stripe's refunds, stubbed over HTTP


@pytest.fixture(autouse=True)
def _at_now():
    """Pages read the clock: it stands at NOW (a Monday) from the sign-in on."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def submitted(patient, cardiology, diagnosis, now):
    return support.case_at(
        CaseStatus.SUBMITTED,
        patient=patient,
        specialty=cardiology,
        now=now,
        documents=[(diagnosis, DocumentRole.FIRST_DIAGNOSIS)],
    )


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def case_url(case, action=""):
    name = f"secondopinion:coordinator_{action}" if action else "secondopinion:coordinator_case"
    return reverse(name, args=[case.pk])


# --- who opens the pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"), [("coordinator", 200), ("careteam", 403), ("finance", 403), ("patient", 404)]
)
def test_only_coordinators_open_the_queue_and_the_case(client, request, submitted, who, expected):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("secondopinion:coordinator_queue")).status_code == expected
    assert client.get(case_url(submitted)).status_code == expected
    assert client.post(case_url(submitted, "take")).status_code == (302 if expected == 200 else expected)


def test_signed_out_people_are_sent_to_sign_in(client, submitted):
    assert client.get(case_url(submitted))["Location"].startswith(reverse("account_login"))


# --- the queue and the file -----------------------------------------------------------------------------


def test_the_queue_lists_the_new_request_without_health_information(as_coordinator, submitted):
    html = as_coordinator.get(reverse("secondopinion:coordinator_queue")).content.decode()

    assert f"Second opinion #{submitted.pk}" in html
    assert case_url(submitted) in html


def test_before_taking_only_the_titles_show_then_the_documents_open(as_coordinator, submitted, diagnosis):
    download = reverse("documents:download", kwargs={"document_id": diagnosis.pk})
    before = as_coordinator.get(case_url(submitted)).content.decode()
    assert "Diagnosis" in before
    assert download not in before
    assert "Take this case" in before

    answer = as_coordinator.post(case_url(submitted, "take"))

    assert answer.status_code == 302
    after = as_coordinator.get(case_url(submitted)).content.decode()
    assert download in after
    assert "Take this case" not in after
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.UNDER_TRIAGE


def test_another_coordinator_cannot_open_a_taken_case(client, submitted, coordinator, other_coordinator, now):
    case_take(case=submitted, actor=coordinator, now=now)
    client.force_login(other_coordinator)

    assert client.get(case_url(submitted)).status_code == 403
    assert case_url(submitted) not in client.get(reverse("secondopinion:coordinator_queue")).content.decode()


def test_an_empty_documents_request_shows_the_error_next_to_the_field(as_coordinator, submitted):
    as_coordinator.post(case_url(submitted, "take"))

    answer = as_coordinator.post(case_url(submitted, "request_documents"), {"message": ""})

    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.UNDER_TRIAGE


def test_the_coordinator_asks_for_documents_names_skills_and_shortlists_from_the_page(
    as_coordinator, submitted, martin, yilmaz
):
    as_coordinator.post(case_url(submitted, "take"))
    hint = "Name the skills this case needs before proposing specialists."
    assert hint in as_coordinator.get(case_url(submitted)).content.decode()
    assert as_coordinator.post(case_url(submitted, "skills"), {"skills": "Valve disease"}).status_code == 302
    page = as_coordinator.get(case_url(submitted)).content.decode()
    assert "Dr Claire Martin" in page
    assert "Dr Emre Yilmaz" in page

    one = as_coordinator.post(
        case_url(submitted, "shortlist"), {"specialists": [martin.pk], f"note_{martin.pk}": "Kept"}
    )
    assert one.status_code == 400
    assert "Propose at least two specialists so the patient can choose." in one.content.decode()
    assert 'value="Kept"' in one.content.decode()

    two = as_coordinator.post(case_url(submitted, "shortlist"), {"specialists": [martin.pk, yilmaz.pk]})
    assert two.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.SHORTLISTED


@pytest.mark.usefixtures("stripe_stub")
def test_declaring_unsuitable_asks_for_the_confirmation(as_coordinator, submitted):
    page = as_coordinator.get(case_url(submitted)).content.decode()
    assert "refunded in full" in page

    unconfirmed = as_coordinator.post(case_url(submitted, "unsuitable"), {"reason": "out_of_scope", "note": "Not ours"})
    assert unconfirmed.status_code == 400
    assert "Not ours" in unconfirmed.content.decode()

    done = as_coordinator.post(
        case_url(submitted, "unsuitable"), {"reason": "out_of_scope", "note": "Not ours", "confirm": "on"}
    )
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == CaseStatus.REFUNDED


# --- the case board -------------------------------------------------------------------------------------


def test_the_board_shows_the_queue_to_coordinators_by_stage_with_its_due_time(
    patient, cardiology, coordinator, martin, now, submitted
):
    triaging = support.case_at(
        CaseStatus.UNDER_TRIAGE, patient=patient, specialty=cardiology, now=now, coordinator=coordinator
    )
    accepted = support.case_at(
        CaseStatus.ACCEPTED, patient=patient, specialty=cardiology, now=now, coordinator=coordinator, specialist=martin
    )
    waiting = support.case_at(
        CaseStatus.AWAITING_DOCUMENTS, patient=patient, specialty=cardiology, now=now, coordinator=coordinator
    )

    cards = {card.key: card.item for card in board_cards(user=coordinator, filters=BoardFilters(), now=now)}

    assert set(cards) == {f"secondopinion.case:{case.pk}" for case in (submitted, triaging, accepted, waiting)}
    new = cards[f"secondopinion.case:{submitted.pk}"]
    assert (new.queue, new.stage, new.title) == (
        CaseQueue.SECOND_OPINION,
        CaseStage.NEW,
        f"Second opinion #{submitted.pk}",
    )
    assert new.due_at is not None
    assert new.due_at.date() == now.date()  # one working day (8 hours) after a Monday-morning payment
    assert new.url == case_url(submitted)
    assert cards[f"secondopinion.case:{triaging.pk}"].stage == CaseStage.IN_PROGRESS
    assert cards[f"secondopinion.case:{accepted.pk}"].stage == CaseStage.SCHEDULED
    assert cards[f"secondopinion.case:{accepted.pk}"].due_at == accepted.due_at
    assert cards[f"secondopinion.case:{waiting.pk}"].stage == CaseStage.WAITING
    assert "Cardiology" not in " ".join(item.title + item.summary for item in cards.values())


def test_the_careteam_does_not_see_second_opinions_on_the_board(client, careteam, submitted, now):
    keys = {card.key for card in board_cards(user=careteam, filters=BoardFilters(), now=now)}
    assert f"secondopinion.case:{submitted.pk}" not in keys

    client.force_login(careteam)
    assert client.get(reverse("careteam:case", args=[f"secondopinion.case:{submitted.pk}"])).status_code == 404


def test_coordinators_open_the_board_page_and_their_cases_on_it(as_coordinator, submitted):
    board = as_coordinator.get(reverse("careteam:board"))

    assert board.status_code == 200
    assert f"Second opinion #{submitted.pk}" in board.content.decode()
    card = as_coordinator.get(reverse("careteam:case", args=[f"secondopinion.case:{submitted.pk}"]))
    assert card.status_code == 200


@pytest.mark.usefixtures("stripe_stub")
def test_a_closed_case_leaves_the_board(coordinator, submitted, now):
    case_declare_unsuitable(case=submitted, actor=coordinator, reason="out_of_scope", note="Not ours", now=now)

    assert board_cards(user=coordinator, filters=BoardFilters(), now=now) == []
    with pytest.raises(NotFound):
        case_card(user=coordinator, key=f"secondopinion.case:{submitted.pk}", now=now)
