"""The patient's add-on pages (the Services page, their orders, the card page) and the careteam's
page for one order."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from concierge.models import AddonOrder, AddonOrderStatus, PriceList, PriceListStatus
from concierge.pricing import interpreter_price
from concierge.services.orders import order_create
from core.money import Money
from payments.tests.conftest import CARD_3DS, CARD_OK

pytestmark = pytest.mark.django_db


def _interpreter_order(patient, minutes=180):
    return order_create(
        patient=patient,
        kind="interpreter",
        description="Interpreter",
        price=interpreter_price(minutes=minutes, hourly=6_000, reduced_hourly=4_500, currency="EUR"),
        now=timezone.now(),
        city="Lyon",
    )


def _price_list(kind, city, amount, **extra):
    return PriceList.objects.create(
        kind=kind,
        city=city,
        country="FR",
        currency="EUR",
        unit_amount=amount,
        status=PriceListStatus.ACTIVE,
        proposed_by=UserFactory(),
        proposed_at=timezone.now(),
        **extra,
    )


def test_the_services_page_explains_each_add_on_and_its_rules_to_anyone(client):
    _price_list("interpreter", "Lyon", 6_000, reduced_unit_amount=4_500)
    _price_list("transfer", "Lyon", 7_500, supplement_amount=2_000)
    _price_list("visa_letter", "Istanbul", 4_000)

    page = client.get(reverse("concierge:catalogue")).content.decode()

    assert "At least 2 hours per stay" in page
    assert "counted per stay" in page
    assert "waits up to 60 minutes" in page
    assert "48 hours or more" in page
    assert "does not promise a visa" in page
    assert "Not refundable once issued" in page
    assert "quoted by the careteam" in page
    assert "€60.00 per hour" in page
    assert "€45.00 per hour beyond 8 hours per stay" in page
    assert "Istanbul" in page


def test_the_services_page_shows_one_city_s_prices_when_asked(client):
    _price_list("interpreter", "Lyon", 6_000)
    _price_list("visa_letter", "Istanbul", 4_000)

    page = client.get(reverse("concierge:catalogue"), {"city": "Istanbul"}).content.decode()

    assert 'data-testid="prices-istanbul"' in page
    assert 'data-testid="prices-lyon"' not in page


def test_an_unknown_city_on_the_services_page_shows_every_city_and_says_so(client):
    _price_list("interpreter", "Lyon", 6_000)

    response = client.get(reverse("concierge:catalogue"), {"city": "<script>"})

    assert response.status_code == 200
    assert "We have no prices for that city yet" in response.content.decode()
    assert 'data-testid="prices-lyon"' in response.content.decode()


def test_the_menu_offers_the_services_page_to_everyone(client):
    assert reverse("concierge:catalogue") in client.get(reverse("home")).content.decode()


def test_a_patient_sees_their_orders_and_the_breakdown_with_the_minimum_applied(client, patient):
    order = _interpreter_order(patient, minutes=90)
    client.force_login(patient)

    listing = client.get(reverse("concierge:order_list")).content.decode()
    page = client.get(reverse("concierge:order_detail", args=[order.pk])).content.decode()

    assert reverse("concierge:order_detail", args=[order.pk]) in listing
    assert "2 h 00" in page  # 1 h 30 asked, the 2-hour minimum billed
    assert "€120.00" in page
    assert reverse("concierge:order_pay", args=[order.pk]) in page


def test_someone_else_s_order_is_not_found(client, patient, other_patient):
    order = _interpreter_order(patient)
    client.force_login(other_patient)

    for name in ("concierge:order_detail", "concierge:order_pay"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 404
    assert client.post(reverse("concierge:order_pay_start", args=[order.pk])).status_code == 404
    listing = client.get(reverse("concierge:order_list")).content.decode()
    assert reverse("concierge:order_detail", args=[order.pk]) not in listing


def test_the_card_page_shows_the_exact_total_and_its_lines_before_paying(client, patient):
    order = _interpreter_order(patient, minutes=9 * 60)  # 8 h at the hourly rate, 1 h at the reduced one
    client.force_login(patient)

    page = client.get(reverse("concierge:order_pay", args=[order.pk])).content.decode()

    assert "hours beyond 8 in the stay (reduced rate)" in page
    assert "€480.00" in page
    assert "€45.00" in page
    assert "Pay €525.00" in page
    assert reverse("concierge:order_pay_start", args=[order.pk]) in page
    assert 'id="payment-form"' in page


def test_a_patient_pays_an_order_by_card_through_the_page(client, patient, stripe_emulator):
    order = _interpreter_order(patient)
    client.force_login(patient)

    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = stripe_emulator.collect_card(start["client_secret"], CARD_OK)
    paid = client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method}).json()

    assert paid["status"] == "succeeded"
    assert paid["redirect"] == reverse("concierge:order_detail", args=[order.pk])
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CONFIRMED
    page = client.get(reverse("concierge:order_pay", args=[order.pk])).content.decode()
    assert "This order is paid." in page
    assert 'id="payment-form"' not in page


def test_a_payment_with_3d_secure_is_recorded_once_the_bank_confirms_it(client, patient, stripe_emulator):
    order = _interpreter_order(patient)
    client.force_login(patient)

    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = stripe_emulator.collect_card(start["client_secret"], CARD_3DS)
    asked = client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method}).json()
    assert asked["status"] == "requires_action"
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.AWAITING_PAYMENT

    stripe_emulator.authenticate(asked["client_secret"])
    confirmed = client.post(reverse("concierge:order_pay_confirm", args=[order.pk])).json()

    assert confirmed["status"] == "succeeded"
    order.refresh_from_db()
    assert order.status == AddonOrderStatus.CONFIRMED


def test_confirming_before_any_card_asks_for_the_card_again(client, patient):
    order = _interpreter_order(patient)
    client.force_login(patient)

    response = client.post(reverse("concierge:order_pay_confirm", args=[order.pk]))

    assert response.status_code == 409
    assert response.json()["code"] == "start_again"


def test_a_paid_order_cannot_be_started_again(client, patient, stripe_emulator):
    order = _interpreter_order(patient)
    client.force_login(patient)
    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = stripe_emulator.collect_card(start["client_secret"], CARD_OK)
    client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method})

    again = client.post(reverse("concierge:order_pay_start", args=[order.pk]))

    assert again.status_code == 409
    assert again.json()["message"] == "This order is already paid."


def test_the_careteam_refunds_a_paid_order_from_its_page(client, patient, careteam, stripe_emulator):
    order = _interpreter_order(patient)
    client.force_login(patient)
    start = client.post(reverse("concierge:order_pay_start", args=[order.pk])).json()
    method = stripe_emulator.collect_card(start["client_secret"], CARD_OK)
    client.post(reverse("concierge:order_pay_card", args=[order.pk]), {"payment_method": method})
    client.force_login(careteam)

    page = client.get(reverse("concierge:order_manage", args=[order.pk])).content.decode()
    assert reverse("concierge:order_manage_refund", args=[order.pk]) in page
    response = client.post(reverse("concierge:order_manage_refund", args=[order.pk]), follow=True)

    order.refresh_from_db()
    assert order.status == AddonOrderStatus.REFUNDED
    assert "refunded to the patient" in response.content.decode()


def test_a_patient_cannot_open_the_careteam_s_page_of_their_order(client, patient):
    order = _interpreter_order(patient)
    client.force_login(patient)

    assert client.get(reverse("concierge:order_manage", args=[order.pk])).status_code == 403
    assert client.post(reverse("concierge:order_manage_refund", args=[order.pk])).status_code == 403
    assert AddonOrder.objects.get(pk=order.pk).status == AddonOrderStatus.AWAITING_PAYMENT


def test_an_order_priced_as_one_amount_reads_as_its_kind(client, patient):
    order = order_create(
        patient=patient, kind="second_opinion", description="", price=Money(9_900, "EUR"), now=timezone.now()
    )
    client.force_login(patient)

    page = client.get(reverse("concierge:order_detail", args=[order.pk])).content.decode()

    assert "Remote second opinion" in page
    assert "€99.00" in page


def test_a_provider_s_public_page_leads_to_the_services_of_its_city(client, clinic):
    from providers.tests.factories import LocationFactory

    LocationFactory(provider=clinic, city="Lyon")

    page = client.get(reverse("providers:public", kwargs={"slug": clinic.slug})).content.decode()

    assert f"{reverse('concierge:catalogue')}?city=Lyon" in page
    assert "Interpreter, transfers and visa letter in Lyon" in page


def test_a_vip_order_s_page_is_its_package_page(client, patient):
    """The quote-ready e-mail links to the order; a VIP package is followed on its package page."""
    from concierge.services.packages import vip_request

    order = vip_request(patient=patient, city="Paris", note="A hotel near the clinic", now=timezone.now())
    client.force_login(patient)

    response = client.get(reverse("concierge:order_detail", args=[order.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("concierge:package_detail", args=[order.pk])
