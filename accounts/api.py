"""Account endpoints: sign-up, API tokens, and who am I."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.account.models import EmailAddress
from allauth.account.utils import complete_signup
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.forms import PatientProfileForm
from accounts.models import ApiToken
from accounts.reauth import TooManyAttempts, second_factor_code_check
from accounts.selectors import (
    user_api_tokens,
    user_language,
    user_must_accept_terms,
    user_profile_values,
    user_requires_mfa,
    user_roles,
)
from accounts.serializers import (
    PROFILE_FIELDS,
    AccountProfileSerializer,
    ApiTokenSerializer,
    MeSerializer,
    SignupRequestSerializer,
    SignupResponseSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from accounts.services import (
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
    patient_profile_update,
    terms_accept,
    user_language_check,
    user_language_set,
    user_settings_update,
)
from core.errors import Forbidden, ValidationFailed
from core.serializers import form_data
from core.throttling import AccountThrottle, ClientAddressThrottle

# Sign-up booleans: a consent is a JSON true, or the word "true" in a form, and nothing else
# ("no", "0", "off" are not a yes).
STRICT_BOOLEANS = ("accept_terms", "accept_health_data", "accept_marketing", "acts_as_representative")
_FORM_BOOLEANS = {"true": True, "false": False}


def _strict_booleans(data: dict[str, Any], *, form_encoded: bool) -> None:
    """Replace each boolean of `data` by True/False, or refuse the request naming the fields."""
    errors: dict[str, list[str]] = {}
    for name in STRICT_BOOLEANS:
        if name not in data:
            continue  # not sent: false (the form then asks for the terms)
        raw = data[name]
        value = _FORM_BOOLEANS.get(raw) if form_encoded and isinstance(raw, str) else None
        if not form_encoded and isinstance(raw, bool):
            value = raw
        if value is None:
            errors[name] = [
                _('Must be true or false (JSON true/false, or "true"/"false" in a form), not %(value)s.')
                % {"value": repr(raw)[:40]}
            ]
        else:
            data[name] = value
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)


class SignupAPI(APIView):
    """Create a patient account. The same form as the sign-up page checks every rule."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressThrottle, AccountThrottle]
    throttle_scope = "auth"
    throttle_account_scope = "auth_account"

    @extend_schema(request=SignupRequestSerializer, responses={201: SignupResponseSerializer})
    def post(self, request):
        raw = request.data
        if not isinstance(raw, Mapping):
            raise ValidationFailed(_("Send the sign-up details as an object of fields."), code="invalid_body")
        form_encoded = isinstance(raw, QueryDict)
        data = raw.dict() if form_encoded else dict(raw)
        _strict_booleans(data, form_encoded=form_encoded)
        form = SignupForm(data=form_data(data))  # strings only, as a browser sends them
        if not form.is_valid():
            details = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
            first = next(iter(details.values()))[0]
            raise ValidationFailed(first, details=details)
        django_request = request._request
        # An address already in use gets allauth's "you already have an account" e-mail and the same
        # answer as a new one (ACCOUNT_PREVENT_ENUMERATION): the API tells nobody who has an account.
        user, _already_exists_answer = form.try_save(django_request)
        if user is not None:
            # Sends the verification e-mail; the account cannot sign in until it is verified.
            complete_signup(
                django_request, user, email_verification=allauth_settings.EMAIL_VERIFICATION, success_url=None
            )
        return Response(
            {
                "email": form.cleaned_data["email"],
                "detail": _("Check your inbox: we sent a link to verify your e-mail address."),
            },
            status=status.HTTP_201_CREATED,
        )


class TokenAPI(APIView):
    """Exchange e-mail, password (and an MFA code when MFA is on) for a new API token of one device.

    The secret is in this answer only. Admins, staff and provider members need MFA switched on and a
    code. Failed attempts count against the account on the sign-in page too, and lock it alike.
    """

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressThrottle, AccountThrottle]
    throttle_scope = "auth"
    throttle_account_scope = "auth_account"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        email, password = body.validated_data["email"], body.validated_data["password"]
        django_request = request._request
        try:
            # allauth's sign-in: its per-account lockout ("login_failed") applies here as on the page.
            user = get_adapter(django_request).authenticate(django_request, email=email, password=password)
        except DjangoValidationError as exc:
            raise TooManyAttempts(" ".join(exc.messages)) from exc
        if user is None:
            raise Forbidden(_("The e-mail address or the password is wrong."), code="bad_credentials")
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise Forbidden(_("Verify your e-mail address first: follow the link we sent you."), code="unverified")
        if is_mfa_enabled(user):
            second_factor_code_check(user, body.validated_data.get("code", ""))
        elif user_requires_mfa(user=user):
            raise Forbidden(
                _("Your role requires two-factor authentication: set it up under My account, then ask again."),
                code="mfa_setup_required",
            )
        now = timezone.now()
        token, secret = api_token_create(user=user, device=body.validated_data["device"], now=now)
        return Response({"token": secret, **ApiTokenSerializer(token, context={"request": request}).data})


class ApiTokenListAPI(APIView):
    """The signed-in user's API tokens that still work (never their secrets); DELETE revokes them
    all, the one this request is signed with included (as the tokens page's "revoke all")."""

    @extend_schema(responses=ApiTokenSerializer(many=True))
    def get(self, request):
        tokens = user_api_tokens(user=request.user, now=timezone.now())
        return Response(ApiTokenSerializer(tokens, many=True, context={"request": request}).data)

    @extend_schema(operation_id="v1_auth_tokens_revoke_all", request=None, responses={204: None})
    def delete(self, request):
        api_tokens_revoke_all(user=request.user, actor=request.user, reason="owner", now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ApiTokenDetailAPI(APIView):
    """Revoke one of your API tokens."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk: int):
        token = get_object_or_404(ApiToken, pk=pk, user=request.user)
        api_token_revoke(actor=request.user, token=token, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAPI(APIView):
    """Revoke the API token this request is signed with."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if not isinstance(request.auth, ApiToken):
            raise ValidationFailed(
                _("This request is not signed with an API token: there is no token to revoke."), code="not_token"
            )
        api_token_revoke(actor=request.user, token=request.auth, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeAPI(APIView):
    """The signed-in user: e-mail, roles, MFA, terms still to accept, and the patient profile."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(_me(request.user)).data)


class MeTermsAPI(APIView):
    """Accept the terms of use in force."""

    @extend_schema(request=None, responses=MeSerializer)
    def post(self, request):
        now = timezone.now()
        terms = user_must_accept_terms(user=request.user, now=now)
        if terms is not None:
            terms_accept(user=request.user, terms=terms, now=now)
        return Response(MeSerializer(_me(request.user)).data)


def _me(user) -> dict:
    terms = user_must_accept_terms(user=user, now=timezone.now())
    return {
        "id": user.pk,
        "email": user.email,
        "roles": user_roles(user=user),
        "mfa_enabled": is_mfa_enabled(user),
        "terms_to_accept": terms.version if terms else None,
        "patient_profile": getattr(user, "patient_profile", None),
    }


def _account_profile(user) -> dict:
    initial = user_profile_values(user=user)
    has_profile = getattr(user, "patient_profile", None) is not None
    data: dict[str, Any] = {
        "email": user.email,
        "timezone": user.timezone,
        "language": user_language(user=user),
        "has_patient_profile": has_profile,
    }
    for name in PROFILE_FIELDS:
        data[name] = initial.get(name) if has_profile else None
    if has_profile:
        data["phone"] = user.patient_profile.phone.as_e164
    return data


def _language_of_patch(raw: Any) -> tuple[str | None, Any]:
    """The `language` a PATCH of My account names (None: unchanged), checked, and the other fields."""
    if not isinstance(raw, Mapping) or "language" not in raw:
        return None, raw
    language = raw["language"]
    # The service's rule, checked before any field changes, its refusal named by the API's field.
    if language is not None and not (isinstance(language, str) and user_language_check(language=language)):
        message = _("Choose one of the languages of the list.")
        raise ValidationFailed(message, details={"language": [message]})
    return language, {name: value for name, value in raw.items() if name != "language"}


class AccountProfileAPI(APIView):
    """My account: read and change the patient's details and the timezone (the page's rules)."""

    @extend_schema(responses=AccountProfileSerializer)
    def get(self, request):
        return Response(AccountProfileSerializer(_account_profile(request.user)).data)

    @extend_schema(request=AccountProfileSerializer, responses=AccountProfileSerializer)
    def patch(self, request):
        raw = request.data
        language, raw = _language_of_patch(raw)  # every account's; the other fields are the patient's
        if not isinstance(raw, Mapping):
            raise ValidationFailed(_("Send the changes as an object of fields."), code="invalid_body")
        user = request.user
        has_profile = getattr(user, "patient_profile", None) is not None
        unknown = sorted(set(raw) - {"timezone", "phone_country", *PROFILE_FIELDS})
        if unknown or (not has_profile and set(raw) - {"timezone", "phone_country"}):
            fields = unknown or sorted(set(raw) - {"timezone", "phone_country"})
            message = _("These fields cannot be changed here: %(fields)s.") % {"fields": ", ".join(fields)}
            raise ValidationFailed(message, details={name: [message] for name in fields})
        timezone_name = raw.get("timezone", user.timezone)
        if not isinstance(timezone_name, str):
            raise ValidationFailed(_("The timezone is a name such as Europe/London."), details={"timezone": ["str"]})
        now = timezone.now()
        with transaction.atomic():
            if has_profile:
                current = _account_profile(user)
                merged = {name: current[name] for name in PROFILE_FIELDS} | {
                    name: raw[name] for name in PROFILE_FIELDS if name in raw
                }
                # The country a national number in `phone` is read in ("06 12 34 56 78" with "FR").
                merged["phone_country"] = raw.get("phone_country") or ""
                if not isinstance(merged["acts_as_representative"], bool):
                    message = _("Must be true or false.")
                    raise ValidationFailed(message, details={"acts_as_representative": [message]})
                form = PatientProfileForm(data=form_data(merged))
                if not form.is_valid():
                    details = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
                    raise ValidationFailed(next(iter(details.values()))[0], details=details)
                patient_profile_update(user=user, details=form.details(), now=now)
            user_settings_update(user=user, timezone_name=timezone_name, now=now)
            if language is not None:  # after the profile's preferred_language: the one named last wins
                user_language_set(user=user, language=language, now=now)
        user.refresh_from_db()
        return Response(AccountProfileSerializer(_account_profile(user)).data)
