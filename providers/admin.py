"""Admin for the catalogue and for what has no page yet (credentials, accreditations, affiliations).

Verification is not editable here: it goes through the careteam's page, which records who checked
what.
"""

from django.contrib import admin

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


class CredentialInline(admin.TabularInline):
    model = Credential
    extra = 0


class AccreditationInline(admin.TabularInline):
    model = Accreditation
    extra = 0


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    fk_name = "practitioner"
    extra = 0


class MemberInline(admin.TabularInline):
    model = ProviderMember
    extra = 0
    raw_id_fields = ["user"]


class VerificationStepInline(admin.TabularInline):
    model = VerificationStep
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "checked", "note", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "register", "registration_number", "default_currency"]
    list_filter = ["status", "kind", "register"]
    search_fields = ["name", "registration_number", "slug"]
    readonly_fields = ["status", "verified_at", "verified_by"]
    filter_horizontal = ["specialties", "procedures"]
    inlines = [MemberInline, CredentialInline, AccreditationInline, AffiliationInline, VerificationStepInline]


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr"]
    search_fields = ["code", "name_en", "name_fr"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr", "specialty"]
    list_filter = ["specialty"]
    search_fields = ["code", "name_en", "name_fr"]


class ViewOnlyAdmin(admin.ModelAdmin):
    """Changed only through the provider dashboard or the API, whose services check and audit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Location)
class LocationAdmin(ViewOnlyAdmin):
    list_display = ["name", "provider", "city", "country", "timezone"]
    search_fields = ["name", "city", "provider__name"]


@admin.register(Offering)
class OfferingAdmin(ViewOnlyAdmin):
    list_display = ["title", "provider", "currency", "price_min", "price_max", "booking_mode", "is_active"]
    list_filter = ["booking_mode", "is_active", "currency"]
    search_fields = ["title", "provider__name"]


@admin.register(ContractVersion)
class ContractVersionAdmin(admin.ModelAdmin):
    list_display = ["kind", "version", "published_at"]
