"""The order API (/api/v1/concierge/orders/): preview, order, pay with 3-D Secure, cancel, and the
careteam's assignment and hours; bad input is a 400/404/409 with nothing written."""

from __future__ import annotations

import pytest

from concierge.models import AddonOrder, AddonOrderStatus
from concierge.tests.ordering_support import APPOINTMENT, HOURLY, PER_LEG, confirmed_booking, price_lists
from payments import ledger
from payments.ledger import ledger_check
from payments.tests.conftest import CARD_3DS, CARD_OK

pytestmark = pytest.mark.django_db

URL = "/api/v1/concierge/orders/"
PICKUP = APPOINTMENT.replace(hour=8, minute=15).isoformat()


@pytest.fixture
def booking(patient, careteam):
    price_lists(careteam)
    return confirmed_booking(patient)


LEG = {
    "origin_kind": "airport",
    "origin": "CDG",
    "destination_kind": "hotel",
    "destination": "Hôtel du Louvre",
    "pickup_at": PICKUP,
    "flight_number": "tk 1987",
    "passengers": 2,
    "luggage": 3,
}


def transfer_body(booking, **changes):
    body = {"kind": "transfer", "booking": booking.pk, "currency": "EUR", "legs": [LEG]}
    body.update(changes)
    return body


def interpreter_body(booking, **changes):
    body = {
        "kind": "interpreter",
        "booking": booking.pk,
        "currency": "EUR",
        "language": "ar",
        "provider_language": "fr",
        "minutes": 180,
        "first_day": APPOINTMENT.date().isoformat(),
        "last_day": APPOINTMENT.date().isoformat(),
    }
    body.update(changes)
    return body


def test_the_preview_gives_the_exact_lines_total_and_refund_schedule_and_writes_nothing(api_as, patient, booking):
    response = api_as(patient).post(f"{URL}preview/", interpreter_body(booking, minutes=90), format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["total"]["minor"] == 2 * HOURLY  # the 2-hour minimum applied
    assert [line["quantity"] for line in body["lines"]] == ["2 h 00"]
    assert [period["refund"]["minor"] for period in body["refund_schedule"]] == [2 * HOURLY, 0]
    assert "(Paris time)" in body["refund_schedule"][0]["label"]
    assert AddonOrder.objects.count() == 0


def test_an_order_is_created_once_for_one_idempotency_key(api_as, patient, booking):
    client = api_as(patient)

    first = client.post(URL, transfer_body(booking), format="json", HTTP_IDEMPOTENCY_KEY="order-1")
    again = client.post(URL, transfer_body(booking), format="json", HTTP_IDEMPOTENCY_KEY="order-1")

    assert first.status_code == 201, first.json()
    assert again.json()["id"] == first.json()["id"]
    assert AddonOrder.objects.count() == 1
    order = first.json()
    assert order["status"] == "awaiting_payment"
    assert order["amount"]["minor"] == PER_LEG
    assert order["legs"][0]["flight_number"] == "TK1987"
    assert order["available_actions"]["pay"]["allowed"]
    assert not order["available_actions"]["assign"]["allowed"]


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"legs": [{**LEG, "flight_number": "NOT A FLIGHT"}]}, 400, "legs.0.flight_number"),
        ({"legs": []}, 400, "legs"),
        ({"currency": "USD"}, 400, "currency"),
        ({"kind": "visa_letter"}, 400, "kind"),
    ],
)
def test_bad_transfer_input_is_a_400_naming_the_field_and_nothing_is_written(
    api_as, patient, booking, changes, status, field
):
    response = api_as(patient).post(URL, transfer_body(booking, **changes), format="json")

    assert response.status_code == status, response.json()
    assert field in response.json()["details"]
    assert AddonOrder.objects.count() == 0


@pytest.mark.parametrize("minutes", [0, 10_000 * 60])
def test_zero_or_ten_thousand_interpreter_hours_are_refused(api_as, patient, booking, minutes):
    response = api_as(patient).post(URL, interpreter_body(booking, minutes=minutes), format="json")

    assert response.status_code == 400
    assert "minutes" in response.json()["details"]
    assert AddonOrder.objects.count() == 0


def test_someone_elses_booking_is_404_and_an_unconfirmed_one_409(api_as, patient, other_patient, booking):
    assert api_as(other_patient).post(URL, transfer_body(booking), format="json").status_code == 404
    waiting = confirmed_booking(patient, confirmed=False)
    refused = api_as(patient).post(URL, transfer_body(waiting), format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "booking_not_confirmed")
    assert AddonOrder.objects.count() == 0


def test_a_patient_pays_with_3d_secure_then_cancels_for_a_full_refund(api_as, patient, booking, stripe_emulator):
    client = api_as(patient)
    order = client.post(URL, interpreter_body(booking), format="json").json()

    checkout = client.post(f"{URL}{order['id']}/pay/start/").json()
    payment_method = stripe_emulator.collect_card(checkout["setup_client_secret"], CARD_3DS)
    payment = client.post(f"{URL}{order['id']}/pay/", {"payment_method": payment_method}, format="json").json()
    assert payment["status"] == "requires_action"
    stripe_emulator.authenticate(payment["client_secret"])
    confirmed = client.post(f"{URL}{order['id']}/pay/confirm/").json()

    assert confirmed["status"] == "succeeded"
    assert confirmed["order"]["status"] == "confirmed"
    assert confirmed["order"]["available_actions"]["cancel"]["allowed"]
    cancelled = client.post(f"{URL}{order['id']}/cancel/").json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["refund"]["minor"] == 3 * HOURLY  # weeks before the first hour: in full
    assert ledger.income("addon:interpreter", "EUR").balance == 0
    assert ledger_check() == []


def test_the_careteam_lists_every_order_assigns_a_driver_and_records_hours(
    api_as, patient, other_patient, careteam, booking, stripe_emulator
):
    client = api_as(patient)
    order = client.post(URL, interpreter_body(booking, minutes=120), format="json").json()
    checkout = client.post(f"{URL}{order['id']}/pay/start/").json()
    payment_method = stripe_emulator.collect_card(checkout["setup_client_secret"], CARD_OK)
    assert client.post(f"{URL}{order['id']}/pay/", {"payment_method": payment_method}, format="json").status_code == 200
    team = api_as(careteam)

    listed = team.get(URL, {"status": "confirmed", "kind": "interpreter"}).json()
    assigned = team.post(
        f"{URL}{order['id']}/assign/", {"name": "Leila H.", "phone": "+33 6 00 00 00 01", "detail": "ar ↔ fr"}
    ).json()
    hours = team.post(f"{URL}{order['id']}/hours/", {"worked_minutes": 200}, format="json").json()

    assert [row["id"] for row in listed] == [order["id"]]
    assert api_as(other_patient).get(URL).json() == []
    assert (assigned["status"], assigned["supplier"]["name"]) == ("in_progress", "Leila H.")
    assert hours["order"]["interpreter"]["worked_minutes"] == 200
    assert hours["follow_up_order"]["status"] == AddonOrderStatus.AWAITING_PAYMENT
    assert hours["follow_up_order"]["amount"]["minor"] == int(1.5 * HOURLY)
    again = team.post(f"{URL}{order['id']}/hours/", {"worked_minutes": 200}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "hours_recorded")
    assert client.post(f"{URL}{order['id']}/assign/", {"name": "Me"}).status_code == 403
