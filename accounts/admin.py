from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, PatientProfile, TermsAcceptance, TermsVersion, User
from accounts.services import api_token_revoke, api_token_revoke_check, terms_publish
from core.admin import ReadOnlyAdmin


class PatientProfileInline(admin.StackedInline):
    model = PatientProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "patient_profile__last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [PatientProfileInline]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Adding a version publishes it through `terms_publish` (in force at once, audited): every user
    is asked to accept it on their next page. A published version is never edited or deleted, since
    the acceptances point at it."""

    list_display = ["version", "published_at"]

    def get_fields(self, request, obj=None):
        return ["version", "summary"] if obj is None else ["version", "published_at", "summary"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        published = terms_publish(actor=request.user, version=obj.version, summary=obj.summary, now=timezone.now())
        obj.pk, obj.published_at = published.pk, published.published_at


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "terms_version", "accepted_at"]
    list_filter = ["terms_version"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Who holds which token, and when it was used: no digest nor key prefix (nothing derived from
    the secret), no way to make one (tokens come from a sign-in). Revoking one is audited."""

    list_display = ["user", "name", "created", "last_used_at", "expiry"]
    search_fields = ["user__email", "name"]
    fields = ["user", "name", "created", "last_used_at", "expiry"]
    readonly_fields = ["user", "name", "created", "last_used_at", "expiry"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        now = timezone.now()
        count = 0
        for token in queryset.select_related("user"):
            check = api_token_revoke_check(actor=request.user, token=token)
            if not check.allowed:
                self.message_user(request, check.reason, messages.ERROR)
                return
            api_token_revoke(actor=request.user, token=token, now=now)
            count += 1
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})


# allauth.mfa registers an admin that shows (and lets one edit) an authenticator's `data`, where the
# TOTP secret and the recovery codes' seed live. Here it shows who has which second factor and when
# it was used, never the secret; removing someone's authenticator is a support procedure, not a click.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at", "last_used_at"]
    search_fields = ["user__email"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = ["user", "type", "created_at", "last_used_at"]
    list_select_related = ["user"]
