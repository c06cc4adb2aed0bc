"""The catalogue's services and selectors: prices proposed by the careteam and put in force by another
person in finance (four eyes), retiring the price they replace; suppliers; the margin."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from concierge.models import PriceList, PriceListStatus, Supplier
from concierge.selectors import (
    catalogue,
    cities_with_prices,
    price_list_in_force,
    supplier_margin,
    suppliers_in,
)
from concierge.services.catalogue import (
    price_list_approve,
    price_list_approve_check,
    price_list_propose,
    price_list_reject,
    price_list_reject_check,
    supplier_create,
    supplier_deactivate,
    supplier_update,
)
from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)


def _propose(careteam, **changes) -> PriceList:
    fields = {
        "kind": "interpreter",
        "city": "Paris",
        "country": "FR",
        "currency": "EUR",
        "unit_amount": 6_000,
        "reduced_unit_amount": 4_500,
        "supplement_amount": None,
        "note": "2030 rates",
    }
    return price_list_propose(actor=careteam, now=NOW, **{**fields, **changes})


def test_a_proposed_price_waits_for_finance_and_patients_still_see_the_old_one(careteam, finance):
    old = _propose(careteam)
    price_list_approve(price_list=old, actor=finance, now=NOW)

    new = _propose(careteam, unit_amount=6_500, reduced_unit_amount=5_000)

    assert new.status == PriceListStatus.PENDING
    assert price_list_in_force(kind="interpreter", city="Paris", currency="EUR") == old


def test_approving_puts_the_price_in_force_and_retires_the_one_it_replaces(careteam, finance):
    old = _propose(careteam)
    price_list_approve(price_list=old, actor=finance, now=NOW)
    new = _propose(careteam, unit_amount=6_500, reduced_unit_amount=5_000)

    approved = price_list_approve(price_list=new, actor=finance, note="Agreed", now=NOW + dt.timedelta(hours=1))

    old.refresh_from_db()
    assert (approved.status, old.status) == (PriceListStatus.ACTIVE, PriceListStatus.RETIRED)
    assert (approved.decided_by, approved.decision_note) == (finance, "Agreed")
    assert price_list_in_force(kind="interpreter", city="paris", currency="EUR") == approved
    actions = list(AuditEvent.objects.filter(target_type="concierge.pricelist").values_list("action", flat=True))
    assert actions.count("concierge.price_list.approved") == 2
    assert "concierge.price_list.retired" in actions


def test_the_proposer_cannot_approve_or_reject_their_own_price_even_in_finance(careteam):
    both = UserFactory(email="both@example.test", is_staff=True, groups=[StaffGroup.CARETEAM, StaffGroup.FINANCE])
    price = _propose(both)

    assert price_list_approve_check(price_list=price, actor=both).refusal.code == "price_own_proposal"
    assert price_list_reject_check(price_list=price, actor=both).refusal.code == "price_own_proposal"
    with pytest.raises(Conflict):
        price_list_approve(price_list=price, actor=both, now=NOW)
    price.refresh_from_db()
    assert price.status == PriceListStatus.PENDING


def test_only_the_careteam_proposes_and_only_finance_decides(careteam, finance, patient):
    with pytest.raises(Forbidden):
        _propose(finance)
    price = _propose(careteam)
    for someone in (careteam, patient):
        with pytest.raises(Forbidden):
            price_list_approve(price_list=price, actor=someone, now=NOW)
    assert PriceList.objects.filter(status=PriceListStatus.ACTIVE).count() == 0


def test_a_rejected_price_says_why_and_the_price_in_force_stays(careteam, finance):
    old = _propose(careteam)
    price_list_approve(price_list=old, actor=finance, now=NOW)
    new = _propose(careteam, unit_amount=9_900, reduced_unit_amount=None)

    with pytest.raises(ValidationFailed) as no_reason:
        price_list_reject(price_list=new, actor=finance, note="  ", now=NOW)
    rejected = price_list_reject(price_list=new, actor=finance, note="Too steep", now=NOW)

    assert no_reason.value.details == {"note": ["This field is required."]}
    assert (rejected.status, rejected.decision_note) == (PriceListStatus.REJECTED, "Too steep")
    assert price_list_in_force(kind="interpreter", city="Paris", currency="EUR") == old
    with pytest.raises(Conflict) as again:
        price_list_approve(price_list=rejected, actor=finance, now=NOW)
    assert again.value.code == "price_decided"


def test_one_proposal_at_a_time_per_add_on_city_and_currency(careteam):
    _propose(careteam)

    with pytest.raises(Conflict) as second:
        _propose(careteam, city="PARIS", unit_amount=7_000)
    other_currency = _propose(careteam, currency="USD")

    assert second.value.code == "price_pending"
    assert other_currency.status == PriceListStatus.PENDING


def test_proposing_the_price_already_in_force_is_refused(careteam, finance):
    price_list_approve(price_list=_propose(careteam), actor=finance, now=NOW)

    with pytest.raises(Conflict) as same:
        _propose(careteam)

    assert same.value.code == "price_unchanged"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"kind": "vip_concierge", "reduced_unit_amount": None}, "kind", "kind_not_priced"),
        ({"kind": "nonsense", "reduced_unit_amount": None}, "kind", "kind_not_priced"),
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"currency": ""}, "currency", "unknown_currency"),
        ({"unit_amount": 0}, "unit_amount", "invalid_amount"),
        ({"unit_amount": -100}, "unit_amount", "invalid_amount"),
        ({"unit_amount": 12.5}, "unit_amount", "invalid_amount"),
        ({"unit_amount": "6000"}, "unit_amount", "invalid_amount"),
        ({"unit_amount": 10**13}, "unit_amount", "invalid_amount"),
        ({"currency": "KWD", "unit_amount": 12_345, "reduced_unit_amount": None}, "unit_amount", "invalid_amount"),
        ({"reduced_unit_amount": 6_000}, "reduced_unit_amount", "reduced_not_below"),
        ({"reduced_unit_amount": 0}, "reduced_unit_amount", "invalid_amount"),
        ({"kind": "transfer", "reduced_unit_amount": 3_000}, "reduced_unit_amount", "reduced_not_allowed"),
        ({"supplement_amount": 1_000}, "supplement_amount", "supplement_not_allowed"),
        (
            {"kind": "transfer", "reduced_unit_amount": None, "supplement_amount": 0},
            "supplement_amount",
            "invalid_amount",
        ),
        ({"city": "  "}, "city", "required"),
        ({"country": "ZZ"}, "country", "invalid_country"),
        ({"note": "x" * 301}, "note", "too_long"),
    ],
)
def test_a_bad_price_is_refused_by_its_field_and_nothing_is_written(careteam, changes, field, code):
    with pytest.raises(ValidationFailed) as refused:
        _propose(careteam, **changes)

    assert refused.value.code == code
    assert field in refused.value.details
    assert not PriceList.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="concierge.").exists()


def test_three_decimal_and_zero_decimal_prices_are_accepted_in_their_steps(careteam):
    kwd = _propose(
        careteam, city="Kuwait City", country="KW", currency="KWD", unit_amount=18_500, reduced_unit_amount=14_250
    )
    jpy = _propose(careteam, city="Tokyo", country="JP", currency="JPY", unit_amount=8_001, reduced_unit_amount=6_999)

    assert (kwd.unit_amount, jpy.unit_amount) == (18_500, 8_001)


def test_the_catalogue_lists_each_citys_prices_in_force_only(careteam, finance):
    for kind, amount, extra in (
        ("interpreter", 6_000, {"reduced_unit_amount": 4_500}),
        ("transfer", 8_000, {"reduced_unit_amount": None, "supplement_amount": 2_000}),
    ):
        price_list_approve(
            price_list=_propose(careteam, kind=kind, unit_amount=amount, **extra), actor=finance, now=NOW
        )
    _propose(careteam, kind="visa_letter", unit_amount=5_000, reduced_unit_amount=None)  # pending: not shown
    bangkok = _propose(
        careteam, city="Bangkok", country="TH", currency="THB", unit_amount=150_000, reduced_unit_amount=None
    )
    price_list_approve(price_list=bangkok, actor=finance, now=NOW)

    cities = catalogue()
    paris = catalogue(city="paris")

    assert [c.city for c in cities] == ["Bangkok", "Paris"]
    assert [(p.kind, p.unit_amount) for p in paris[0].prices] == [("interpreter", 6_000), ("transfer", 8_000)]
    assert paris[0].country == "FR"
    assert catalogue(city="Atlantis") == []
    assert cities_with_prices() == ["Bangkok", "Paris"]


def _supplier(careteam, **changes) -> Supplier:
    fields = {
        "kind": "driver",
        "name": "Paris Prestige Cars",
        "city": "Paris",
        "country": "FR",
        "contact_name": "Karim B.",
        "email": "dispatch@prestige.example",
        "phone": "+33 6 12 34 56 78",
        "languages": "fr, EN",
        "cost_amount": 5_500,
        "cost_currency": "EUR",
        "cost_unit": "leg",
    }
    return supplier_create(actor=careteam, now=NOW, **{**fields, **changes})


def test_a_supplier_is_recorded_with_a_normalised_phone_and_languages_and_audited(careteam):
    supplier = _supplier(careteam)

    assert (supplier.phone, supplier.languages, supplier.active) == ("+33612345678", "fr,en", True)
    assert AuditEvent.objects.filter(action="concierge.supplier.created", target_id=str(supplier.pk)).exists()
    assert list(suppliers_in(city="paris", kind="driver")) == [supplier]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"kind": "astronaut"}, "kind"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"languages": "french!"}, "languages"),
        ({"cost_amount": -1}, "cost_amount"),
        ({"cost_currency": ""}, "cost_currency"),
        ({"cost_amount": None}, "cost_amount"),
        ({"cost_currency": "XXX"}, "cost_currency"),
        ({"cost_unit": "fortnight"}, "cost_unit"),
        ({"country": ""}, "country"),
    ],
)
def test_a_bad_supplier_is_refused_by_its_field_and_nothing_is_written(careteam, changes, field):
    with pytest.raises(ValidationFailed) as refused:
        _supplier(careteam, **changes)

    assert field in refused.value.details
    assert not Supplier.objects.exists()


def test_only_the_careteam_manages_suppliers(finance, careteam):
    with pytest.raises(Forbidden):
        _supplier(finance)
    supplier = _supplier(careteam)
    with pytest.raises(Forbidden):
        supplier_update(supplier=supplier, actor=finance, now=NOW, name="X")
    with pytest.raises(Forbidden):
        supplier_deactivate(supplier=supplier, actor=finance, now=NOW)


def test_updating_a_supplier_changes_only_what_is_given_and_audits_the_difference(careteam):
    supplier = _supplier(careteam)

    updated = supplier_update(supplier=supplier, actor=careteam, now=NOW, phone="+33 6 99 99 99 99")

    assert (updated.phone, updated.name, updated.cost_amount) == ("+33699999999", "Paris Prestige Cars", 5_500)
    event = AuditEvent.objects.get(action="concierge.supplier.updated")
    assert event.before == {"phone": "+33612345678"}
    assert event.after == {"phone": "+33699999999"}
    with pytest.raises(ValidationFailed):
        supplier_update(supplier=supplier, actor=careteam, now=NOW, email="nope")
    supplier.refresh_from_db()
    assert supplier.email == "dispatch@prestige.example"


def test_a_deactivated_supplier_is_no_longer_offered_and_cannot_be_deactivated_twice(careteam):
    supplier = _supplier(careteam)

    supplier_deactivate(supplier=supplier, actor=careteam, now=NOW)

    assert list(suppliers_in(city="Paris")) == []
    with pytest.raises(Conflict) as twice:
        supplier_deactivate(supplier=supplier, actor=careteam, now=NOW)
    assert twice.value.code == "supplier_inactive"


def test_the_margin_is_the_price_in_force_less_the_cost_in_the_same_currency_only(careteam, finance):
    driver = _supplier(careteam)
    interpreter = _supplier(careteam, kind="interpreter", name="LinguaMed", cost_amount=3_600, cost_unit="hour")
    hotel = _supplier(careteam, kind="hotel", name="Hôtel du Louvre", cost_amount=22_000, cost_unit="night")
    in_dollars = _supplier(careteam, name="US Cars", cost_currency="USD")
    price_list_approve(
        price_list=_propose(careteam, kind="transfer", unit_amount=8_000, reduced_unit_amount=None),
        actor=finance,
        now=NOW,
    )
    price_list_approve(price_list=_propose(careteam), actor=finance, now=NOW)

    driver_margin = supplier_margin(supplier=driver)
    interpreter_margin = supplier_margin(supplier=interpreter)

    assert (driver_margin.amount.amount, driver_margin.percent) == (2_500, 31)
    assert (interpreter_margin.amount.amount, interpreter_margin.percent) == (2_400, 40)
    assert supplier_margin(supplier=hotel) is None
    assert supplier_margin(supplier=in_dollars) is None
