"""The catalogue's API: the public prices in force per city; the careteam's and finance's prices
(propose, approve, reject, four eyes); the careteam's suppliers. Amounts go in as integer minor
units (`unit_amount`: 6000 is €60.00, 18500 is KWD 18.500) and come out as `{amount, currency, minor}`.

Errors are the DomainError body `{code, message, details}`; another role gets 403 before anything is read.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StaffGroup, User
from concierge import pricing, selectors
from concierge.models import AddonKind, CostUnit, PriceList, PriceListStatus, Supplier, SupplierKind
from concierge.services import catalogue as services
from core.checks import actions_payload
from core.errors import Forbidden, NotFound, ValidationFailed
from core.money import Money
from core.serializers import (
    ApiErrorSerializer,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    country_field,
    currency_field,
)

TAGS = ["Concierge catalogue"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


class MinorUnitsField(serializers.IntegerField):
    """An amount in integer minor units, as a JSON integer only: DRF would read the string "80.00"
    as 80 (80 cents), the opposite of what its sender meant."""

    default_error_messages = {"invalid": _("Give the amount as a whole number of minor units (6000 for 60.00).")}

    def to_internal_value(self, data: Any) -> int:
        if type(data) is not int:
            self.fail("invalid")
        return int(super().to_internal_value(data))


def minor_units(**kwargs: Any) -> MinorUnitsField:
    return MinorUnitsField(min_value=0, max_value=services.MAXIMUM_AMOUNT, **kwargs)


def _money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None else dict(MoneySerializer(Money(amount, currency)).data)


def kind_field(**kwargs: Any) -> NamedEnumField:
    return NamedEnumField(enum_name="AddonKindEnum", choices=AddonKind.choices, **kwargs)


# --- the public catalogue -------------------------------------------------------------------------

_UNITS = {
    AddonKind.INTERPRETER: "hour",
    AddonKind.TRANSFER: "leg",
    AddonKind.VISA_LETTER: "letter",
    AddonKind.CARETEAM: "fee",
}


class InterpreterBillingSerializer(serializers.Serializer[Any]):
    minimum_minutes = serializers.IntegerField()
    step_minutes = serializers.IntegerField()
    reduced_after_minutes = serializers.IntegerField()


class CataloguePriceSerializer(serializers.Serializer[Any]):
    kind = kind_field()
    kind_label = serializers.CharField(source="get_kind_display")
    unit = serializers.SerializerMethodField(help_text="What the price is for: hour, leg, letter or fee.")
    price = serializers.SerializerMethodField()
    reduced_price = serializers.SerializerMethodField(help_text="Interpreter: the hourly rate beyond 8 hours per stay.")
    wheelchair_supplement = serializers.SerializerMethodField(help_text="Transfer: per leg in an accessible vehicle.")
    interpreter_billing = serializers.SerializerMethodField(
        help_text="Interpreter: the stay's minimum, the billing step and when the reduced rate starts, in minutes."
    )

    @extend_schema_field(InterpreterBillingSerializer(allow_null=True))
    def get_interpreter_billing(self, price: PriceList) -> dict[str, int] | None:
        if price.kind != AddonKind.INTERPRETER:
            return None
        return {
            "minimum_minutes": pricing.INTERPRETER_MINIMUM_MINUTES,
            "step_minutes": pricing.INTERPRETER_STEP_MINUTES,
            "reduced_after_minutes": pricing.INTERPRETER_REDUCED_AFTER_MINUTES,
        }

    def get_unit(self, price: PriceList) -> str:
        return _UNITS.get(price.kind, "fee")  # type: ignore[call-overload]

    @extend_schema_field(MoneySerializer)
    def get_price(self, price: PriceList) -> dict[str, Any] | None:
        return _money(price.unit_amount, price.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_reduced_price(self, price: PriceList) -> dict[str, Any] | None:
        return _money(price.reduced_unit_amount, price.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_wheelchair_supplement(self, price: PriceList) -> dict[str, Any] | None:
        return _money(price.supplement_amount, price.currency)


class CatalogueCitySerializer(serializers.Serializer[Any]):
    city = serializers.CharField()
    country = serializers.CharField()
    prices = CataloguePriceSerializer(many=True)


class CatalogueAPI(APIView):
    """The add-ons' prices in force, per destination city (public)."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("city", OpenApiTypes.STR, description="One destination city (any case)")],
        responses={200: CatalogueCitySerializer(many=True), 400: ApiErrorSerializer},
        auth=[],
    )
    def get(self, request: Request) -> Response:
        city = (request.query_params.get("city") or "")[:120]
        return Response(CatalogueCitySerializer(selectors.catalogue(city=city or None), many=True).data)


# --- prices (careteam and finance) -----------------------------------------------------------------


def _user(request: Request) -> User:
    """The signed-in person (the default permission lets no anonymous caller through here)."""
    return cast(User, request.user)


def _staff(request: Request, *groups: StaffGroup) -> None:
    user = _user(request)
    if not any(user.in_group(group) for group in groups):
        raise Forbidden(_("Only the careteam and finance can see the prices' management."))


class PriceListSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = kind_field()
    city = serializers.CharField()
    country = serializers.CharField()
    specialty = serializers.SlugField(source="specialty.code", allow_null=True, default=None)
    currency = currency_field()
    price = serializers.SerializerMethodField()
    reduced_price = serializers.SerializerMethodField()
    wheelchair_supplement = serializers.SerializerMethodField()
    status = NamedEnumField(enum_name="PriceListStatusEnum", choices=PriceListStatus.choices)
    note = serializers.CharField()
    proposed_by = serializers.EmailField(source="proposed_by.email")
    proposed_at = serializers.DateTimeField()
    decided_by = serializers.EmailField(source="decided_by.email", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()
    available_actions = available_actions_field("approve", "reject")

    get_price = CataloguePriceSerializer.get_price
    get_reduced_price = CataloguePriceSerializer.get_reduced_price
    get_wheelchair_supplement = CataloguePriceSerializer.get_wheelchair_supplement

    def get_available_actions(self, price: PriceList) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(
            actions_payload(
                {
                    "approve": services.price_list_approve_check(price_list=price, actor=user),
                    "reject": services.price_list_reject_check(price_list=price, actor=user),
                }
            )
        )


class PriceProposalSerializer(serializers.Serializer[dict[str, Any]]):
    kind = kind_field()
    city = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text="Every kind but second_opinion."
    )
    country = country_field(required=False, allow_blank=True, default="")
    specialty = serializers.SlugField(
        required=False,
        allow_null=True,
        default=None,
        help_text="second_opinion only: the specialty's code (its price is per specialty, with no city).",
    )
    currency = currency_field()
    unit_amount = minor_units(help_text="Minor units: per hour, leg, letter or the fee.")
    reduced_unit_amount = minor_units(required=False, allow_null=True, default=None)
    supplement_amount = minor_units(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DecisionSerializer(serializers.Serializer[dict[str, Any]]):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PriceListsAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=PriceListStatus.values)],
        responses={200: PriceListSerializer(many=True), 403: ApiErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        """Prices pending and in force (or of one `status`)."""
        _staff(request, StaffGroup.CARETEAM, StaffGroup.FINANCE)
        wanted = request.query_params.get("status") or None
        rows = selectors.price_lists_for_staff(status=wanted if wanted in PriceListStatus.values else None)
        return Response(PriceListSerializer(list(rows), many=True, context={"request": request}).data)

    @extend_schema(tags=TAGS, request=PriceProposalSerializer, responses={201: PriceListSerializer, **WRITE_ERRORS})
    def post(self, request: Request) -> Response:
        """The careteam proposes a price; finance approves it (another person than the proposer)."""
        _staff(request, StaffGroup.CARETEAM, StaffGroup.FINANCE)
        services.price_list_propose_check(actor=_user(request)).enforce()
        body = PriceProposalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        price = services.price_list_propose(actor=_user(request), now=timezone.now(), **body.validated_data)
        return Response(PriceListSerializer(price, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _price(request: Request, price_id: int) -> PriceList:
    """The price to decide on; only finance decides, so anyone else gets 403 before it is read."""
    if not _user(request).in_group(StaffGroup.FINANCE):
        raise Forbidden(_("Only finance can approve or reject a price."))
    found = PriceList.objects.select_related("proposed_by", "decided_by").filter(pk=price_id).first()
    if found is None:
        raise NotFound(_("No price has this id."))
    return found


class PriceApproveAPI(APIView):
    @extend_schema(tags=TAGS, request=DecisionSerializer, responses={200: PriceListSerializer, **WRITE_ERRORS})
    def post(self, request: Request, price_id: int) -> Response:
        """Finance puts the price in force; the price it replaces is retired."""
        price = _price(request, price_id)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        price = services.price_list_approve(
            price_list=price,
            actor=_user(request),
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return Response(PriceListSerializer(_price(request, price.pk), context={"request": request}).data)


class PriceRejectAPI(APIView):
    @extend_schema(tags=TAGS, request=DecisionSerializer, responses={200: PriceListSerializer, **WRITE_ERRORS})
    def post(self, request: Request, price_id: int) -> Response:
        """Finance rejects the price, saying why (`note` is required)."""
        price = _price(request, price_id)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        price = services.price_list_reject(
            price_list=price,
            actor=_user(request),
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return Response(PriceListSerializer(_price(request, price.pk), context={"request": request}).data)


# --- suppliers (careteam) --------------------------------------------------------------------------


class MarginSerializer(serializers.Serializer[selectors.Margin]):
    price = MoneySerializer()
    cost = MoneySerializer()
    amount = MoneySerializer()
    percent = serializers.IntegerField()


class SupplierSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = NamedEnumField(enum_name="SupplierKindEnum", choices=SupplierKind.choices)
    name = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    contact_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    languages = serializers.SerializerMethodField()
    cost = serializers.SerializerMethodField()
    cost_unit = NamedEnumField(enum_name="CostUnitEnum", choices=CostUnit.choices)
    active = serializers.BooleanField()
    margin = serializers.SerializerMethodField(
        help_text="The price in force for the supplier's add-on in its city and the cost's currency, less the cost."
    )
    available_actions = available_actions_field("update", "deactivate")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_languages(self, supplier: Supplier) -> list[str]:
        return [code for code in supplier.languages.split(",") if code]

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_cost(self, supplier: Supplier) -> dict[str, Any] | None:
        if supplier.cost_amount is None or not supplier.cost_currency:
            return None
        return _money(supplier.cost_amount, supplier.cost_currency)

    @extend_schema_field(MarginSerializer(allow_null=True))
    def get_margin(self, supplier: Supplier) -> dict[str, Any] | None:
        margin = selectors.supplier_margin(supplier=supplier, prices=self.context.get("prices"))
        return None if margin is None else dict(MarginSerializer(margin).data)

    def get_available_actions(self, supplier: Supplier) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(
            actions_payload(
                {
                    "update": services.supplier_update_check(supplier=supplier, actor=user),
                    "deactivate": services.supplier_deactivate_check(supplier=supplier, actor=user),
                }
            )
        )


class SupplierInputSerializer(serializers.Serializer[dict[str, Any]]):
    kind = NamedEnumField(enum_name="SupplierKindEnum", choices=SupplierKind.choices)
    name = serializers.CharField(max_length=200)
    city = serializers.CharField(max_length=120)
    country = country_field()
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    languages = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Codes, comma separated: en,fr,ar"
    )
    cost_amount = minor_units(required=False, allow_null=True, default=None)
    cost_currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    cost_unit = NamedEnumField(
        enum_name="CostUnitEnum", choices=CostUnit.choices, required=False, default=CostUnit.FLAT
    )


class SupplierPatchSerializer(SupplierInputSerializer):
    active = serializers.BooleanField(
        required=False, help_text="false deactivates the supplier (it cannot be undone here)."
    )


def _careteam(request: Request) -> None:
    if not _user(request).in_group(StaffGroup.CARETEAM):
        raise Forbidden(_("Only the careteam can manage suppliers."))


def _supplier_data(request: Request, supplier: Supplier) -> dict[str, Any]:
    context = {"request": request, "prices": selectors.price_lists_in_force()}
    return dict(SupplierSerializer(supplier, context=context).data)


class SuppliersAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("city", OpenApiTypes.STR, description="One city (any case)"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=SupplierKind.values),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="true: active suppliers only"),
        ],
        responses={200: SupplierSerializer(many=True), 403: ApiErrorSerializer},
    )
    def get(self, request: Request) -> Response:
        """Suppliers by city, with their cost and margin."""
        _careteam(request)
        rows = selectors.suppliers_all(
            city=(request.query_params.get("city") or "")[:120],
            include_inactive=request.query_params.get("active") != "true",
        )
        kind = request.query_params.get("kind")
        if kind in SupplierKind.values:
            rows = rows.filter(kind=kind)
        context = {"request": request, "prices": selectors.price_lists_in_force()}
        return Response(SupplierSerializer(list(rows), many=True, context=context).data)

    @extend_schema(tags=TAGS, request=SupplierInputSerializer, responses={201: SupplierSerializer, **WRITE_ERRORS})
    def post(self, request: Request) -> Response:
        """Record a supplier: its contacts and cost (minor units of `cost_currency`, per `cost_unit`)."""
        _careteam(request)
        body = SupplierInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        supplier = services.supplier_create(actor=_user(request), now=timezone.now(), **body.validated_data)
        return Response(_supplier_data(request, supplier), status=status.HTTP_201_CREATED)


def _supplier(request: Request, supplier_id: int) -> Supplier:
    _careteam(request)
    supplier = Supplier.objects.filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound(_("No supplier has this id."))
    return supplier


class SupplierAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SupplierSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer})
    def get(self, request: Request, supplier_id: int) -> Response:
        """One supplier with its cost and margin."""
        return Response(_supplier_data(request, _supplier(request, supplier_id)))

    @extend_schema(
        tags=TAGS, request=SupplierPatchSerializer(partial=True), responses={200: SupplierSerializer, **WRITE_ERRORS}
    )
    def patch(self, request: Request, supplier_id: int) -> Response:
        """Change some of a supplier's fields; `"active": false` deactivates it."""
        supplier = _supplier(request, supplier_id)
        body = SupplierPatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        active = changes.pop("active", None)
        if active is True and not supplier.active:
            raise ValidationFailed(
                _("A deactivated supplier is not reactivated: record it again."),
                code="supplier_inactive",
                details={"active": [_("A deactivated supplier is not reactivated: record it again.")]},
            )
        now = timezone.now()
        if changes:
            supplier = services.supplier_update(supplier=supplier, actor=_user(request), now=now, **changes)
        if active is False:
            supplier = services.supplier_deactivate(supplier=supplier, actor=_user(request), now=now)
        return Response(_supplier_data(request, supplier))
