"""The forms of the order pages: what the patient or the careteam types, parsed into the services'
arguments. The rules (minimums, flight numbers, pickups in the stay) are the services'; a refusal
comes back on the form through `core.pages.apply_domain_error`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from concierge.models import PlaceKind, Supplier
from concierge.pricing import INTERPRETER_MAXIMUM_MINUTES


def _supplier_label(supplier: Supplier) -> str:
    phone = f", {supplier.phone}" if supplier.phone else ""
    return f"{supplier.name} ({supplier.get_kind_display()}{phone})"


class AssignForm(forms.Form):
    supplier = forms.ModelChoiceField(
        label=_("Supplier of the city"), queryset=Supplier.objects.none(), required=False, empty_label=_("— none —")
    )
    name = forms.CharField(
        label=_("Name of the driver or interpreter"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the supplier's name."),
    )
    phone = forms.CharField(
        label=_("Their phone"), max_length=32, required=False, help_text=_("Leave empty to use the supplier's phone.")
    )
    detail = forms.CharField(
        label=_("Details for the patient"),
        max_length=200,
        required=False,
        help_text=_("The car and its plate, or the interpreter's languages."),
    )

    def __init__(self, *args: Any, suppliers: list[Supplier], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["supplier"])
        field.queryset = Supplier.objects.filter(pk__in=[s.pk for s in suppliers])
        field.label_from_instance = _supplier_label  # type: ignore[method-assign,assignment]


class HoursForm(forms.Form):
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=INTERPRETER_MAXIMUM_MINUTES // 60)
    minutes = forms.TypedChoiceField(
        label=_("Minutes"), choices=[(m, f"{m:02d}") for m in (0, 15, 30, 45)], coerce=int, initial=0
    )


class TransferForm(forms.Form):
    """The stay's arrival and departure and the hotel: the legs are proposed from them and the
    booking's appointments (`ordering.transfer_legs_proposed`)."""

    arrival_flight = forms.CharField(
        label=_("Arriving flight number"), max_length=12, required=False, help_text=_("For example TK1987.")
    )
    arrival_at = forms.DateTimeField(
        label=_("Landing time (local time at the destination)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    departure_flight = forms.CharField(label=_("Departing flight number"), max_length=12, required=False)
    departure_at = forms.DateTimeField(
        label=_("Take-off time (local time)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    hotel = forms.CharField(label=_("Your hotel (name and address)"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("arrival_at") and not (data.get("arrival_flight") or "").strip():
            self.add_error("arrival_flight", _("Enter the flight number, so the driver can follow your flight."))
        if data.get("departure_at") and not (data.get("departure_flight") or "").strip():
            self.add_error("departure_flight", _("Enter the flight number of your departure."))
        return data


class LegForm(forms.Form):
    """One proposed leg, as the patient corrects it."""

    origin_kind = forms.ChoiceField(label=pgettext_lazy("a transfer leg", "From"), choices=PlaceKind.choices)
    origin = forms.CharField(label=_("From (address)"), max_length=300)
    destination_kind = forms.ChoiceField(label=pgettext_lazy("a transfer leg", "To"), choices=PlaceKind.choices)
    destination = forms.CharField(label=_("To (address)"), max_length=300)
    pickup_at = forms.DateTimeField(
        label=_("Pickup (local time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    flight_number = forms.CharField(label=_("Flight number"), max_length=12, required=False)
    passengers = forms.IntegerField(label=_("Passengers"), min_value=1, max_value=8, initial=1)
    luggage = forms.IntegerField(label=_("Pieces of luggage"), min_value=0, max_value=12, initial=1)
    wheelchair = forms.BooleanField(label=_("Wheelchair-accessible vehicle"), required=False)
    appointment_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keep = forms.BooleanField(label=_("Keep this leg"), required=False, initial=True)


LegFormSet = forms.formset_factory(LegForm, extra=0, max_num=20, validate_max=True, absolute_max=20)


class InterpreterForm(forms.Form):
    language = forms.CharField(
        label=_("Your language"), max_length=10, help_text=_("A language code, such as en, ar or ru.")
    )
    provider_language = forms.CharField(
        label=_("The doctors' language"), max_length=10, help_text=_("A language code, such as tr or fr.")
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, max_value=INTERPRETER_MAXIMUM_MINUTES // 60)
    minutes = forms.TypedChoiceField(
        label=_("Minutes"), choices=[(m, f"{m:02d}") for m in (0, 15, 30, 45)], coerce=int, initial=0
    )
    first_day = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.ChoiceField(label=_("Currency"), choices=())

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["currency"])
        field.choices = [(code, code) for code in currencies]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("hours") is not None and data.get("minutes") is not None:
            data["total_minutes"] = data["hours"] * 60 + data["minutes"]
            if data["total_minutes"] <= 0:
                self.add_error("hours", _("Enter how long you need the interpreter."))
        return data
