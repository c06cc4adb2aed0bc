"""Forms of the quote pages. They read input; rules live in quotes.services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.money import MoneyError, currency_choices, parse_money
from documents.models import MedicalDocument
from documents.selectors import documents_of_owner
from documents.services import TITLE_MAX_LENGTH
from providers.models import CancellationPolicyChoice, Procedure, Provider, Specialty, VerificationStatus
from quotes.models import QuoteLineKind
from quotes.services import MAX_PAYMENT_DAYS, MAX_RECIPIENTS, LineInput, SlotInput


class ProviderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Provider) -> str:
        return obj.name


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} ({obj.get_kind_display()}, {obj.created_at:%Y-%m-%d})"


class QuoteRequestForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.all(), required=False)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.all(), required=False)
    description = forms.CharField(
        label=_("Your situation and what you are looking for"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )
    desired_from = forms.DateField(label=_("Desired from"), widget=forms.DateInput(attrs={"type": "date"}))
    desired_to = forms.DateField(label=_("Desired until"), widget=forms.DateInput(attrs={"type": "date"}))
    travel_constraints = forms.CharField(
        label=_("Travel constraints (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2_000,
    )
    providers = ProviderChoiceField(
        label=_("Send to"),
        queryset=Provider.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One to five verified providers."),
    )
    documents = DocumentChoiceField(
        label=_("Attach documents you have already uploaded"),
        queryset=MedicalDocument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_document = forms.FileField(
        label=_("Or add a document now"),
        required=False,
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.dcm"}),
    )
    new_document_title = forms.CharField(label=_("Its title"), max_length=TITLE_MAX_LENGTH, required=False)

    def __init__(self, *args, patient, provider_ids: list[int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        providers = Provider.objects.filter(status=VerificationStatus.VERIFIED).order_by("name")
        if provider_ids:
            providers = providers.filter(pk__in=provider_ids)
            self.fields["providers"].initial = list(providers.values_list("pk", flat=True))
        else:
            self.fields["providers"].widget = forms.SelectMultiple(attrs={"size": 8})
        cast(ProviderChoiceField, self.fields["providers"]).queryset = providers
        cast(DocumentChoiceField, self.fields["documents"]).queryset = documents_of_owner(user=patient)
        self.fields["new_document"].help_text = _(
            "PDF, JPEG, PNG or DICOM, up to %(limit)s. It is stored encrypted and shared only with the "
            "providers you send this request to."
        ) % {"limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)}

    def clean_providers(self):
        chosen = self.cleaned_data["providers"]
        if len(chosen) > MAX_RECIPIENTS:
            raise forms.ValidationError(
                _("A request goes to %(max)d providers at most; you chose %(count)d.")
                % {"max": MAX_RECIPIENTS, "count": len(chosen)}
            )
        return chosen

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_document") and not cleaned.get("new_document_title", "").strip():
            self.add_error("new_document_title", _("Give the document a title, e.g. “MRI of the left knee”."))
        return cleaned


def _money_minor(text: str, currency: str) -> int:
    try:
        return parse_money(text, currency, get_language() or settings.LANGUAGE_CODE).amount
    except MoneyError as exc:
        raise forms.ValidationError(exc.message) from exc


class QuoteForm(forms.Form):
    """The head of a quote; its lines and proposed times come in two formsets beside it."""

    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices())
    deposit = forms.CharField(label=_("Deposit"), max_length=40)
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    payment_days = forms.IntegerField(
        label=_("Days to pay the deposit once accepted"), min_value=1, max_value=MAX_PAYMENT_DAYS, initial=7
    )
    max_variation = forms.DecimalField(
        label=_("Maximum price variation without the patient's consent (%)"),
        min_value=0,
        max_value=100,
        decimal_places=2,
        initial=Decimal(10),
    )
    cancellation_policy = forms.ChoiceField(label=_("Cancellation policy"), choices=CancellationPolicyChoice.choices)
    location = forms.ModelChoiceField(
        label=_("Where (the proposed times are in its timezone)"), queryset=Provider.objects.none()
    )
    excluded = forms.CharField(
        label=_("Not included"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2_000
    )
    message = forms.CharField(
        label=_("Message to the patient"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5_000
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].initial = provider.default_currency
        location = cast(forms.ModelChoiceField, self.fields["location"])
        location.queryset = provider.locations.all()
        location.empty_label = None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("currency") and cleaned.get("deposit"):
            try:
                cleaned["deposit_amount"] = _money_minor(cleaned["deposit"], cleaned["currency"])
            except forms.ValidationError as exc:
                self.add_error("deposit", exc)
        if cleaned.get("max_variation") is not None:
            cleaned["max_variation_bps"] = int(cleaned["max_variation"] * 100)
        return cleaned


class QuoteLineForm(forms.Form):
    # An empty first choice, so that a line left blank posts nothing that differs from its initial
    # values and the formset skips it.
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *QuoteLineKind.choices])
    description = forms.CharField(label=_("Description"), max_length=200)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    unit_price = forms.CharField(label=_("Unit price"), max_length=40)


class QuoteSlotForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=60 * 24 * 14, initial=60)


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=3, max_num=30, validate_max=True)
QuoteSlotFormSet = forms.formset_factory(QuoteSlotForm, extra=2, max_num=10, validate_max=True)


def lines_from(formset, currency: str) -> list[LineInput] | None:
    """The filled lines, or None after putting a price error on its form."""
    lines, ok = [], True
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data:
            continue  # an extra form left empty
        try:
            unit = _money_minor(data["unit_price"], currency)
        except forms.ValidationError as exc:
            form.add_error("unit_price", exc)
            ok = False
            continue
        lines.append(LineInput(data["kind"], data["description"], data["quantity"], unit))
    return lines if ok else None


def slots_from(formset, timezone: str) -> list[SlotInput]:
    """Proposed times typed as wall-clock times where the care takes place, made aware.

    A time that does not exist on that day (skipped by a daylight-saving change) is read with the
    offset before the change, as `zoneinfo` does (fold=0).
    """
    tz = ZoneInfo(timezone)
    slots = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data:
            continue
        # Durations are added in UTC: wall-clock arithmetic would be an hour off across a change.
        start = dt.datetime.combine(data["date"], data["time"], tzinfo=tz).astimezone(dt.UTC)
        slots.append(SlotInput(start=start, end=start + dt.timedelta(minutes=data["minutes"])))
    return slots


class TenderForm(forms.Form):
    """The careteam's tender for a patient: the request sent in their name and the deadline for answers."""

    subject = forms.CharField(label=_("Subject"), max_length=200)
    specialty = forms.ModelChoiceField(label=_("Specialty"), queryset=Specialty.objects.all(), required=False)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=Procedure.objects.all(), required=False)
    message = forms.CharField(
        label=_("The need, as the providers will read it"), widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000
    )
    desired_from = forms.DateField(label=_("Desired from"), widget=forms.DateInput(attrs={"type": "date"}))
    desired_to = forms.DateField(label=_("Desired until"), widget=forms.DateInput(attrs={"type": "date"}))
    answer_by = forms.DateTimeField(
        label=_("Answers wanted by (UTC)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    providers = ProviderChoiceField(
        label=_("Providers put in competition"),
        queryset=Provider.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Two to five verified providers."),
    )
    documents = DocumentChoiceField(
        label=_("The patient's documents to share with them"),
        queryset=MedicalDocument.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        providers = Provider.objects.filter(status=VerificationStatus.VERIFIED).order_by("name")
        cast(ProviderChoiceField, self.fields["providers"]).queryset = providers
        cast(DocumentChoiceField, self.fields["documents"]).queryset = documents_of_owner(user=patient)

    def clean_answer_by(self):
        value = self.cleaned_data["answer_by"]
        # The form's time is read as UTC (the label says so): the careteam works across timezones.
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value
