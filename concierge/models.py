"""Concierge: the add-ons a patient buys besides their treatment, their catalogue and suppliers.

- `PriceList`: what an add-on costs in a destination city and currency. The careteam proposes a
  price; it applies once finance approves it (one active price per kind, city and currency).
  The kind's rules (the interpreter's 2-hour minimum, 15-minute steps, reduced rate beyond
  8 hours per stay) are code: `concierge.pricing`.
- `Supplier`: who does the work in a city (interpreter agencies, drivers, hotels, insurers), with
  contacts and cost, so the margin is known.
- `AddonOrder`: one add-on bought by a patient, usually for one of their bookings, with its
  breakdown (`OrderLine`) and what the kind needs: transfer legs (`TransferLeg`), interpreter
  hours (`InterpreterRequest`), visa letters (`VisaLetter`), a VIP package's items
  (`PackageItem`), careteam assistance's mandate (`CareMandate`). Paid by card like a shop's
  order, through payments' card-payment services: the platform's income at once, never a deposit
  held in trust.

The orders' table is still `payments_addonorder` (the orders were payments' before this app
existed), with its constraints' names unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class AddonKind(models.TextChoices):
    SECOND_OPINION = "second_opinion", _("Remote second opinion")
    INTERPRETER = "interpreter", _("On-site interpreter")
    TRANSFER = "transfer", _("Airport–hotel–hospital transfer")
    VISA_LETTER = "visa_letter", _("Visa invitation letter")
    VIP_CONCIERGE = "vip_concierge", _("VIP concierge")
    CARETEAM = "careteam", _("Careteam assistance")


# --- catalogue ------------------------------------------------------------------------------------


class PriceListStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting finance's approval")
    ACTIVE = "active", _("In force")
    REJECTED = "rejected", _("Rejected")
    RETIRED = "retired", _("Replaced")


PRICE_LIST_TRANSITIONS: dict[str, frozenset[str]] = {
    PriceListStatus.PENDING: frozenset({PriceListStatus.ACTIVE, PriceListStatus.REJECTED}),
    PriceListStatus.ACTIVE: frozenset({PriceListStatus.RETIRED}),
    PriceListStatus.REJECTED: frozenset(),
    PriceListStatus.RETIRED: frozenset(),
}


class PriceList(models.Model):
    """The price of one add-on kind in one city and currency. A change is a new row, proposed by
    the careteam (pending) and put in force by finance, which retires the row it replaces.

    `unit_amount` is per hour (interpreter), per leg (transfer), per letter (visa letter) or the
    fee (careteam assistance; a VIP package is quoted item by item). `reduced_unit_amount` is the
    interpreter's hourly rate beyond 8 hours per stay; `supplement_amount` a transfer leg's extra
    for a wheelchair-accessible vehicle."""

    kind = models.CharField(_("add-on"), max_length=20, choices=AddonKind.choices)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    currency = models.CharField(_("currency"), max_length=3)
    unit_amount = models.BigIntegerField(_("price (minor units)"))
    reduced_unit_amount = models.BigIntegerField(_("reduced hourly rate (minor units)"), null=True, blank=True)
    supplement_amount = models.BigIntegerField(_("supplement (minor units)"), null=True, blank=True)
    # A second opinion is priced per specialty (no city: it is given remotely); other kinds per city.
    specialty = models.ForeignKey(
        "providers.Specialty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("specialty"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PriceListStatus.choices, default=PriceListStatus.PENDING
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    decision_note = models.CharField(_("finance's note"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "city", "currency", "-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_amount__gt=0), name="concierge_price_positive"),
            models.CheckConstraint(
                condition=Q(reduced_unit_amount__isnull=True) | Q(reduced_unit_amount__gt=0),
                name="concierge_price_reduced_positive",
            ),
            models.CheckConstraint(
                condition=Q(supplement_amount__isnull=True) | Q(supplement_amount__gte=0),
                name="concierge_price_supplement_not_negative",
            ),
            models.UniqueConstraint(
                fields=["kind", "city", "currency"],
                condition=Q(status="active", specialty__isnull=True),
                name="concierge_one_active_price",
            ),
            # One proposal at a time per price: finance decides it before the next.
            models.UniqueConstraint(
                fields=["kind", "city", "currency"],
                condition=Q(status="pending", specialty__isnull=True),
                name="concierge_one_pending_price",
            ),
            # A second opinion's price: one per specialty and currency.
            models.UniqueConstraint(
                fields=["kind", "specialty", "currency"],
                condition=Q(status="active", specialty__isnull=False),
                name="concierge_one_active_specialty_price",
            ),
            models.UniqueConstraint(
                fields=["kind", "specialty", "currency"],
                condition=Q(status="pending", specialty__isnull=False),
                name="concierge_one_pending_specialty_price",
            ),
        ]
        verbose_name = _("price list")

    def __str__(self) -> str:
        place = self.city if self.specialty_id is None else str(self.specialty)
        return f"{self.get_kind_display()}, {place} ({self.currency}, {self.status})"


class SupplierKind(models.TextChoices):
    INTERPRETER = "interpreter", _("Interpreter or agency")
    DRIVER = "driver", _("Driver or car service")
    HOTEL = "hotel", _("Hotel")
    INSURER = "insurer", _("Insurer")
    OTHER = "other", _("Other")


class CostUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    LEG = "leg", _("per leg")
    NIGHT = "night", _("per night")
    FLAT = "flat", _("flat")


class Supplier(models.Model):
    """Someone who does the work in a city, with contacts and cost (so the margin is known)."""

    kind = models.CharField(_("kind"), max_length=20, choices=SupplierKind.choices)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    languages = models.CharField(_("languages (codes, comma separated)"), max_length=200, blank=True)
    cost_amount = models.BigIntegerField(_("cost (minor units)"), null=True, blank=True)
    cost_currency = models.CharField(_("cost currency"), max_length=3, blank=True)
    cost_unit = models.CharField(_("cost unit"), max_length=10, choices=CostUnit.choices, default=CostUnit.FLAT)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["city", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost_amount__isnull=True) | Q(cost_amount__gte=0), name="concierge_supplier_cost"
            ),
        ]
        verbose_name = _("supplier")

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


# --- orders ---------------------------------------------------------------------------------------


class AddonOrderStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # asked for; the careteam prices it (VIP, assistance)
    QUOTED = "quoted", _("Quoted")  # the careteam's price, for the patient to accept
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    CONFIRMED = "confirmed", _("Paid, being arranged")
    IN_PROGRESS = "in_progress", _("Arranged")
    FULFILLED = "fulfilled", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    REFUNDED = "refunded", _("Refunded")


ADDON_ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    AddonOrderStatus.REQUESTED: frozenset({AddonOrderStatus.QUOTED, AddonOrderStatus.CANCELLED}),
    AddonOrderStatus.QUOTED: frozenset({AddonOrderStatus.AWAITING_PAYMENT, AddonOrderStatus.CANCELLED}),
    AddonOrderStatus.AWAITING_PAYMENT: frozenset({AddonOrderStatus.CONFIRMED, AddonOrderStatus.CANCELLED}),
    AddonOrderStatus.CONFIRMED: frozenset(
        {
            AddonOrderStatus.IN_PROGRESS,
            AddonOrderStatus.FULFILLED,
            AddonOrderStatus.CANCELLED,
            AddonOrderStatus.REFUNDED,
        }
    ),
    AddonOrderStatus.IN_PROGRESS: frozenset(
        {AddonOrderStatus.FULFILLED, AddonOrderStatus.CANCELLED, AddonOrderStatus.REFUNDED}
    ),
    AddonOrderStatus.FULFILLED: frozenset({AddonOrderStatus.REFUNDED}),
    AddonOrderStatus.CANCELLED: frozenset(),
    AddonOrderStatus.REFUNDED: frozenset(),
}


class AddonOrder(models.Model):
    """An add-on a patient buys. Paid by card like a shop order: the money is the platform's income
    at once, never a deposit held in trust. `amount` is empty until the order is priced (a VIP
    package or careteam assistance is quoted by the careteam); it is then the exact total the
    patient saw, the sum of its lines. A cancellation after payment records the refund its kind's
    policy gives (`refund_amount`, `concierge.policy`)."""

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="addon_orders")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, null=True, blank=True, related_name="addon_orders"
    )
    kind = models.CharField(_("add-on"), max_length=20, choices=AddonKind.choices)
    description = models.CharField(_("description"), max_length=300)
    city = models.CharField(_("city"), max_length=120, blank=True)
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    amount = models.BigIntegerField(_("price (minor units)"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=AddonOrderStatus.choices, default=AddonOrderStatus.AWAITING_PAYMENT
    )
    patient_note = models.TextField(_("what the patient asks"), blank=True)
    attempts = models.PositiveIntegerField(default=0)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    # Who does the work, as the patient sees it (driver's name and phone, interpreter and language pair).
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="orders")
    supplier_name = models.CharField(_("assigned to"), max_length=200, blank=True)
    supplier_phone = models.CharField(_("their phone"), max_length=32, blank=True)
    supplier_detail = models.CharField(_("details"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    quoted_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    refund_amount = models.BigIntegerField(_("refund (minor units)"), null=True, blank=True)
    refund_explanation = models.CharField(_("refund rule"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "payments_addonorder"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="payments_addon_positive"),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gte=0), name="concierge_refund_not_negative"
            ),
        ]
        verbose_name = _("add-on order")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.status})"


class LineUnit(models.TextChoices):
    HOUR = "hour", _("hour")
    LEG = "leg", _("leg")
    LETTER = "letter", _("letter")
    ITEM = "item", _("item")


class OrderLine(models.Model):
    """One line of an order's breakdown, as the patient saw it before paying: the lines add up to
    the order's amount. `quantity` is in hundredths (225 = 2.25 hours) so that 15-minute steps are exact."""

    order = models.ForeignKey(AddonOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    label_key = models.CharField(_("kind of line"), max_length=40)  # `concierge.pricing.Line.label_key`
    label = models.CharField(_("label"), max_length=200, blank=True)  # free text: a package item's description
    unit = models.CharField(_("unit"), max_length=10, choices=LineUnit.choices)
    quantity_hundredths = models.PositiveIntegerField(_("quantity (hundredths)"))
    unit_amount = models.BigIntegerField(_("unit price (minor units)"))
    amount = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="concierge_line_position"),
        ]

    def __str__(self) -> str:
        return self.label or self.label_key


class PlaceKind(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    HOTEL = "hotel", _("Hotel")
    HOSPITAL = "hospital", _("Hospital or clinic")
    OTHER = "other", _("Other address")


class TransferLeg(models.Model):
    """One leg of a transfer: a car with driver from one place to another at a pickup time. A leg
    proposed from an appointment keeps it, so that a moved appointment re-times the leg."""

    order = models.ForeignKey(AddonOrder, on_delete=models.CASCADE, related_name="legs")
    position = models.PositiveSmallIntegerField()
    origin_kind = models.CharField(_("from"), max_length=10, choices=PlaceKind.choices)
    origin = models.CharField(_("from (address)"), max_length=300)
    destination_kind = models.CharField(_("to"), max_length=10, choices=PlaceKind.choices)
    destination = models.CharField(_("to (address)"), max_length=300)
    pickup_at = models.DateTimeField(_("pickup time"))
    flight_number = models.CharField(_("flight number"), max_length=8, blank=True)
    passengers = models.PositiveSmallIntegerField(_("passengers"), default=1)
    luggage = models.PositiveSmallIntegerField(_("pieces of luggage"), default=1)
    wheelchair = models.BooleanField(_("wheelchair-accessible vehicle"), default=False)
    appointment = models.ForeignKey(
        "bookings.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The appointment's start when the pickup was last timed: a moved appointment moves the leg by
    # as much (bookings' hook says a booking changed, not from when).
    appointment_start = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="concierge_leg_position"),
            models.CheckConstraint(condition=Q(passengers__gte=1, passengers__lte=8), name="concierge_leg_passengers"),
            models.CheckConstraint(condition=Q(luggage__lte=12), name="concierge_leg_luggage"),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}"


class InterpreterRequest(models.Model):
    """The interpreter for one stay: the language pair, the hours booked (in minutes, rounded up to
    15-minute steps, at least 2 hours) and, once done, the hours actually worked."""

    order = models.OneToOneField(AddonOrder, on_delete=models.CASCADE, related_name="interpreter")
    language = models.CharField(_("the patient's language"), max_length=10)
    provider_language = models.CharField(_("the provider's language"), max_length=10)
    booked_minutes = models.PositiveIntegerField(_("minutes booked"))
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    worked_minutes = models.PositiveIntegerField(_("minutes worked"), null=True, blank=True)
    worked_recorded_at = models.DateTimeField(null=True, blank=True)
    worked_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjustment_amount = models.BigIntegerField(_("charged (+) or refunded (-) after the stay"), null=True, blank=True)
    adjustment_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    adjustment_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # More hours worked than paid: the order for the extra, awaiting the patient's payment.
    follow_up_order = models.OneToOneField(
        AddonOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="follow_up_of"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(booked_minutes__gte=120), name="concierge_interpreter_minimum"),
            models.CheckConstraint(condition=Q(last_day__gte=models.F("first_day")), name="concierge_interpreter_days"),
        ]

    def __str__(self) -> str:
        return f"{self.language} ↔ {self.provider_language}"


class VisaPerson(models.TextChoices):
    PATIENT = "patient", _("The patient")
    COMPANION = "companion", _("A companion")


class VisaLetter(models.Model):
    """A visa invitation letter for the patient or one companion (at most two), issued by the
    platform on the provider's behalf once the booking's deposit is held. The person is named
    exactly as in the passport's machine-readable zone. Anyone holding the letter can check it at
    its verification page by `verification_code`; a revoked letter (or one whose booking was
    cancelled) reads as no longer valid there."""

    order = models.ForeignKey(AddonOrder, on_delete=models.PROTECT, related_name="visa_letters")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.PROTECT, related_name="visa_letters")
    person = models.CharField(_("for"), max_length=10, choices=VisaPerson.choices)
    surname = models.CharField(_("surname (as in the passport)"), max_length=39)
    given_names = models.CharField(_("given names (as in the passport)"), max_length=39)
    passport_number = models.CharField(_("passport number"), max_length=9)
    nationality = CountryField(_("nationality"))
    birth_date = models.DateField(_("date of birth"))
    verification_code = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField(_("why revoked"), max_length=300, blank=True)

    class Meta:
        ordering = ["order", "person", "id"]

    def __str__(self) -> str:
        return f"{self.surname} {self.given_names}"


class PackageItemCategory(models.TextChoices):
    TRAVEL = "travel", _("Travel")
    ACCOMMODATION = "accommodation", _("Accommodation and meals")
    INTERPRETER = "interpreter", _("Interpreter")
    INSURANCE = "insurance", _("Post-operative insurance")
    APPOINTMENTS = "appointments", _("Appointments")
    OTHER = "other", _("Other")


class PackageItemRefund(models.TextChoices):
    FULL = "full", _("Refundable until the item is booked")
    NONE = "none", _("Not refundable")


class PackageItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    BOOKED = "booked", _("Booked")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


PACKAGE_ITEM_TRANSITIONS: dict[str, frozenset[str]] = {
    PackageItemStatus.PROPOSED: frozenset({PackageItemStatus.BOOKED, PackageItemStatus.CANCELLED}),
    PackageItemStatus.BOOKED: frozenset({PackageItemStatus.DONE, PackageItemStatus.CANCELLED}),
    PackageItemStatus.DONE: frozenset(),
    PackageItemStatus.CANCELLED: frozenset(),
}


class PackageItem(models.Model):
    """One item of a VIP package quoted by the careteam: its supplier, price to the patient, cost,
    refund rule and status, tracked to the end."""

    order = models.ForeignKey(AddonOrder, on_delete=models.CASCADE, related_name="package_items")
    position = models.PositiveSmallIntegerField()
    category = models.CharField(_("category"), max_length=20, choices=PackageItemCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    amount = models.BigIntegerField(_("price (minor units)"))
    cost_amount = models.BigIntegerField(_("cost (minor units)"), null=True, blank=True)
    refund_rule = models.CharField(
        _("refund rule"), max_length=10, choices=PackageItemRefund.choices, default=PackageItemRefund.FULL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackageItemStatus.choices, default=PackageItemStatus.PROPOSED
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    # The partial refund of the order's payment when a refundable item was cancelled before booking.
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="concierge_item_position"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="concierge_item_positive"),
        ]

    def __str__(self) -> str:
        return self.description


class CareMandate(models.Model):
    """The patient's authorisation for the careteam to manage their request (careteam assistance):
    what it covers, when it was given and until when. Revoked by the patient at any time."""

    order = models.OneToOneField(AddonOrder, on_delete=models.CASCADE, related_name="mandate")
    scope = models.TextField(_("what the careteam may do"))
    granted_at = models.DateTimeField(_("given at"))
    expires_at = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("granted_at")), name="concierge_mandate_span"),
        ]

    def __str__(self) -> str:
        return f"mandate for order {self.order_id}"
