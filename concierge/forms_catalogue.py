"""The catalogue pages' forms: shape only (amounts typed as people write them, read in the page's
language and the chosen currency); the rules are the services' (`concierge.services.catalogue`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from concierge.models import CostUnit, SupplierKind
from concierge.services.catalogue import PRICED_KINDS, SPECIALTY_KINDS
from core.money import CURRENCY_EXPONENTS, MoneyError, currency_choices, parse_money
from providers.models import Specialty


def _amount(form: forms.Form, field: str, currency: str) -> int | None:
    """The amount typed in `field`, in minor units of `currency`; None when blank or unreadable
    (the error is put on the field)."""
    text = (form.cleaned_data.get(field) or "").strip()
    if not text:
        return None
    try:
        return parse_money(text, currency, get_language() or "en").amount
    except MoneyError as exc:
        form.add_error(field, exc.message)
        return None


class PriceProposeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Add-on"), choices=[(k.value, k.label) for k in PRICED_KINDS])
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries], required=False)
    specialty = forms.ModelChoiceField(
        label=_("Specialty"),
        queryset=Specialty.objects.order_by("name_en"),
        required=False,
        help_text=_("Remote second opinion only: its price is per specialty, with no city or country."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices(), initial="EUR")
    unit_amount = forms.CharField(
        label=_("Price"),
        max_length=30,
        help_text=_("Per hour (interpreter), per leg (transfer), per letter, or the fee."),
    )
    reduced_unit_amount = forms.CharField(
        label=_("Reduced hourly rate"),
        max_length=30,
        required=False,
        help_text=_("Interpreter only: the rate for hours beyond 8 in a stay."),
    )
    supplement_amount = forms.CharField(
        label=_("Wheelchair supplement"),
        max_length=30,
        required=False,
        help_text=_("Transfer only: added per leg in a wheelchair-accessible vehicle."),
    )
    note = forms.CharField(label=_("Why"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") in SPECIALTY_KINDS:
            if not data.get("specialty") and "specialty" not in self.errors:
                self.add_error("specialty", _("Choose the specialty this price is for."))
        else:
            for field in ("city", "country"):
                if not (data.get(field) or "").strip() and field not in self.errors:
                    self.add_error(field, forms.Field.default_error_messages["required"])
        currency = data.get("currency")
        if currency in CURRENCY_EXPONENTS:
            for field in ("unit_amount", "reduced_unit_amount", "supplement_amount"):
                data[f"{field}_minor"] = _amount(self, field, currency)
        return data

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "city": data["city"],
            "country": data["country"],
            "currency": data["currency"],
            "unit_amount": data["unit_amount_minor"],
            "reduced_unit_amount": data["reduced_unit_amount_minor"],
            "supplement_amount": data["supplement_amount_minor"],
            "note": data["note"],
            "specialty": data.get("specialty"),
        }


class PriceDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False, help_text=_("Required to reject: say why."))


class SupplierForm(forms.Form):
    kind = forms.ChoiceField(label=_("What they do"), choices=SupplierKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=120)
    country = forms.ChoiceField(label=_("Country"), choices=[("", "—"), *countries])
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, help_text=_("With the country code, e.g. +33 6 12 34 56 78.")
    )
    languages = forms.CharField(
        label=_("Languages"), max_length=200, required=False, help_text=_("Codes, comma separated: en, fr, ar.")
    )
    cost = forms.CharField(label=_("Cost"), max_length=30, required=False)
    cost_currency = forms.ChoiceField(
        label=_("Cost currency"), choices=[("", "—"), *currency_choices()], required=False
    )
    cost_unit = forms.ChoiceField(label=_("Cost per"), choices=CostUnit.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency = data.get("cost_currency")
        data["cost_amount"] = _amount(self, "cost", currency) if currency else None
        if (data.get("cost") or "").strip() and not currency:
            self.add_error("cost_currency", _("Give the cost with its currency, or neither."))
        return data

    def service_arguments(self) -> dict[str, Any]:
        names = ("kind", "name", "city", "country", "contact_name", "email", "phone", "languages", "cost_unit")
        arguments = {name: self.cleaned_data[name] for name in names}
        arguments["cost_amount"] = self.cleaned_data["cost_amount"]
        arguments["cost_currency"] = self.cleaned_data["cost_currency"] or ""
        return arguments
