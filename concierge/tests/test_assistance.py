"""Careteam assistance: the patient's mandate, the careteam's fee, paying, revoking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concierge.models import AddonOrder, AddonOrderStatus, CareMandate
from concierge.services.assistance import (
    assistance_quote,
    assistance_refuse,
    assistance_request,
    mandate_revoke,
    mandate_valid_check,
)
from concierge.services.packages import order_quote_accept
from concierge.tests.support import careteam_price, paid_assistance, requested_assistance
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditEvent
from payments import ledger
from payments.ledger import ledger_check

pytestmark = pytest.mark.django_db


def test_a_request_records_the_mandate_with_its_scope_and_expiry(patient):
    now = timezone.now()
    order = requested_assistance(patient, now, days=30)

    assert (order.kind, order.status) == ("careteam", AddonOrderStatus.REQUESTED)
    mandate = CareMandate.objects.get(order=order)
    assert (mandate.scope, mandate.granted_at, mandate.expires_at) == (
        "find_providers,request_quotes",
        now,
        now + dt.timedelta(days=30),
    )
    assert AuditEvent.objects.filter(action="concierge.mandate.granted").count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scope": []}, "scope"),
        ({"scope": ["everything"]}, "scope"),
        ({"days": 0}, "expires_at"),
        ({"days": 91}, "expires_at"),
        ({"city": " "}, "city"),
    ],
)
def test_a_bad_mandate_is_refused_and_nothing_written(patient, changes, field):
    now = timezone.now()
    days = changes.pop("days", 30)
    values = {"scope": ["qualify"], "note": "", "city": "Istanbul", **changes}

    with pytest.raises(ValidationFailed) as refused:
        assistance_request(patient=patient, expires_at=now + dt.timedelta(days=days), now=now, **values)

    assert field in refused.value.details
    assert (AddonOrder.objects.count(), CareMandate.objects.count()) == (0, 0)


def test_the_careteam_prices_the_fee_from_the_city_price_list(patient, careteam):
    now = timezone.now()
    careteam_price(careteam, now, amount=25_000)

    order = assistance_quote(order=requested_assistance(patient, now), actor=careteam, currency="EUR", now=now)

    assert (order.status, order.amount, order.currency) == (AddonOrderStatus.QUOTED, 25_000, "EUR")
    assert [line.amount for line in order.lines.all()] == [25_000]


def test_without_a_price_list_the_fee_is_refused_and_the_careteam_says_why(patient, careteam):
    now = timezone.now()
    order = requested_assistance(patient, now)

    with pytest.raises(Conflict) as refused:
        assistance_quote(order=order, actor=careteam, currency="USD", now=now)
    assert refused.value.code == "no_price_list"
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.REQUESTED

    cancelled = assistance_refuse(order=order, actor=careteam, reason="We do not cover this city yet.", now=now)
    assert (cancelled.status, cancelled.refund_explanation) == (
        AddonOrderStatus.CANCELLED,
        "We do not cover this city yet.",
    )


def test_only_the_careteam_prices_assistance(patient):
    now = timezone.now()
    with pytest.raises(Forbidden):
        assistance_quote(order=requested_assistance(patient, now), actor=patient, currency="EUR", now=now)


def test_paid_assistance_is_income_and_its_mandate_lets_the_careteam_act(stripe_emulator, patient, careteam):
    now = timezone.now()
    order = paid_assistance(stripe_emulator, patient, careteam, now)

    assert order.status == AddonOrderStatus.CONFIRMED
    assert mandate_valid_check(order=order, now=now).allowed
    assert ledger.income("addon:careteam", "EUR").balance == -25_000
    assert ledger_check() == []


def test_an_expired_or_revoked_mandate_is_not_valid(stripe_emulator, patient, careteam, other_patient):
    now = timezone.now()
    order = paid_assistance(stripe_emulator, patient, careteam, now, days=2)

    assert mandate_valid_check(order=order, now=now + dt.timedelta(days=3)).refusal.code == "mandate_not_valid"
    with pytest.raises(NotFound):
        mandate_revoke(order=order, actor=other_patient, now=now)
    mandate_revoke(order=order, actor=patient, now=now)
    assert mandate_valid_check(order=order, now=now).refusal.code == "mandate_not_valid"
    assert AuditEvent.objects.filter(action="concierge.mandate.revoked", actor_id=patient.pk).count() == 1
    with pytest.raises(Conflict):
        mandate_revoke(order=order, actor=patient, now=now)


def test_a_quote_whose_mandate_was_revoked_cannot_be_accepted(patient, careteam):
    now = timezone.now()
    careteam_price(careteam, now)
    order = assistance_quote(order=requested_assistance(patient, now), actor=careteam, currency="EUR", now=now)
    mandate_revoke(order=order, actor=patient, now=now)

    with pytest.raises(Conflict) as refused:
        order_quote_accept(order=order, actor=patient, now=now)

    assert refused.value.code == "mandate_not_valid"


def test_the_board_shows_packages_and_assistance_cases_without_health_details(patient, careteam):
    from concierge.cases import case_items as concierge_case_items
    from concierge.services.packages import vip_request
    from core.cases import CaseQueue, CaseStage
    from core.hooks import case_items

    now = timezone.now()
    vip = vip_request(patient=patient, city="Istanbul", note="Knee surgery, hotel please", now=now)
    help_order = requested_assistance(patient, now)

    items = {item.key: item for item in concierge_case_items(now=now)}

    assert concierge_case_items in list(case_items)
    assert items[f"concierge.order:{vip.pk}"].queue == CaseQueue.VIP_PACKAGE
    assert items[f"concierge.order:{vip.pk}"].stage == CaseStage.NEW
    assert items[f"concierge.order:{vip.pk}"].url == f"/services/packages/{vip.pk}/edit/"
    assert "Knee" not in items[f"concierge.order:{vip.pk}"].title
    assert items[f"concierge.order:{help_order.pk}"].queue == CaseQueue.ASSISTANCE


def test_a_quote_whose_mandate_expired_cannot_be_accepted(patient, careteam):
    now = timezone.now()
    careteam_price(careteam, now)
    order = assistance_quote(order=requested_assistance(patient, now, days=2), actor=careteam, currency="EUR", now=now)

    with pytest.raises(Conflict) as refused:
        order_quote_accept(order=order, actor=patient, now=now + dt.timedelta(days=3))

    assert refused.value.code == "mandate_not_valid"
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.QUOTED
