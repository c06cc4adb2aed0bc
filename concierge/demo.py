"""Demo data for concierge: the add-ons' prices in force in the seven demo cities (proposed by the
demo careteam member, approved by the demo finance member, through the services) and two to four
suppliers per city with their costs below the prices. Idempotent: what exists is left alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from bookings.services.holds import booking_hold
from concierge.models import AddonKind, AddonOrder, CostUnit, PriceList, PriceListStatus, Supplier, SupplierKind
from concierge.selectors import price_list_in_force
from concierge.services.catalogue import price_list_approve, price_list_propose, supplier_create
from concierge.services.ordering import (
    interpreter_days_proposed,
    order_create_interpreter,
    order_create_transfer,
    transfer_legs_proposed,
)
from concierge.services.orders import order_pay, order_start
from payments.demo import demo_card_collect, demo_payments_possible
from payments.services.deposits import deposit_pay, deposit_start
from providers.availability import offering_free_slots
from providers.models import BookingMode, Offering


@dataclass(frozen=True)
class DemoCity:
    city: str
    country: str
    currency: str
    # minor units: interpreter per hour and beyond 8 hours, transfer per leg and wheelchair supplement,
    # visa letter, careteam assistance
    interpreter: tuple[int, int]
    transfer: tuple[int, int]
    visa_letter: int
    careteam: int
    # (kind, name, phone, languages, cost, cost unit)
    suppliers: tuple[tuple[str, str, str, str, int | None, str], ...]


INTERPRETER, DRIVER = SupplierKind.INTERPRETER, SupplierKind.DRIVER

CITIES = (
    DemoCity(
        "Paris", "FR", "EUR", (6_000, 4_500), (8_000, 2_000), 4_500, 25_000,
        (
            (INTERPRETER, "LinguaMed Paris", "+33 1 42 68 53 00", "en,ar,ru,zh", 3_600, CostUnit.HOUR),
            (DRIVER, "Paris Prestige Cars", "+33 6 12 34 56 78", "fr,en", 5_500, CostUnit.LEG),
            (SupplierKind.HOTEL, "Hôtel Saint-Jacques", "+33 1 44 07 45 45", "fr,en", 16_000, CostUnit.NIGHT),
            (SupplierKind.INSURER, "Europ Medical Cover", "+33 1 41 85 85 85", "fr,en", 9_000, CostUnit.FLAT),
        ),
    ),
    DemoCity(
        "Bangkok", "TH", "THB", (180_000, 140_000), (220_000, 60_000), 150_000, 800_000,
        (
            (INTERPRETER, "Siam Medical Interpreters", "+66 2 011 5000", "en,ar,ja,zh", 110_000, CostUnit.HOUR),
            (DRIVER, "Krung Thep Limousine", "+66 81 234 5678", "th,en", 140_000, CostUnit.LEG),
            (SupplierKind.HOTEL, "Sukhumvit Residence", "+66 2 255 4444", "th,en", 350_000, CostUnit.NIGHT),
        ),
    ),
    DemoCity(
        "Istanbul", "TR", "TRY", (250_000, 190_000), (350_000, 90_000), 200_000, 1_100_000,
        (
            (INTERPRETER, "Boğaziçi Tercüme", "+90 212 555 01 23", "en,ar,ru,de", 150_000, CostUnit.HOUR),
            (DRIVER, "Anadolu VIP Transfer", "+90 532 123 45 67", "tr,en,ar", 230_000, CostUnit.LEG),
        ),
    ),
    DemoCity(
        "Mumbai", "IN", "INR", (250_000, 190_000), (300_000, 80_000), 350_000, 1_800_000,
        (
            (INTERPRETER, "Bombay Language Bureau", "+91 22 6654 3210", "en,ar,fr,sw", 150_000, CostUnit.HOUR),
            (DRIVER, "Marine Drive Cabs", "+91 98200 12345", "hi,en", 180_000, CostUnit.LEG),
            (SupplierKind.INSURER, "Sahyadri Health Assurance", "+91 22 4000 5000", "en,hi", 500_000, CostUnit.FLAT),
        ),
    ),
    DemoCity(
        "Kuwait City", "KW", "KWD", (18_500, 14_250), (22_000, 6_000), 15_000, 80_000,
        (
            (INTERPRETER, "Gulf Medical Translation", "+965 2222 3344", "ar,en,fr,hi", 11_000, CostUnit.HOUR),
            (DRIVER, "Al Hamra Chauffeurs", "+965 6555 1234", "ar,en", 14_000, CostUnit.LEG),
        ),
    ),
    DemoCity(
        "Tokyo", "JP", "JPY", (9_000, 7_000), (14_000, 3_000), 7_000, 40_000,
        (
            (INTERPRETER, "Tokyo Medical Interpreting", "+81 3 5555 0101", "ja,en,zh,ko", 5_500, CostUnit.HOUR),
            (DRIVER, "Haneda Hire Cars", "+81 90 1234 5678", "ja,en", 9_500, CostUnit.LEG),
            (SupplierKind.HOTEL, "Shinagawa Stay", "+81 3 6666 0202", "ja,en", 18_000, CostUnit.NIGHT),
        ),
    ),
    DemoCity(
        "Lisbon", "PT", "EUR", (5_000, 3_800), (5_500, 1_500), 4_000, 20_000,
        (
            (INTERPRETER, "Intérpretes do Tejo", "+351 21 340 5000", "pt,en,fr,de", 3_000, CostUnit.HOUR),
            (DRIVER, "Lisboa Transfers", "+351 912 345 678", "pt,en,fr", 3_800, CostUnit.LEG),
        ),
    ),
)  # fmt: skip


def _price(kind: str, city: DemoCity, careteam: User, finance: User, **amounts: int | None) -> None:
    now = timezone.now()
    if price_list_in_force(kind=kind, city=city.city, currency=city.currency) is not None:
        return
    pending = PriceList.objects.filter(
        kind=kind, city=city.city, currency=city.currency, status=PriceListStatus.PENDING
    ).first()
    if pending is None:
        pending = price_list_propose(
            actor=careteam,
            kind=kind,
            city=city.city,
            country=city.country,
            currency=city.currency,
            note="Demo price list",
            now=now,
            **amounts,
        )
    price_list_approve(price_list=pending, actor=finance, note="Checked against the suppliers' costs", now=now)


def seed_concierge_catalogue() -> None:
    """Prices in force and suppliers in the seven demo cities (run after the people and providers)."""
    careteam = User.objects.get(email="careteam@medibroker.test")
    finance = User.objects.get(email="finance@medibroker.test")
    for city in CITIES:
        hourly, reduced = city.interpreter
        per_leg, supplement = city.transfer
        _price(AddonKind.INTERPRETER, city, careteam, finance, unit_amount=hourly, reduced_unit_amount=reduced)
        _price(AddonKind.TRANSFER, city, careteam, finance, unit_amount=per_leg, supplement_amount=supplement)
        _price(AddonKind.VISA_LETTER, city, careteam, finance, unit_amount=city.visa_letter)
        _price(AddonKind.CARETEAM, city, careteam, finance, unit_amount=city.careteam)
        for kind, name, phone, languages, cost, unit in city.suppliers:
            if Supplier.objects.filter(name=name, city=city.city).exists():
                continue
            supplier_create(
                actor=careteam,
                kind=kind,
                name=name,
                city=city.city,
                country=city.country,
                contact_name="",
                email=f"bookings@{name.lower().replace(' ', '-').encode('ascii', 'ignore').decode()}.example",
                phone=phone,
                languages=languages,
                cost_amount=cost,
                cost_currency=city.currency if cost is not None else "",
                cost_unit=unit,
                now=timezone.now(),
            )


# --- Amelia's paid booking and add-ons, and a VIP request on the board ------------------------------------

AMELIA = "amelia.hughes@example.test"
DEMO_PROVIDER = "claire.dupont@provider.test"  # Paris: a French provider, so her visa letter is in French too


def _demo_offering() -> Offering | None:
    """The first offering bookable online of the Paris demo practitioner."""
    return (
        Offering.objects.filter(
            provider__members__user__email=DEMO_PROVIDER, booking_mode=BookingMode.ONLINE, is_active=True
        )
        .select_related("location", "provider")
        .order_by("pk")
        .first()
    )


def _first_free_start(offering: Offering, now: dt.datetime) -> dt.datetime | None:
    """A slot about three weeks ahead, so the add-ons can still be ordered and cancelled."""
    first = (now + dt.timedelta(days=21)).date()
    slots = offering_free_slots(offering=offering, first_day=first, last_day=first + dt.timedelta(days=21), now=now)
    return slots[0].start if slots else None


def seed_concierge_orders() -> str:
    """Amelia's paid Paris booking with a paid airport transfer and interpreter, a driver to assign from
    the careteam's board. Idempotent; the payments go to the local Stripe emulator with the test card,
    so without it they are skipped. Returns a line for the seed's output."""
    now = timezone.now()
    amelia = User.objects.get(email=AMELIA)
    said: list[str] = []
    if AddonOrder.objects.filter(patient=amelia, kind=AddonKind.TRANSFER).exists():
        return "; ".join(said) or "concierge demo orders already there"
    if not demo_payments_possible():
        said.append("no paid booking or add-ons (the Stripe emulator is not running: `make run` starts it)")
        return "; ".join(said)
    offering = _demo_offering()
    start = None if offering is None else _first_free_start(offering, now)
    if offering is None or start is None:
        said.append("no paid booking (no free slot at the Paris demo practitioner)")
        return "; ".join(said)
    booking = booking_hold(patient=amelia, offering=offering, start=start, now=now)
    checkout = deposit_start(booking=booking, actor=amelia, now=now)
    deposit_pay(
        booking=booking,
        actor=amelia,
        payment_method=demo_card_collect(setup_client_secret=checkout.setup_client_secret),
        now=now,
    )
    booking.refresh_from_db()
    arrival = start - dt.timedelta(days=1, hours=3)
    legs = transfer_legs_proposed(
        booking=booking,
        arrival_at=arrival,
        arrival_flight="BA304",
        departure_at=start + dt.timedelta(days=2),
        departure_flight="BA309",
        hotel="Hôtel des Grands Boulevards, 17 boulevard Poissonnière, Paris",
    )
    transfer = order_create_transfer(patient=amelia, booking=booking, legs=legs, currency=booking.currency, now=now)
    first_day, last_day = interpreter_days_proposed(booking=booking) or (start.date(), start.date())
    interpreter = order_create_interpreter(
        patient=amelia,
        booking=booking,
        language="en",
        provider_language="fr",
        minutes=180,
        first_day=first_day,
        last_day=last_day,
        currency=booking.currency,
        now=now,
    )
    for order in (transfer, interpreter):
        checkout_order = order_start(order=order, actor=amelia, now=now)
        order_pay(
            order=order,
            actor=amelia,
            payment_method=demo_card_collect(setup_client_secret=checkout_order.setup_client_secret),
            now=now,
        )
    said.append(
        f"Amelia's paid booking #{booking.pk} in Paris, a paid transfer and interpreter (assign them at /careteam/)"
    )
    return "; ".join(said)


def seed_vip_request() -> None:
    """Amelia's VIP concierge request in Istanbul, waiting on the careteam's board to be built."""
    from concierge.models import AddonOrder
    from concierge.services.packages import vip_request

    amelia = User.objects.filter(email="amelia.hughes@example.test").first()
    if amelia is None or AddonOrder.objects.filter(patient=amelia, kind=AddonKind.VIP_CONCIERGE).exists():
        return
    vip_request(
        patient=amelia,
        city="Istanbul",
        note="Travelling with my husband; a quiet hotel within walking distance of the hospital.",
        wishes=["travel", "accommodation", "interpreter"],
        now=timezone.now(),
    )
