"""The exchange rates in the admin: finance edits them there, through the storefront's services
(the model and its lookup are the kernel's, `core.models.ExchangeRate` and `core.rates`)."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.models import ExchangeRate
from core.money import CURRENCY_EXPONENTS
from core.rates import EURO
from storefront.models import ProviderRanking
from storefront.services import exchange_rate_delete, exchange_rate_save


class ExchangeRateForm(forms.ModelForm):
    # The euro is the base (1 EUR = 1 EUR): it never has a row.
    currency = forms.ChoiceField(label=_("currency"), choices=[(c, c) for c in sorted(CURRENCY_EXPONENTS) if c != EURO])

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "rate", "source"]

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and rate <= 0:
            raise forms.ValidationError(_("A rate is how many units one euro buys: more than zero."))
        return rate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """Finance corrects or adds rates here; every change goes to the audit trail."""

    form = ExchangeRateForm
    list_display = ["date", "currency", "rate", "source"]
    list_filter = ["currency", "source"]
    search_fields = ["currency", "source"]
    date_hierarchy = "date"
    ordering = ["-date", "currency"]

    def save_model(self, request, obj, form, change):
        exchange_rate_save(rate=obj, actor=request.user, now=timezone.now())

    def delete_model(self, request, obj):
        exchange_rate_delete(rate=obj, actor=request.user, now=timezone.now())

    def delete_queryset(self, request, queryset):
        now = timezone.now()
        for rate in queryset:
            exchange_rate_delete(rate=rate, actor=request.user, now=now)


@admin.register(ProviderRanking)
class ProviderRankingAdmin(ReadOnlyAdmin):
    """The published ranking's rows, written only by `provider_rankings_refresh`."""

    list_display = ["provider", "score", "rating_average", "rating_count", "response_counted", "bookings"]
    list_display = [*list_display, "cancelled_by_provider", "completeness_component", "refreshed_at"]
    list_select_related = ["provider"]
    search_fields = ["provider__name"]
    ordering = ["-score"]
