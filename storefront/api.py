"""Storefront API: search and comparison."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.currency import patient_currency
from core.errors import ValidationFailed
from core.money import Money
from core.serializers import ApiErrorSerializer, MoneySerializer
from storefront.compare import MAX_COMPARED, compare_rows
from storefront.filters import SearchForm, search_form_class, search_params
from storefront.ranking import COMPONENTS, Explanation
from storefront.search import ResultOffering, SearchPage, search_page


class ResultProviderSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    spoken_languages = serializers.ListField(
        child=serializers.CharField(), help_text="The provider's languages and its members'."
    )
    interpreter_available = serializers.BooleanField(help_text="An interpreter can be arranged.")
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


class RankingComponentSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(COMPONENTS))
    weight = serializers.FloatField(help_text="Its weight in the score, 0 to 1 (the weights add up to 1).")
    value = serializers.FloatField(help_text="The provider's value, 0 to 1.")


class RankingSerializer(serializers.Serializer):
    """Why a result ranks where it does: the provider's place in the published ranking (/ranking/)."""

    score = serializers.FloatField(help_text="0 to 1: the weighted sum of the components.")
    points = serializers.IntegerField(help_text="The score out of 100.")
    components = RankingComponentSerializer(many=True)
    rating_average = serializers.DecimalField(
        max_digits=2, decimal_places=1, allow_null=True, help_text="Mean of published reviews, 1 to 5."
    )
    rating_count = serializers.IntegerField()
    rating_weighted = serializers.FloatField(help_text="The mean pulled toward the site's mean (Bayesian average).")
    response_median_hours = serializers.FloatField(
        allow_null=True, help_text="Median hours to a first quote; null under the minimum number of requests."
    )
    response_samples = serializers.IntegerField()
    bookings = serializers.IntegerField(help_text="Paid bookings over the last year.")
    cancelled_by_provider = serializers.IntegerField()
    completeness_missing = serializers.ListField(child=serializers.CharField())
    refreshed_at = serializers.DateTimeField(allow_null=True)


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
    language_match = serializers.ChoiceField(
        choices=["speaks", "interpreter"],
        allow_null=True,
        help_text="With a language filter: the provider speaks it, or an interpreter can be arranged; else null.",
    )
    ranking = RankingSerializer()


class SearchPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="How many offerings match, exactly up to 1,000; 1,000 when there are more (see count_capped)."
    )
    count_capped = serializers.BooleanField(
        help_text="True when more offerings match than `count` says (shown as “1,000+”); pages stop there."
    )
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


def _filters(request) -> SearchForm:
    """The search filters of the query string, validated (by the form of OfferingSearchFilter)."""
    form = search_form_class()(request.query_params)
    if not form.is_valid():
        details = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
        raise ValidationFailed(next(iter(details.values()))[0], details=details)
    return form


# What SearchPageSerializer renders, built as plain data: DRF's nested serialisation of a page of
# twenty results costs several milliseconds per search. The serializers remain the schema, and a
# test holds the two to the same output.
_DATETIME = serializers.DateTimeField()


def _money(money: Money | None) -> dict[str, Any] | None:
    if money is None:
        return None
    return {"amount": str(money.to_decimal()), "currency": money.currency, "minor": money.amount}


def _strings(items: list) -> list[str | None]:
    return [None if item is None else str(item) for item in items]


def _offering(offering: ResultOffering) -> dict[str, Any]:
    provider, location = offering.provider, offering.location
    return {
        "id": offering.pk,
        "title": offering.title,
        "kind": offering.kind,
        "booking_mode": offering.booking_mode,
        "specialty": offering.specialty.code,
        "procedure": offering.procedure.code if offering.procedure else None,
        "city": location.city,
        "country": location.country.code,
        "timezone": location.timezone,
        "next_slot_at": _DATETIME.to_representation(offering.next_slot_at) if offering.next_slot_at else None,
        "includes": _strings(offering.includes),
        "excludes": _strings(offering.excludes),
        "provider": {
            "slug": provider.slug,
            "name": provider.name,
            "kind": provider.kind,
            "languages": _strings(provider.languages),
            "spoken_languages": _strings(provider.spoken_languages),
            "interpreter_available": provider.interpreter_available,
            "verified_at": _DATETIME.to_representation(provider.verified_at) if provider.verified_at else None,
        },
    }


def _ranking(explained: Explanation | None) -> dict[str, Any] | None:
    if explained is None:
        return None
    return {
        "score": explained.score,
        "points": explained.points,
        "components": [{"key": c.key, "weight": c.weight, "value": c.value} for c in explained.components],
        "rating_average": None if explained.rating_average is None else f"{explained.rating_average:.1f}",
        "rating_count": explained.rating_count,
        "rating_weighted": explained.rating_weighted,
        "response_median_hours": explained.response_median_hours,
        "response_samples": explained.response_samples,
        "bookings": explained.bookings,
        "cancelled_by_provider": explained.cancelled_by_provider,
        "completeness_missing": list(explained.completeness_missing),
        "refreshed_at": _DATETIME.to_representation(explained.refreshed_at) if explained.refreshed_at else None,
    }


def search_page_data(page: SearchPage) -> dict[str, Any]:
    """`SearchPageSerializer(page).data`, faster."""
    return {
        "count": page.count,
        "count_capped": page.count_capped,
        "page": page.number,
        "num_pages": page.num_pages,
        "currency": page.currency,
        "results": [
            {
                "offering": _offering(result.offering),
                "price": _money(result.price),
                "price_upper": _money(result.price_upper),
                "deposit": _money(result.deposit),
                "converted": _money(result.converted),
                "converted_upper": _money(result.converted_upper),
                "rate_date": result.rate_date.isoformat() if result.rate_date else None,
                "language_match": result.language_match,
                "ranking": _ranking(result.ranking),
            }
            for result in page.results
        ],
    }


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
        (
            "sort",
            "relevance (the published ranking, /ranking/), price, soonest, rating (verified, Bayesian average) "
            "or response (median time to a first quote)",
        ),
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
        form = _filters(request)
        currency = patient_currency(request, form.cleaned_data.get("currency"), remember=False)
        params = search_params(form.cleaned_data)
        page = search_page(params=params, currency=currency, now=timezone.now(), page=_page(request))
        return Response(search_page_data(page))


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
        form = _filters(request)
        currency = patient_currency(request, form.cleaned_data.get("currency"), remember=False)
        rows = compare_rows(offering_ids=[int(part) for part in raw], currency=currency, now=timezone.now())
        return Response(CompareRowSerializer(rows, many=True).data)
