"""API of the VIP package and careteam assistance: the patient asks, accepts or declines, revokes the
mandate; the careteam builds the package (items), sends it, tracks the items, prices the assistance.

Another patient's order is "not found"; the careteam's endpoints answer 403 to anyone else.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from concierge import selectors
from concierge.models import (
    AddonKind,
    AddonOrder,
    AddonOrderStatus,
    CareMandate,
    PackageItem,
    PackageItemCategory,
    PackageItemRefund,
    PackageItemStatus,
    Supplier,
)
from concierge.services import assistance, packages
from core.checks import ActionState, actions_payload
from core.errors import Forbidden, NotFound, ValidationFailed
from core.money import Money, MoneyError
from core.serializers import (
    AmountField,
    ApiErrorSerializer,
    BoundedDateTimeField,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    currency_field,
)

TAGS = ["Concierge"]
ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


def _money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None or not currency else dict(MoneySerializer(Money(amount, currency)).data)


class PackageItemSerializer(serializers.ModelSerializer[PackageItem]):
    category = NamedEnumField(enum_name="PackageItemCategoryEnum", choices=PackageItemCategory.choices)
    refund_rule = NamedEnumField(enum_name="PackageItemRefundEnum", choices=PackageItemRefund.choices)
    status = NamedEnumField(enum_name="PackageItemStatusEnum", choices=PackageItemStatus.choices)
    supplier: serializers.PrimaryKeyRelatedField[Supplier] = serializers.PrimaryKeyRelatedField(read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True, default="")
    price = serializers.SerializerMethodField()
    refunded = serializers.SerializerMethodField(help_text="True when its price went back to the patient's card.")

    class Meta:
        model = PackageItem
        fields = ["id", "position", "category", "description", "supplier", "supplier_name", "price", "refund_rule"]
        fields += ["status", "refunded"]

    @extend_schema_field(MoneySerializer)
    def get_price(self, item: PackageItem) -> dict[str, Any] | None:
        return _money(item.amount, item.order.currency)

    def get_refunded(self, item: PackageItem) -> bool:
        return bool(item.stripe_refund_id)


class MandateSerializer(serializers.ModelSerializer[CareMandate]):
    scope = serializers.SerializerMethodField()

    class Meta:
        model = CareMandate
        fields = ["scope", "granted_at", "expires_at", "revoked_at"]

    def get_scope(self, mandate: CareMandate) -> list[str]:
        return assistance.mandate_scopes(mandate)


class PackageSerializer(serializers.ModelSerializer[AddonOrder]):
    """A VIP package or careteam-assistance order, as its patient (or the careteam) reads it."""

    kind = NamedEnumField(enum_name="AddonKindEnum", choices=AddonKind.choices)
    status = NamedEnumField(enum_name="AddonOrderStatusEnum", choices=AddonOrderStatus.choices)
    total = serializers.SerializerMethodField(help_text="The quoted total; empty until the careteam quotes.")
    refunded = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    mandate = serializers.SerializerMethodField()
    available_actions = available_actions_field("accept", "decline", "revoke_mandate")

    class Meta:
        model = AddonOrder
        fields = ["id", "kind", "status", "city", "booking", "patient_note", "total", "refunded", "items"]
        fields += ["mandate", "quoted_at", "created_at", "available_actions"]

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_total(self, order: AddonOrder) -> dict[str, Any] | None:
        return _money(order.amount, order.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_refunded(self, order: AddonOrder) -> dict[str, Any] | None:
        return _money(order.refund_amount, order.currency)

    @extend_schema_field(PackageItemSerializer(many=True))
    def get_items(self, order: AddonOrder) -> list[Any]:
        return list(PackageItemSerializer(order.package_items.select_related("supplier", "order"), many=True).data)

    @extend_schema_field(MandateSerializer(allow_null=True))
    def get_mandate(self, order: AddonOrder) -> dict[str, Any] | None:
        mandate = CareMandate.objects.filter(order=order).first()
        return None if mandate is None else dict(MandateSerializer(mandate).data)

    def get_available_actions(self, order: AddonOrder) -> dict[str, ActionState]:
        actor = self.context["request"].user
        return actions_payload(
            {
                "accept": packages.order_quote_accept_check(order=order, actor=actor, now=timezone.now()),
                "decline": packages.order_quote_decline_check(order=order, actor=actor),
                "revoke_mandate": assistance.mandate_revoke_check(order=order, actor=actor),
            }
        )


class VipRequestInputSerializer(serializers.Serializer[dict[str, Any]]):
    wishes = serializers.ListField(
        child=NamedEnumField(enum_name="VipWishEnum", choices=[k for k, _label in packages.VIP_WISHES]),
        required=False,
        default=list,
        max_length=10,
    )
    city = serializers.CharField(max_length=120)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    booking = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1)


class AssistanceRequestInputSerializer(serializers.Serializer[dict[str, Any]]):
    scope = serializers.ListField(
        child=NamedEnumField(enum_name="MandateScopeEnum", choices=[k for k, _label in assistance.MANDATE_SCOPES]),
        max_length=10,
    )
    expires_at = BoundedDateTimeField(help_text="Until when the careteam may act: 1 to 90 days from now.")
    city = serializers.CharField(max_length=120)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    booking = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1)


class PackageItemInputSerializer(serializers.Serializer[dict[str, Any]]):
    category = NamedEnumField(enum_name="PackageItemCategoryEnum", choices=PackageItemCategory.choices)
    description = serializers.CharField(max_length=300)
    currency = currency_field()
    price = AmountField(help_text="The price to the patient, in major units.")
    cost = AmountField(required=False, allow_null=True, default=None, help_text="Our cost, in major units.")
    refund_rule = NamedEnumField(
        enum_name="PackageItemRefundEnum", choices=PackageItemRefund.choices, default=PackageItemRefund.FULL
    )
    supplier = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for name, target in (("price", "amount"), ("cost", "cost_amount")):
            if attrs.get(name) is None:
                attrs[target] = None
                continue
            try:
                attrs[target] = Money.from_decimal(attrs[name], attrs["currency"]).amount
            except MoneyError as exc:
                raise serializers.ValidationError({name: [exc.message]}) from exc
        return attrs


class ItemMoveInputSerializer(serializers.Serializer[dict[str, Any]]):
    target = NamedEnumField(enum_name="PackageItemStatusEnum", choices=PackageItemStatus.choices)


class AssistanceQuoteInputSerializer(serializers.Serializer[dict[str, Any]]):
    currency = currency_field()


def _booking(request: Any, booking_id: int | None) -> Booking | None:
    if booking_id is None:
        return None
    booking = Booking.objects.filter(pk=booking_id, patient_id=request.user.pk).first()
    if booking is None:
        raise NotFound(_("You have no booking with this id."))
    return booking


def _require_careteam(request: Any) -> None:
    if not packages.is_careteam(request.user):
        raise Forbidden(_("Only the careteam can do this."), code="careteam_only")


def _answer(request: Any, order: AddonOrder, code: int = status.HTTP_200_OK) -> Response:
    order = AddonOrder.objects.get(pk=order.pk)
    return Response(PackageSerializer(order, context={"request": request}).data, status=code)


# --- the patient ---------------------------------------------------------------------------------------


class VipRequestAPI(APIView):
    """Ask for a VIP package: the careteam builds it and sends it as one quote."""

    @extend_schema(tags=TAGS, request=VipRequestInputSerializer, responses={201: PackageSerializer, **ERRORS})
    def post(self, request: Any) -> Response:
        body = VipRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = packages.vip_request(
            patient=request.user,
            booking=_booking(request, data["booking"]),
            city=data["city"],
            note=data["note"],
            wishes=data["wishes"],
            now=timezone.now(),
        )
        return _answer(request, order, status.HTTP_201_CREATED)


class AssistanceRequestAPI(APIView):
    """Give the careteam a mandate to organise your care; it sends its fee to accept."""

    @extend_schema(tags=TAGS, request=AssistanceRequestInputSerializer, responses={201: PackageSerializer, **ERRORS})
    def post(self, request: Any) -> Response:
        body = AssistanceRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = assistance.assistance_request(
            patient=request.user,
            scope=data["scope"],
            expires_at=data["expires_at"],
            note=data["note"],
            city=data["city"],
            booking=_booking(request, data["booking"]),
            now=timezone.now(),
        )
        return _answer(request, order, status.HTTP_201_CREATED)


class PackageAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: PackageSerializer, 404: ApiErrorSerializer})
    def get(self, request: Any, order_id: int) -> Response:
        if packages.is_careteam(request.user):
            return _answer(request, selectors.careteam_package(order_id=order_id))
        return _answer(request, selectors.patient_package(patient=request.user, order_id=order_id))


class PackageAcceptAPI(APIView):
    """Accept the careteam's quote: the order then awaits its card payment (the order's pay endpoints)."""

    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        order = selectors.patient_package(patient=request.user, order_id=order_id)
        return _answer(request, packages.order_quote_accept(order=order, actor=request.user, now=timezone.now()))


class PackageDeclineAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        order = selectors.patient_package(patient=request.user, order_id=order_id)
        return _answer(request, packages.order_quote_decline(order=order, actor=request.user, now=timezone.now()))


class MandateRevokeAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        order = selectors.patient_package(patient=request.user, order_id=order_id)
        assistance.mandate_revoke(order=order, actor=request.user, now=timezone.now())
        return _answer(request, order)


# --- the careteam ----------------------------------------------------------------------------------------


class PackageItemsAPI(APIView):
    """Add an item to a requested package (careteam)."""

    @extend_schema(tags=TAGS, request=PackageItemInputSerializer, responses={201: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        _require_careteam(request)
        order = selectors.careteam_package(order_id=order_id)
        packages.package_item_add(
            order=order,
            actor=request.user,
            **_item_fields(request),
            now=timezone.now(),
        )
        return _answer(request, order, status.HTTP_201_CREATED)


def _item_fields(request: Any) -> dict[str, Any]:
    """An item's fields from the request's body, as the services take them (one shape for add and change)."""
    body = PackageItemInputSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    data = body.validated_data
    return {
        "category": data["category"],
        "description": data["description"],
        "amount": data["amount"],
        "currency": data["currency"],
        "cost_amount": data["cost_amount"],
        "supplier": _supplier(data["supplier"]),
        "refund_rule": data["refund_rule"],
    }


def _supplier(supplier_id: int | None) -> Supplier | None:
    if supplier_id is None:
        return None
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        message = _("There is no such supplier.")
        raise ValidationFailed(message, details={"supplier": [message]})
    return supplier


class PackageItemAPI(APIView):
    """Change or remove an item of a requested package (careteam)."""

    @extend_schema(tags=TAGS, request=PackageItemInputSerializer, responses={200: PackageSerializer, **ERRORS})
    def put(self, request: Any, item_id: int) -> Response:
        _require_careteam(request)
        item = selectors.package_item(item_id=item_id)
        packages.package_item_update(
            item=item,
            actor=request.user,
            **_item_fields(request),
            now=timezone.now(),
        )
        return _answer(request, item.order)

    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def delete(self, request: Any, item_id: int) -> Response:
        _require_careteam(request)
        item = selectors.package_item(item_id=item_id)
        packages.package_item_remove(item=item, actor=request.user, now=timezone.now())
        return _answer(request, item.order)


class PackageItemMoveAPI(APIView):
    """Track a paid package's item: booked, done or cancelled (a refundable one is refunded)."""

    @extend_schema(tags=TAGS, request=ItemMoveInputSerializer, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, item_id: int) -> Response:
        _require_careteam(request)
        item = selectors.package_item(item_id=item_id)
        body = ItemMoveInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        packages.package_item_move(
            item=item, actor=request.user, target=body.validated_data["target"], now=timezone.now()
        )
        return _answer(request, item.order)


class PackageSendAPI(APIView):
    """Send the package to the patient as one quote (careteam)."""

    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        _require_careteam(request)
        order = selectors.careteam_package(order_id=order_id)
        return _answer(request, packages.package_quote_send(order=order, actor=request.user, now=timezone.now()))


class AssistanceQuoteAPI(APIView):
    """Price careteam assistance from the city's price list in this currency (careteam); 409 when none."""

    @extend_schema(tags=TAGS, request=AssistanceQuoteInputSerializer, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        _require_careteam(request)
        order = selectors.careteam_package(order_id=order_id)
        body = AssistanceQuoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quoted = assistance.assistance_quote(
            order=order, actor=request.user, currency=body.validated_data["currency"], now=timezone.now()
        )
        return _answer(request, quoted)


class AssistanceRefuseInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000, help_text="Why no price applies, for the patient.")


class AssistanceRefuseAPI(APIView):
    """Tell the patient no price applies to their assistance request, and why (careteam)."""

    @extend_schema(tags=TAGS, request=AssistanceRefuseInputSerializer, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        _require_careteam(request)
        order = selectors.careteam_package(order_id=order_id)
        body = AssistanceRefuseInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        refused = assistance.assistance_refuse(
            order=order, actor=request.user, reason=body.validated_data["reason"], now=timezone.now()
        )
        return _answer(request, refused)


class AssistanceCompleteAPI(APIView):
    """Close a paid assistance as done (careteam)."""

    @extend_schema(tags=TAGS, request=None, responses={200: PackageSerializer, **ERRORS})
    def post(self, request: Any, order_id: int) -> Response:
        _require_careteam(request)
        order = selectors.careteam_package(order_id=order_id)
        done = assistance.assistance_complete(order=order, actor=request.user, now=timezone.now())
        return _answer(request, done)
