"""The search filters (django-filter): one definition validates the search page and the API."""

from __future__ import annotations

import copy
import functools
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_filters import rest_framework as filters

from core.money import named_currency_choices
from core.serializers import DATE_MAX
from providers.languages import language_choices
from providers.models import Procedure, ProviderKind, Specialty
from storefront.choices import (
    OptionsOnceSelect,
    PlainCheckboxInput,
    PlainDateInput,
    PlainLabelsForm,
    PlainNumberInput,
    PlainTextInput,
    catalogue_version,
)
from storefront.search import SearchParams, Sort, destinations


class _CountryChoices(BaseChoiceIterator):
    """Blank, then the countries that have listed offerings, with how many ("Türkiye (3)"):
    read only when a page renders the select (as a BaseChoiceIterator, which widgets keep as it
    is, where they would list any other iterable). Any country code is still valid input."""

    def __iter__(self):
        yield ("", _("Any destination"))
        for destination in destinations():
            yield (destination.code, f"{destination.name} ({destination.offerings})")


def _destinations_version() -> tuple:
    """What the destination options depend on besides the language: the (cached) list itself."""
    return tuple(destinations())


class CountryCodeField(forms.CharField):
    """An ISO 3166-1 alpha-2 code, checked by lookup rather than by walking all translated choices."""

    def __init__(self, *args, **kwargs):
        kwargs.pop("choices", None)
        kwargs.setdefault("widget", OptionsOnceSelect(key="country", version=_destinations_version))
        super().__init__(*args, **kwargs)
        self.widget.choices = _CountryChoices()

    def to_python(self, value):
        code = (super().to_python(value) or "").upper()
        if code and not countries.alpha2(code):
            raise forms.ValidationError(
                _("Select a valid choice. %(value)s is not one of the available choices."),
                code="invalid_choice",
                params={"value": value},
            )
        return code


class CountryFilter(filters.CharFilter):
    field_class = CountryCodeField


class SearchForm(PlainLabelsForm):
    """Cross-field checks of the search filters."""

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", _("The maximum price must not be below the minimum price."))
        before = cleaned.get("available_before")
        if before is not None and before <= timezone.localdate():
            self.add_error("available_before", _("Choose a date after today."))
        elif before is not None and before > DATE_MAX:  # input limits: far dates overflow date arithmetic
            self.add_error("available_before", _("Choose a date before %(max)s.") % {"max": DATE_MAX.isoformat()})
        return cleaned


class OfferingSearchFilter(filters.FilterSet):
    """Every filter of the search; the query itself is built by storefront.search."""

    q = filters.CharFilter(
        label=_("Treatment, specialty or name"), max_length=200, method="noop", widget=PlainTextInput()
    )
    # The long selects render their options once per language (storefront/choices.py).
    specialty = filters.ModelChoiceFilter(
        label=_("Specialty"),
        queryset=Specialty.objects.all(),
        to_field_name="code",
        method="noop",
        widget=OptionsOnceSelect(key="specialty", version=catalogue_version),
    )
    procedure = filters.ModelChoiceFilter(
        label=_("Procedure"),
        queryset=Procedure.objects.all(),
        to_field_name="code",
        method="noop",
        widget=OptionsOnceSelect(key="procedure", version=catalogue_version),
    )
    country = CountryFilter(label=_("Country"), method="noop")
    city = filters.CharFilter(label=_("City"), max_length=120, method="noop", widget=PlainTextInput())
    language = filters.ChoiceFilter(
        label=_("Speaks my language"),
        choices=language_choices,
        method="noop",
        widget=OptionsOnceSelect(key="language"),
    )
    spoken_only = filters.BooleanFilter(
        label=_("Only where it is spoken (no interpreter)"),
        method="noop",
        widget=PlainCheckboxInput,
    )
    kind = filters.ChoiceFilter(
        label=_("Practitioner or facility"),
        choices=ProviderKind.choices,
        method="noop",
        widget=OptionsOnceSelect(key="kind"),
    )
    price_min = filters.NumberFilter(
        label=_("Price from"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        method="noop",
        widget=PlainNumberInput(),
    )
    price_max = filters.NumberFilter(
        label=_("Price up to"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        method="noop",
        widget=PlainNumberInput(),
    )
    accreditation = filters.CharFilter(
        label=_("Accreditation (e.g. JCI)"), max_length=60, method="noop", widget=PlainTextInput()
    )
    available_before = filters.DateFilter(
        label=_("Available before"), method="noop", widget=PlainDateInput(attrs={"type": "date"})
    )
    currency = filters.ChoiceFilter(
        label=_("Show prices in"),
        choices=named_currency_choices,
        method="noop",
        widget=OptionsOnceSelect(key="currency"),
    )
    sort = filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            (Sort.RELEVANCE, _("Relevance")),
            (Sort.PRICE, _("Price")),
            (Sort.SOONEST, _("Soonest availability")),
            (Sort.RATING, _("Rating")),
            (Sort.RESPONSE, _("Response time")),
        ],
        method="noop",
        empty_label=None,
        widget=OptionsOnceSelect(key="sort"),
    )

    class Meta:
        form = SearchForm
        fields: list[str] = []

    def noop(self, queryset, name, value):
        return queryset

    def get_form_class(self) -> type[SearchForm]:
        return search_form_class()

    def params(self) -> SearchParams:
        return search_params(self.form.cleaned_data)


# The filters folded away on a phone (the text query stays in view); `active_filter_count` counts
# those given. The currency and the order only change how results are shown.
FOLDED_FILTERS = (
    *("specialty", "procedure", "country", "city", "language", "spoken_only", "kind"),
    *("price_min", "price_max", "accreditation", "available_before"),
)


def active_filter_count(data: Any) -> int:
    """How many of the folded filters the query gives a value (a QueryDict or a dict of strings)."""
    return sum(1 for name in FOLDED_FILTERS if str(data.get(name) or "").strip())


@functools.cache
def search_form_class() -> type[SearchForm]:
    """The form of OfferingSearchFilter, built once rather than per request: its fields are the
    same for every request (labels translate lazily; each form deep-copies its fields anyway).
    The API validates with it directly: the filters themselves filter nothing."""
    filters_ = copy.deepcopy(OfferingSearchFilter.base_filters)
    fields = {name: filter_.field for name, filter_ in filters_.items()}
    return type("OfferingSearchFilterForm", (SearchForm,), fields)


def search_params(data: dict[str, Any]) -> SearchParams:
    """The validated data of the search form as storefront.search takes it."""
    return SearchParams(
        q=data.get("q") or "",
        specialty=data["specialty"].code if data.get("specialty") else None,
        procedure=data["procedure"].code if data.get("procedure") else None,
        country=data.get("country") or None,
        city=data.get("city") or None,
        language=data.get("language") or None,
        spoken_only=bool(data.get("spoken_only")),
        kind=data.get("kind") or None,
        price_min=data.get("price_min"),
        price_max=data.get("price_max"),
        accreditation=data.get("accreditation") or None,
        available_before=data.get("available_before"),
        sort=data.get("sort") or Sort.RELEVANCE,
    )
