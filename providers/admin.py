"""Providers in the admin: shown, not edited.

A provider's profile, members, locations and offerings are changed by its own administrators through
the dashboard or the API, whose services check and audit. The careteam's verification decision is an
admin action that calls the same services as the careteam's page. Credentials, accreditations,
affiliations and the catalogue have no service: they are read-only here. A new version of the
membership contract or of the code of ethics is published through `contract_publish`; a published
version is never edited or deleted, since the acceptances point at it.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from core.errors import DomainError
from providers import services
from providers.forms import VerificationForm
from providers.models import (
    Accreditation,
    Affiliation,
    ContractVersion,
    Credential,
    Location,
    Offering,
    Procedure,
    Provider,
    ProviderMember,
    Specialty,
    VerificationStep,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CredentialInline(ReadOnlyInline):
    model = Credential


class AccreditationInline(ReadOnlyInline):
    model = Accreditation


class AffiliationInline(ReadOnlyInline):
    model = Affiliation
    fk_name = "practitioner"


class MemberInline(ReadOnlyInline):
    model = ProviderMember


class VerificationStepInline(ReadOnlyInline):
    model = VerificationStep


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "status", "register", "registration_number", "default_currency"]
    list_filter = ["status", "kind", "register"]
    search_fields = ["name", "registration_number", "slug"]
    inlines = [MemberInline, CredentialInline, AccreditationInline, AffiliationInline, VerificationStepInline]
    actions = ["record_verification"]

    @admin.action(description=_("Record a verification decision (careteam)"), permissions=["view"])
    def record_verification(self, request, queryset):
        """Ask what was checked, then call the careteam's verification service for the one provider
        selected (a check is specific to each provider)."""
        providers = list(queryset[:2])
        if len(providers) != 1:
            self.message_user(
                request, gettext("Choose one provider: what you checked is specific to each."), messages.WARNING
            )
            return None
        [provider] = providers
        decisions = services.provider_decision_checks(provider=provider, actor=request.user)
        offered = [name for name, check in decisions.items() if check]
        form = VerificationForm(request.POST if "apply" in request.POST else None, offered=offered)
        if form.is_valid():
            decide, _check = services.VERIFICATION_DECISIONS[form.cleaned_data["decision"]]
            try:
                with transaction.atomic():
                    decide(
                        provider=provider,
                        actor=request.user,
                        checked=form.cleaned_data["checked"],
                        note=form.cleaned_data["note"],
                        now=timezone.now(),
                    )
            except DomainError as exc:
                self.message_user(request, f"{provider}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, gettext("Decision recorded."), messages.SUCCESS)
            return None
        return TemplateResponse(
            request,
            "admin/providers/provider/record_verification.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Record a verification decision"),
                "opts": self.model._meta,
                "provider": provider,
                "form": form,
                "offered": offered,
                "refused": [
                    (form.decision_label(name), check.reason) for name, check in decisions.items() if not check
                ],
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Specialty)
class SpecialtyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_fr"]
    search_fields = ["code", "name_en", "name_fr"]


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_en", "name_fr", "specialty"]
    list_filter = ["specialty"]
    search_fields = ["code", "name_en", "name_fr"]


@admin.register(Location)
class LocationAdmin(ReadOnlyAdmin):
    list_display = ["name", "provider", "city", "country", "timezone"]
    search_fields = ["name", "city", "provider__name"]


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ["title", "provider", "currency", "price_min", "price_max", "booking_mode", "is_active"]
    list_filter = ["booking_mode", "is_active", "currency"]
    search_fields = ["title", "provider__name"]


@admin.register(ContractVersion)
class ContractVersionAdmin(admin.ModelAdmin):
    """Adding a version publishes it, in force at once, through `contract_publish` (audited)."""

    list_display = ["kind", "version", "published_at"]
    list_filter = ["kind"]

    def get_fields(self, request, obj=None):
        return ["kind", "version", "summary"] if obj is None else ["kind", "version", "published_at", "summary"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = services.contract_publish(
            actor=request.user, kind=obj.kind, version=obj.version, summary=obj.summary, now=timezone.now()
        )
        obj.pk, obj.published_at = published.pk, published.published_at
