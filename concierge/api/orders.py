"""Add-on orders in the API (`/api/v1/concierge/orders/`): a patient previews, orders, pays (3-D Secure
included) and cancels a transfer or an interpreter for their confirmed booking; the careteam lists
every order and assigns, fulfils and records an interpreter's hours.

Services hold every rule (`concierge.services.ordering`, `concierge.services.orders`); these views
read the body's shape and call them. Someone else's order or booking is "not found". Errors are the
DomainError body `{code, message, details}`; a bad field is named in `details`
(`legs.<index>.<field>` for a leg).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from concierge.labels import line_label, quantity_text
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, PlaceKind, Supplier
from concierge.policy import Period
from concierge.pricing import INTERPRETER_MAXIMUM_MINUTES
from concierge.selectors import order_for_careteam, order_of_patient, order_visible_to, orders_visible_to
from concierge.services import ordering
from concierge.services.orders import (
    addon_order_pay_check,
    order_confirm,
    order_intent,
    order_pay,
    order_refund,
    order_start,
)
from core.checks import actions_payload
from core.errors import NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.money import Money
from core.serializers import (
    ApiErrorSerializer,
    BoundedDateField,
    BoundedDateTimeField,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    bounded_integer,
)
from payments.serializers import ActionField, PaymentIntentSerializer, intent_payload

TAGS = ["Concierge orders"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
ORDERABLE = [
    (AddonKind.TRANSFER.value, AddonKind.TRANSFER.label),
    (AddonKind.INTERPRETER.value, AddonKind.INTERPRETER.label),
]
ACTIONS = ("pay", "cancel", "assign", "fulfil", "record_hours")


def _money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None or not currency else dict(MoneySerializer(Money(amount, currency)).data)


# --- shapes ------------------------------------------------------------------------------------------


class LineSerializer(serializers.Serializer[Any]):
    label_key = serializers.CharField()
    label = serializers.CharField(help_text="The line in the reader's language.")  # type: ignore[assignment]
    unit = serializers.CharField()
    quantity = serializers.CharField(help_text='As people read it: "2 h 15", "3".')
    quantity_hundredths = serializers.IntegerField()
    unit_amount = MoneySerializer()
    amount = MoneySerializer()


def _lines(lines: Any, currency: str) -> list[dict[str, Any]]:
    return [
        {
            "label_key": line.label_key,
            "label": str(line_label(line.label_key, line.label)),
            "unit": line.unit,
            "quantity": quantity_text(line.unit, line.quantity_hundredths),
            "quantity_hundredths": line.quantity_hundredths,
            "unit_amount": _money(line.unit_amount, currency),
            "amount": _money(line.amount, currency),
        }
        for line in lines
    ]


class PeriodSerializer(serializers.Serializer[Any]):
    until = serializers.DateTimeField(allow_null=True, help_text="Cancelling up to this moment; null: later.")
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The moment in the place's time, or the event the refund hangs on."
    )
    refund = MoneySerializer()


def _periods(periods: list[Period]) -> list[dict[str, Any]]:
    return [
        {
            "until": None if p.until is None else p.until.isoformat(),
            "label": p.label,
            "refund": _money(p.refund.amount, p.refund.currency),
        }
        for p in periods
    ]


class LegSerializer(serializers.ModelSerializer[Any]):
    origin_kind = NamedEnumField(enum_name="PlaceKindEnum", choices=PlaceKind.choices, read_only=True)
    destination_kind = NamedEnumField(enum_name="PlaceKindEnum", choices=PlaceKind.choices, read_only=True)

    class Meta:
        model = AddonOrder._meta.get_field("legs").related_model
        fields = [
            "position",
            "origin_kind",
            "origin",
            "destination_kind",
            "destination",
            "pickup_at",
            "flight_number",
            "passengers",
            "luggage",
            "wheelchair",
            "appointment",
        ]
        read_only_fields = fields


class InterpreterSerializer(serializers.Serializer[Any]):
    language = serializers.CharField()
    provider_language = serializers.CharField()
    booked_minutes = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    worked_minutes = serializers.IntegerField(allow_null=True)
    adjustment = MoneySerializer(allow_null=True, help_text="Charged (+) or refunded (-) after the stay.")
    follow_up_order = serializers.IntegerField(allow_null=True, help_text="The order for hours beyond those paid.")


class AssignedSupplierSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    phone = serializers.CharField()
    detail = serializers.CharField()
    assigned_at = serializers.DateTimeField(allow_null=True)


class OrderSerializer(serializers.ModelSerializer[AddonOrder]):
    kind = NamedEnumField(enum_name="AddonKindEnum", choices=AddonKind.choices, read_only=True)
    status = NamedEnumField(enum_name="AddonOrderStatusEnum", choices=AddonOrderStatus.choices, read_only=True)
    amount = serializers.SerializerMethodField()

    class Meta:
        model = AddonOrder
        fields = ["id", "kind", "status", "description", "booking", "city", "amount", "created_at", "paid_at"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_amount(self, order: AddonOrder) -> dict[str, Any] | None:
        return _money(order.amount, order.currency)


class OrderDetailSerializer(OrderSerializer):
    lines = serializers.SerializerMethodField()
    legs = LegSerializer(many=True, read_only=True)
    interpreter = serializers.SerializerMethodField()
    supplier = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    refund_explanation = serializers.CharField(read_only=True)
    refund_schedule = serializers.SerializerMethodField()
    available_actions = available_actions_field(*ACTIONS)

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "lines",
            "legs",
            "interpreter",
            "supplier",
            "refund",
            "refund_explanation",
            "refund_schedule",
            "cancelled_at",
            "fulfilled_at",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(LineSerializer(many=True))
    def get_lines(self, order: AddonOrder) -> list[dict[str, Any]]:
        return _lines(order.lines.all(), order.currency)

    @extend_schema_field(InterpreterSerializer(allow_null=True))
    def get_interpreter(self, order: AddonOrder) -> dict[str, Any] | None:
        row = getattr(order, "interpreter", None)
        if row is None:
            return None
        return {
            "language": row.language,
            "provider_language": row.provider_language,
            "booked_minutes": row.booked_minutes,
            "first_day": row.first_day.isoformat(),
            "last_day": row.last_day.isoformat(),
            "worked_minutes": row.worked_minutes,
            "adjustment": _money(row.adjustment_amount, order.currency),
            "follow_up_order": row.follow_up_order_id,
        }

    @extend_schema_field(AssignedSupplierSerializer(allow_null=True))
    def get_supplier(self, order: AddonOrder) -> dict[str, Any] | None:
        if not order.supplier_name:
            return None
        return {
            "name": order.supplier_name,
            "phone": order.supplier_phone,
            "detail": order.supplier_detail,
            "assigned_at": None if order.assigned_at is None else order.assigned_at.isoformat(),
        }

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_refund(self, order: AddonOrder) -> dict[str, Any] | None:
        return _money(order.refund_amount, order.currency)

    @extend_schema_field(PeriodSerializer(many=True))
    def get_refund_schedule(self, order: AddonOrder) -> list[dict[str, Any]]:
        if order.status not in {AddonOrderStatus.AWAITING_PAYMENT, *ordering.PAID_STATUSES} or order.amount is None:
            return []
        return _periods(ordering.order_refund_schedule(order=order, now=timezone.now()))

    def get_available_actions(self, order: AddonOrder) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(
            actions_payload(
                {
                    "pay": addon_order_pay_check(order=order, actor=user),
                    "cancel": ordering.order_cancel_check(order=order, actor=user),
                    "assign": ordering.order_assign_check(order=order, actor=user),
                    "fulfil": ordering.order_fulfil_check(order=order, actor=user),
                    "record_hours": ordering.interpreter_hours_record_check(order=order, actor=user),
                }
            )
        )


class LegInputSerializer(serializers.Serializer[Any]):
    origin_kind = NamedEnumField(enum_name="PlaceKindEnum", choices=PlaceKind.choices)
    origin = serializers.CharField(max_length=300)
    destination_kind = NamedEnumField(enum_name="PlaceKindEnum", choices=PlaceKind.choices)
    destination = serializers.CharField(max_length=300)
    pickup_at = BoundedDateTimeField()
    flight_number = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    passengers = bounded_integer(min_value=0, max_value=100, required=False, default=1)
    luggage = bounded_integer(min_value=0, max_value=100, required=False, default=1)
    wheelchair = serializers.BooleanField(required=False, default=False)
    appointment = bounded_integer(min_value=1, required=False, allow_null=True, default=None)


class OrderInputSerializer(serializers.Serializer[Any]):
    """What a transfer or an interpreter order needs; the other kind's fields are ignored."""

    kind = NamedEnumField(enum_name="OrderableAddonKindEnum", choices=ORDERABLE)
    booking = bounded_integer(min_value=1)
    currency = serializers.CharField(max_length=3, help_text="ISO 4217; the city must have a price in it.")
    legs = LegInputSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=ordering.MAXIMUM_LEGS, help_text="Transfer."
    )
    language = serializers.CharField(max_length=20, required=False, help_text="Interpreter: the patient's language.")
    provider_language = serializers.CharField(max_length=20, required=False, help_text="Interpreter.")
    minutes = bounded_integer(
        min_value=0, max_value=INTERPRETER_MAXIMUM_MINUTES * 10, required=False, help_text="Interpreter."
    )
    first_day = BoundedDateField(required=False, help_text="Interpreter.")
    last_day = BoundedDateField(required=False, help_text="Interpreter.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = (
            ["legs"]
            if attrs["kind"] == AddonKind.TRANSFER
            else ["language", "provider_language", "minutes", "first_day", "last_day"]
        )
        missing = {name: [_("This field is required.")] for name in needed if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class PreviewSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    total = MoneySerializer()
    lines = LineSerializer(many=True)
    refund_schedule = PeriodSerializer(many=True)


class CheckoutSerializer(serializers.Serializer[Any]):
    setup_client_secret = serializers.CharField()
    publishable_key = serializers.CharField()
    attempt = serializers.IntegerField()


class PaymentSerializer(serializers.Serializer[Any]):
    status = NamedEnumField(enum_name="CardPaymentStatusEnum", choices=["succeeded", "requires_action"])
    payment_intent_id = serializers.CharField()
    client_secret = serializers.CharField(help_text="For 3-D Secure in the browser; empty once paid.")
    order = OrderDetailSerializer()


class OrderPaymentStateSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField()
    status = NamedEnumField(enum_name="AddonOrderStatusEnum", choices=AddonOrderStatus.choices)
    amount = MoneySerializer(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    payment_intent = serializers.CharField(allow_null=True, help_text="The current attempt's, or the one that paid.")
    publishable_key = serializers.CharField()
    pay = ActionField(help_text="May I pay now, and why not.")


class PayInputSerializer(serializers.Serializer[Any]):
    payment_method = serializers.CharField(max_length=255)


class AssignInputSerializer(serializers.Serializer[Any]):
    supplier = bounded_integer(min_value=1, required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    detail = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HoursInputSerializer(serializers.Serializer[Any]):
    worked_minutes = bounded_integer(min_value=0, max_value=INTERPRETER_MAXIMUM_MINUTES * 10)


class HoursSerializer(serializers.Serializer[Any]):
    order = OrderDetailSerializer()
    follow_up_order = OrderDetailSerializer(allow_null=True)


# --- helpers ----------------------------------------------------------------------------------------


def _detail(request: Request, order_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    order = order_visible_to(user=request.user, order_id=order_id)
    return Response(OrderDetailSerializer(order, context={"request": request}).data, status=status_code)


def _booking(data: dict[str, Any]) -> Booking:
    booking = Booking.objects.filter(pk=data["booking"]).first()
    if booking is None:
        raise NotFound(_("You have no booking with this id."))
    return booking


def _legs(data: dict[str, Any]) -> list[ordering.LegInput]:
    return [
        ordering.LegInput(
            origin_kind=leg["origin_kind"],
            origin=leg["origin"],
            destination_kind=leg["destination_kind"],
            destination=leg["destination"],
            pickup_at=leg["pickup_at"],
            flight_number=leg["flight_number"],
            passengers=leg["passengers"],
            luggage=leg["luggage"],
            wheelchair=leg["wheelchair"],
            appointment_id=leg["appointment"],
        )
        for leg in data.get("legs", [])
    ]


def _interpreter_args(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data[name] for name in ("language", "provider_language", "minutes", "first_day", "last_day")}


# --- views ------------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("status", str, enum=AddonOrderStatus.values, required=False),
    OpenApiParameter("kind", str, enum=AddonKind.values, required=False),
    OpenApiParameter("booking", int, required=False),
    OpenApiParameter("city", str, required=False),
]


class ListFilterSerializer(serializers.Serializer[Any]):
    status = NamedEnumField(enum_name="AddonOrderStatusEnum", choices=AddonOrderStatus.choices, required=False)
    kind = NamedEnumField(enum_name="AddonKindEnum", choices=AddonKind.choices, required=False)
    booking = bounded_integer(min_value=1, required=False)
    city = serializers.CharField(max_length=120, required=False)


@non_atomic
class OrdersAPI(APIView):
    @extend_schema(
        tags=TAGS, parameters=LIST_PARAMETERS, responses={200: OrderSerializer(many=True), 400: ApiErrorSerializer}
    )
    def get(self, request):
        """My orders, newest first; the careteam and finance see every order, filtered by status,
        kind, booking or city."""
        filters = ListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        orders = orders_visible_to(
            user=request.user,
            status=values.get("status", ""),
            kind=values.get("kind", ""),
            booking_id=values.get("booking"),
            city=values.get("city", ""),
        )[:200]
        return Response(OrderSerializer(orders, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request=OrderInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: OrderDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Order a transfer (its legs) or an interpreter (languages, minutes, days) for my confirmed
        booking, at the price the preview gave: the order awaits its payment."""
        body = OrderInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = _booking(data)
        if data["kind"] == AddonKind.TRANSFER:
            order = ordering.order_create_transfer(
                patient=request.user, booking=booking, legs=_legs(data), currency=data["currency"], now=timezone.now()
            )
        else:
            order = ordering.order_create_interpreter(
                patient=request.user,
                booking=booking,
                currency=data["currency"],
                now=timezone.now(),
                **_interpreter_args(data),
            )
        return _detail(request, order.pk, status_code=status.HTTP_201_CREATED)


class OrderPreviewAPI(APIView):
    @extend_schema(tags=TAGS, request=OrderInputSerializer, responses={200: PreviewSerializer, **WRITE_ERRORS})
    def post(self, request):
        """The exact lines, total and refund schedule of an order before it is placed; writes nothing."""
        body = OrderInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = _booking(data)
        now = timezone.now()
        if data["kind"] == AddonKind.TRANSFER:
            legs = _legs(data)
            price = ordering.order_preview_transfer(
                patient=request.user, booking=booking, legs=legs, currency=data["currency"], now=now
            )
            periods = ordering.price_refund_schedule(
                booking=booking, kind=data["kind"], price=price, legs=legs, now=now
            )
        else:
            price = ordering.order_preview_interpreter(
                patient=request.user, booking=booking, currency=data["currency"], now=now, **_interpreter_args(data)
            )
            periods = ordering.price_refund_schedule(
                booking=booking, kind=data["kind"], price=price, first_day=data["first_day"], now=now
            )
        return Response(
            {
                "currency": price.currency,
                "total": _money(price.total, price.currency),
                "lines": _lines(price.lines, price.currency),
                "refund_schedule": _periods(periods),
            }
        )


class OrderAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: OrderDetailSerializer, 404: ApiErrorSerializer})
    def get(self, request, order_id: int):
        """An order: its lines, legs or interpreter, who does the work, its refund schedule and what I may do."""
        return _detail(request, order_id)


@non_atomic
class OrderPayStartAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: CheckoutSerializer, **WRITE_ERRORS})
    def post(self, request, order_id: int):
        """Open a payment attempt: the SetupIntent's client secret for Stripe.js to collect the card."""
        order = order_visible_to(user=request.user, order_id=order_id)
        checkout = order_start(order=order, actor=request.user, now=timezone.now())
        return Response(
            {
                "setup_client_secret": checkout.setup_client_secret,
                "publishable_key": checkout.publishable_key,
                "attempt": checkout.attempt,
            }
        )


def _payment(request: Request, order_id: int, payment: Any) -> Response:
    order = order_visible_to(user=request.user, order_id=order_id)
    return Response(
        {
            "status": payment.status,
            "payment_intent_id": payment.payment_intent_id,
            "client_secret": payment.client_secret,
            "order": OrderDetailSerializer(order, context={"request": request}).data,
        }
    )


@non_atomic
class OrderPayAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=PayInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, order_id: int):
        """Charge the card collected for this attempt; `requires_action` means 3-D Secure, then `pay/confirm/`."""
        order = order_visible_to(user=request.user, order_id=order_id)
        addon_order_pay_check(order=order, actor=request.user).enforce()
        body = PayInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = order_pay(
            order=order, actor=request.user, payment_method=body.validated_data["payment_method"], now=timezone.now()
        )
        return _payment(request, order_id, payment)


@non_atomic
class OrderPayConfirmAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: PaymentSerializer, **WRITE_ERRORS})
    def post(self, request, order_id: int):
        """After 3-D Secure: record the payment if the bank authorised it."""
        order = order_visible_to(user=request.user, order_id=order_id)
        payment = order_confirm(order=order, actor=request.user, now=timezone.now())
        return _payment(request, order_id, payment)


@non_atomic
class OrderPaymentAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: OrderPaymentStateSerializer, 404: ApiErrorSerializer})
    def get(self, request, order_id: int):
        """Where my order's payment stands: paid once recorded (by Stripe's webhook, or
        `payment/confirm/`), and whether I may pay now."""
        order = order_of_patient(user=request.user, order_id=order_id)
        addon_order_pay = addon_order_pay_check(order=order, actor=request.user)
        return Response(
            {
                "order": order.pk,
                "status": order.status,
                "amount": _money(order.amount, order.currency),
                "paid_at": order.paid_at,
                "attempts": order.attempts,
                "payment_intent": order.payment_intent_id,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "pay": actions_payload({"pay": addon_order_pay})["pay"],
            }
        )

    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentIntentSerializer, 502: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, order_id: int):
        """The PaymentIntent of my order, for Stripe's mobile or web SDK: it collects the card,
        confirms and completes 3-D Secure with `client_secret`. Asked again, the same PaymentIntent
        while it can still be confirmed. Refused with nothing sent to Stripe when the order does not
        await its payment. Stripe's webhook records the payment; `payment/confirm/` asks sooner."""
        order = order_of_patient(user=request.user, order_id=order_id)
        return Response(intent_payload(order_intent(order=order, actor=request.user, now=timezone.now())))


@non_atomic
class OrderPaymentConfirmAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentSerializer, 502: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, order_id: int):
        """After the client confirmed (and 3-D Secure): ask Stripe where the payment stands and record
        it if it succeeded, as the webhook would. Not confirmed yet, or not authorised: 409 or 400."""
        order = order_of_patient(user=request.user, order_id=order_id)
        payment = order_confirm(order=order, actor=request.user, now=timezone.now())
        return _payment(request, order_id, payment)


@non_atomic
class OrderCancelAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, order_id: int):
        """Cancel: paid, the refund its kind's policy gives now goes back to the card (see `refund_schedule`)."""
        order = order_visible_to(user=request.user, order_id=order_id)
        ordering.order_cancel(order=order, actor=request.user, now=timezone.now())
        return _detail(request, order_id)


@non_atomic
class OrderAssignAPI(APIView):
    @extend_schema(tags=TAGS, request=AssignInputSerializer, responses={200: OrderDetailSerializer, **WRITE_ERRORS})
    def post(self, request, order_id: int):
        """Careteam: who does the work (driver and phone, interpreter and language pair); the patient is told."""
        order = order_visible_to(user=request.user, order_id=order_id)
        ordering.order_assign_check(order=order, actor=request.user).enforce()
        body = AssignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        supplier = None
        if data["supplier"] is not None:
            supplier = Supplier.objects.filter(pk=data["supplier"]).first()
            if supplier is None:
                raise NotFound(_("No supplier has this id."))
        ordering.order_assign(
            order=order,
            actor=request.user,
            supplier=supplier,
            name=data["name"],
            phone=data["phone"],
            detail=data["detail"],
            now=timezone.now(),
        )
        return _detail(request, order_id)


@non_atomic
class OrderFulfilAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: OrderDetailSerializer, **WRITE_ERRORS})
    def post(self, request, order_id: int):
        """Careteam: the work is done."""
        order = order_visible_to(user=request.user, order_id=order_id)
        ordering.order_fulfil(order=order, actor=request.user, now=timezone.now())
        return _detail(request, order_id)


@non_atomic
class OrderHoursAPI(APIView):
    @extend_schema(tags=TAGS, request=HoursInputSerializer, responses={200: HoursSerializer, **WRITE_ERRORS})
    def post(self, request, order_id: int):
        """Careteam: the minutes the interpreter worked, once. Fewer than paid refunds the difference;
        more opens `follow_up_order`, awaiting the patient's payment."""
        order = order_visible_to(user=request.user, order_id=order_id)
        ordering.interpreter_hours_record_check(order=order, actor=request.user).enforce()
        body = HoursInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = ordering.interpreter_hours_record(
            order=order, actor=request.user, worked_minutes=body.validated_data["worked_minutes"], now=timezone.now()
        )
        context = {"request": request}
        order = order_visible_to(user=request.user, order_id=order_id)
        follow_up = None if result.pk == order.pk else order_visible_to(user=request.user, order_id=result.pk)
        return Response(
            {
                "order": OrderDetailSerializer(order, context=context).data,
                "follow_up_order": None
                if follow_up is None
                else OrderDetailSerializer(follow_up, context=context).data,
            }
        )


@non_atomic
class OrderRefundAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: OrderDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, order_id: int):
        """Careteam or finance: refund a paid order in full to the patient's card (as the order's
        management page); any other state is refused with 409 and nothing is sent to Stripe."""
        order = order_for_careteam(user=request.user, order_id=order_id)
        order_refund(order=order, actor=request.user, now=timezone.now())
        return _detail(request, order_id)
