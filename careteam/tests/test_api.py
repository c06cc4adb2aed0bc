"""The case board's API: the same cases and filters as the page, assigning, notes."""

from __future__ import annotations

import pytest
import time_machine

from careteam.models import CaseNote, CaseOwner
from careteam.tests import support
from careteam.tests.support import DAY, NOW
from concierge.models import AddonKind, AddonOrderStatus
from core.models import AuditEvent

pytestmark = pytest.mark.django_db
BOARD = "/api/v1/concierge/board/"


@pytest.fixture(autouse=True)
def _at_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(patient):
    return {
        "provider": support.pending_provider(applied=NOW - 6 * DAY, city="Lyon"),
        "vip": support.order(patient, AddonKind.VIP_CONCIERGE, AddonOrderStatus.REQUESTED, created=NOW - DAY),
    }


def test_the_board_lists_every_case_with_its_lateness_and_actions(api_as, careteam, cases):
    answer = api_as(careteam).get(BOARD)

    assert answer.status_code == 200
    by_key = {case["key"]: case for case in answer.json()}
    verification = by_key[f"providers.verification:{cases['provider'].pk}"]
    assert (verification["stage"], verification["days_late"], verification["city"]) == ("new", 2, "Lyon")
    assert verification["owner"] is None
    assert verification["available_actions"]["assign"]["allowed"] is True
    assert by_key[f"concierge.order:{cases['vip'].pk}"]["queue"] == "vip_package"


def test_the_board_takes_the_page_filters(api_as, careteam, cases):
    client = api_as(careteam)

    late = client.get(BOARD, {"late": "true"}).json()
    in_lyon = client.get(BOARD, {"city": "Lyon"}).json()
    refused = client.get(BOARD, {"late": "yes", "queue": "nonsense"})

    assert [case["key"] for case in late] == [f"providers.verification:{cases['provider'].pk}"]
    assert [case["city"] for case in in_lyon] == ["Lyon"]
    assert refused.status_code == 400
    assert set(refused.json()["details"]) == {"late", "queue"}


def test_assigning_and_unassigning_through_the_api(api_as, careteam, cases):
    key = f"concierge.order:{cases['vip'].pk}"
    client = api_as(careteam)

    given = client.post(f"{BOARD}{key}/assign/", {"owner": careteam.pk}, format="json")
    taken_back = client.post(f"{BOARD}{key}/assign/", {"owner": None}, format="json")

    assert given.status_code == 200
    assert given.json()["owner"] == {"id": careteam.pk, "email": careteam.email}
    assert taken_back.json()["owner"] is None
    assert AuditEvent.objects.filter(target_type="careteam.caseowner").count() == 2


def test_bad_assignments_are_refused_and_write_nothing(api_as, careteam, patient, cases):
    key = f"concierge.order:{cases['vip'].pk}"
    client = api_as(careteam)

    to_a_patient = client.post(f"{BOARD}{key}/assign/", {"owner": patient.pk}, format="json")
    to_nobody_known = client.post(f"{BOARD}{key}/assign/", {"owner": 987654}, format="json")
    unknown_case = client.post(f"{BOARD}concierge.order:424242/assign/", {"owner": careteam.pk}, format="json")

    assert (to_a_patient.status_code, to_a_patient.json()["code"]) == (400, "owner_not_careteam")
    assert to_nobody_known.status_code == 400
    assert (unknown_case.status_code, unknown_case.json()["code"]) == (404, "case_not_found")
    assert CaseOwner.objects.count() == 0


def test_a_note_through_the_api(api_as, careteam, cases):
    key = f"providers.verification:{cases['provider'].pk}"
    client = api_as(careteam)

    added = client.post(f"{BOARD}{key}/notes/", {"text": "Register checked."}, format="json")
    empty = client.post(f"{BOARD}{key}/notes/", {"text": "  "}, format="json")

    assert added.status_code == 201
    assert added.json()["text"] == "Register checked."
    assert empty.status_code == 400
    assert CaseNote.objects.count() == 1


def test_only_the_careteam_uses_the_board_api(api_as, anonymous, patient, finance, cases):
    key = f"concierge.order:{cases['vip'].pk}"

    assert anonymous.get(BOARD).status_code in {401, 403}
    for person in (patient, finance):
        client = api_as(person)
        assert client.get(BOARD).status_code == 403
        assert client.post(f"{BOARD}{key}/notes/", {"text": "x"}, format="json").status_code == 403
        assert client.post(f"{BOARD}{key}/assign/", {"owner": None}, format="json").status_code == 403
    assert CaseNote.objects.count() == CaseOwner.objects.count() == 0
