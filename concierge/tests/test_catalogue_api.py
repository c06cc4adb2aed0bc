"""The catalogue's API: public prices in force; prices proposed and decided with four eyes; suppliers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from concierge.models import PriceList, PriceListStatus, Supplier

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "kind": "transfer",
    "city": "Paris",
    "country": "FR",
    "currency": "EUR",
    "unit_amount": 8_000,
    "supplement_amount": 2_000,
    "note": "2030 rates",
}
SUPPLIER = {
    "kind": "driver",
    "name": "Paris Prestige Cars",
    "city": "Paris",
    "country": "FR",
    "phone": "+33 6 12 34 56 78",
    "languages": "fr,en",
    "cost_amount": 5_500,
    "cost_currency": "EUR",
    "cost_unit": "leg",
}


def _in_force(api_as, careteam, finance, **changes) -> dict:
    proposed = api_as(careteam).post("/api/v1/concierge/prices/", {**PROPOSAL, **changes}, format="json")
    assert proposed.status_code == 201, proposed.json()
    approved = api_as(finance).post(f"/api/v1/concierge/prices/{proposed.json()['id']}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    return approved.json()


def test_anyone_reads_the_catalogue_of_prices_in_force_per_city(api, api_as, careteam, finance):
    _in_force(api_as, careteam, finance)
    api_as(careteam).post(
        "/api/v1/concierge/prices/",
        {**PROPOSAL, "kind": "visa_letter", "unit_amount": 4_500, "supplement_amount": None},
        format="json",
    )

    answer = api.get("/api/v1/concierge/catalogue/?city=paris")

    assert answer.status_code == 200
    (paris,) = answer.json()
    assert (paris["city"], paris["country"]) == ("Paris", "FR")
    (transfer,) = paris["prices"]
    assert transfer["kind"] == "transfer"
    assert transfer["unit"] == "leg"
    assert transfer["price"] == {"amount": "80.00", "currency": "EUR", "minor": 8_000}
    assert transfer["wheelchair_supplement"]["minor"] == 2_000
    assert transfer["reduced_price"] is None
    assert api.get("/api/v1/concierge/catalogue/?city=Atlantis").json() == []


def test_the_careteam_proposes_and_another_person_in_finance_approves(api_as, careteam, finance):
    proposed = api_as(careteam).post("/api/v1/concierge/prices/", PROPOSAL, format="json")

    body = proposed.json()
    assert proposed.status_code == 201
    assert (body["status"], body["proposed_by"]) == ("pending", careteam.email)
    assert body["available_actions"]["approve"]["allowed"] is False  # the careteam is not finance

    listed = api_as(finance).get("/api/v1/concierge/prices/").json()
    assert listed[0]["available_actions"]["approve"] == {"allowed": True, "code": None, "reason": ""}

    approved = api_as(finance).post(f"/api/v1/concierge/prices/{body['id']}/approve/", {"note": "OK"}, format="json")
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["decision_note"]) == ("active", "OK")


def test_approving_twice_is_a_conflict_and_rejecting_without_a_note_is_refused(api_as, careteam, finance):
    price = _in_force(api_as, careteam, finance)
    again = api_as(finance).post(f"/api/v1/concierge/prices/{price['id']}/approve/", {}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "price_decided")

    pending = (
        api_as(careteam).post("/api/v1/concierge/prices/", {**PROPOSAL, "unit_amount": 9_000}, format="json").json()
    )
    no_note = api_as(finance).post(f"/api/v1/concierge/prices/{pending['id']}/reject/", {}, format="json")
    assert (no_note.status_code, no_note.json()["details"]) == (400, {"note": ["This field is required."]})
    rejected = api_as(finance).post(f"/api/v1/concierge/prices/{pending['id']}/reject/", {"note": "No"}, format="json")
    assert rejected.json()["status"] == "rejected"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "vip_concierge"}, "kind"),
        ({"currency": "XYZ"}, "currency"),
        ({"unit_amount": 0}, "unit_amount"),
        ({"unit_amount": -5}, "unit_amount"),
        ({"unit_amount": "80.00"}, "unit_amount"),
        ({"reduced_unit_amount": 5_000}, "reduced_unit_amount"),
        ({"kind": "interpreter", "reduced_unit_amount": 9_000}, "reduced_unit_amount"),
        ({"kind": "visa_letter"}, "supplement_amount"),
        ({"currency": "KWD", "unit_amount": 8_005, "supplement_amount": None}, "unit_amount"),
    ],
)
def test_a_bad_proposal_is_a_400_naming_its_field_and_nothing_is_written(api_as, careteam, changes, field):
    answer = api_as(careteam).post("/api/v1/concierge/prices/", {**PROPOSAL, **changes}, format="json")

    assert answer.status_code == 400
    assert field in answer.json()["details"]
    assert not PriceList.objects.exists()


def test_the_proposer_in_finance_cannot_approve_their_own_price(api_as, careteam):
    careteam.groups.add(Group.objects.get(name="finance"))
    proposed = api_as(careteam).post("/api/v1/concierge/prices/", PROPOSAL, format="json").json()

    answer = api_as(careteam).post(f"/api/v1/concierge/prices/{proposed['id']}/approve/", {}, format="json")

    assert (answer.status_code, answer.json()["code"]) == (409, "price_own_proposal")
    assert PriceList.objects.get().status == PriceListStatus.PENDING


def test_patients_and_providers_cannot_see_or_change_prices(api_as, patient, clinic_admin, careteam):
    price = api_as(careteam).post("/api/v1/concierge/prices/", PROPOSAL, format="json").json()
    for someone in (patient, clinic_admin):
        assert api_as(someone).get("/api/v1/concierge/prices/").status_code == 403
        assert api_as(someone).post("/api/v1/concierge/prices/", PROPOSAL, format="json").status_code == 403
        assert (
            api_as(someone).post(f"/api/v1/concierge/prices/{price['id']}/approve/", {}, format="json").status_code
            == 403
        )


def test_finance_cannot_propose_a_price(api_as, finance):
    answer = api_as(finance).post("/api/v1/concierge/prices/", PROPOSAL, format="json")

    assert answer.status_code == 403
    assert not PriceList.objects.exists()


def test_the_careteam_records_a_supplier_and_sees_its_margin(api_as, careteam, finance):
    _in_force(api_as, careteam, finance)

    created = api_as(careteam).post("/api/v1/concierge/suppliers/", SUPPLIER, format="json")

    body = created.json()
    assert created.status_code == 201
    assert (body["phone"], body["languages"], body["active"]) == ("+33612345678", ["fr", "en"], True)
    assert body["margin"]["amount"] == {"amount": "25.00", "currency": "EUR", "minor": 2_500}
    assert body["margin"]["percent"] == 31
    listed = api_as(careteam).get("/api/v1/concierge/suppliers/?city=PARIS").json()
    assert [s["name"] for s in listed] == ["Paris Prestige Cars"]


def test_a_bad_supplier_is_a_400_and_nothing_is_written(api_as, careteam):
    answer = api_as(careteam).post("/api/v1/concierge/suppliers/", {**SUPPLIER, "phone": "call me"}, format="json")

    assert (answer.status_code, list(answer.json()["details"])) == (400, ["phone"])
    assert not Supplier.objects.exists()


def test_patching_a_supplier_changes_what_is_sent_and_active_false_deactivates_it(api_as, careteam):
    supplier = api_as(careteam).post("/api/v1/concierge/suppliers/", SUPPLIER, format="json").json()
    url = f"/api/v1/concierge/suppliers/{supplier['id']}/"

    renamed = api_as(careteam).patch(url, {"name": "Prestige Cars"}, format="json")
    deactivated = api_as(careteam).patch(url, {"active": False}, format="json")
    twice = api_as(careteam).patch(url, {"active": False}, format="json")
    bad = api_as(careteam).patch(url, {"email": "nope"}, format="json")

    assert (renamed.status_code, renamed.json()["name"], renamed.json()["city"]) == (200, "Prestige Cars", "Paris")
    assert deactivated.json()["active"] is False
    assert deactivated.json()["available_actions"]["deactivate"]["code"] == "supplier_inactive"
    assert (twice.status_code, twice.json()["code"]) == (409, "supplier_inactive")
    assert bad.status_code == 400
    assert Supplier.objects.get().email == ""
    assert api_as(careteam).patch("/api/v1/concierge/suppliers/999999/", {}, format="json").status_code == 404


def test_only_the_careteam_manages_suppliers_through_the_api(api_as, finance, patient):
    for someone in (finance, patient):
        assert api_as(someone).get("/api/v1/concierge/suppliers/").status_code == 403
        assert api_as(someone).post("/api/v1/concierge/suppliers/", SUPPLIER, format="json").status_code == 403
    assert not Supplier.objects.exists()
