"""Storefront API: search and comparison."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.compare import MAX_COMPARED, compare_rows
from marketplace.errors import ValidationFailed
from marketplace.filters import OfferingSearchFilter
from marketplace.search import search_page
from marketplace.serializers import ApiErrorSerializer
from marketplace.views import patient_currency
from providers.models import Offering
from providers.serializers import MoneySerializer


class ResultProviderSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    verified_at = serializers.DateTimeField()


class ResultOfferingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    kind = serializers.CharField()
    booking_mode = serializers.CharField()
    specialty = serializers.CharField(source="specialty.code")
    procedure = serializers.CharField(source="procedure.code", allow_null=True, default=None)
    city = serializers.CharField(source="location.city")
    country = serializers.CharField(source="location.country.code")
    timezone = serializers.CharField(source="location.timezone")
    next_slot_at = serializers.DateTimeField(allow_null=True)
    includes = serializers.ListField(child=serializers.CharField())
    excludes = serializers.ListField(child=serializers.CharField())
    provider = ResultProviderSerializer()


class SearchResultSerializer(serializers.Serializer):
    offering = ResultOfferingSerializer()
    price = MoneySerializer()
    price_upper = MoneySerializer(allow_null=True)
    deposit = MoneySerializer()
    converted = MoneySerializer(
        allow_null=True, help_text="The lower price in the patient's currency; null without a rate."
    )
    converted_upper = MoneySerializer(allow_null=True)
    rate_date = serializers.DateField(allow_null=True, help_text="The day of the exchange rate used.")


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField(source="number")
    num_pages = serializers.IntegerField()
    currency = serializers.CharField()
    results = SearchResultSerializer(many=True)


class CompareRowSerializer(serializers.Serializer):
    offering = ResultOfferingSerializer()
    price = MoneySerializer(source="offering.price")
    price_upper = MoneySerializer(source="offering.price_upper", allow_null=True)
    deposit = MoneySerializer(source="offering.deposit")
    converted = MoneySerializer(allow_null=True)
    converted_upper = MoneySerializer(allow_null=True)
    rate_date = serializers.DateField(allow_null=True)
    accreditations = serializers.SerializerMethodField()

    def get_accreditations(self, row) -> list[str]:
        return [a.body for a in row.accreditations]


def _filters(request) -> OfferingSearchFilter:
    filterset = OfferingSearchFilter(request.query_params, queryset=Offering.objects.none())
    if not filterset.is_valid():
        details = {field: [str(m) for m in messages] for field, messages in filterset.errors.items()}
        raise ValidationFailed(next(iter(details.values()))[0], details=details)
    return filterset


def _page(request) -> int:
    raw = request.query_params.get("page", "1")
    if not (raw.isascii() and raw.isdigit()):  # str.isdigit() alone accepts "²", which int() refuses
        raise ValidationFailed(_("The page must be a whole number."), code="invalid_page", details={"page": [raw[:20]]})
    return int(raw)


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18


SEARCH_PARAMETERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=description)
    for name, description in [
        ("q", "Free text: treatment, specialty, procedure or name; misspellings tolerated"),
        ("specialty", "Specialty code, e.g. orthopaedic-surgery"),
        ("procedure", "Procedure code, e.g. knee-replacement"),
        ("country", "ISO 3166-1 alpha-2 country of the location"),
        ("city", "City of the location"),
        ("language", "Language spoken by the provider (ISO 639-1)"),
        ("kind", "practitioner or facility"),
        ("price_min", "Lowest price, in `currency`"),
        ("price_max", "Highest price, in `currency`"),
        ("accreditation", "Accrediting body, e.g. JCI (valid today)"),
        ("available_before", "YYYY-MM-DD: a free slot before this date"),
        ("currency", "ISO 4217 currency to show and filter prices in (default: the patient's)"),
        ("sort", "relevance, price or soonest"),
        ("page", "Page number, from 1"),
    ]
]


class SearchAPI(APIView):
    """Search published offerings of verified providers, 20 per page."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=SEARCH_PARAMETERS, responses={200: SearchPageSerializer, 400: ApiErrorSerializer}, auth=[]
    )
    def get(self, request):
        filterset = _filters(request)
        currency = patient_currency(request, filterset.form.cleaned_data.get("currency"), remember=False)
        page = search_page(params=filterset.params(), currency=currency, now=timezone.now(), page=_page(request))
        return Response(SearchPageSerializer(page).data)


class CompareAPI(APIView):
    """Up to four published offerings side by side."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "ids", OpenApiTypes.STR, required=True, description="Offering ids, comma-separated (1 to 4)"
            ),
            OpenApiParameter("currency", OpenApiTypes.STR, description="ISO 4217 currency for the converted prices"),
        ],
        responses={200: CompareRowSerializer(many=True), 400: ApiErrorSerializer},
        auth=[],
    )
    def get(self, request):
        raw = [part.strip() for part in request.query_params.get("ids", "").split(",") if part.strip()]
        # ASCII digits only ("²" passes isdigit() but not int()), and short enough to be a bigint id.
        if not raw or len(raw) > MAX_COMPARED or not all(_is_id(part) for part in raw):
            raise ValidationFailed(
                _("Give between 1 and %(n)d offering ids, separated by commas.") % {"n": MAX_COMPARED},
                details={"ids": [_("For example ids=12,40,41.")]},
            )
        filterset = _filters(request)
        currency = patient_currency(request, filterset.form.cleaned_data.get("currency"), remember=False)
        rows = compare_rows(offering_ids=[int(part) for part in raw], currency=currency, now=timezone.now())
        return Response(CompareRowSerializer(rows, many=True).data)
