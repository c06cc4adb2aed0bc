"""Account endpoints: sign-up, API tokens, and who am I."""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account.forms import SignupForm
from allauth.account.models import EmailAddress
from allauth.account.utils import complete_signup
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.selectors import user_must_accept_terms, user_roles
from accounts.serializers import (
    MeSerializer,
    SignupRequestSerializer,
    SignupResponseSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from accounts.services import terms_accept
from core.errors import Forbidden, ValidationFailed
from core.serializers import form_data


class SignupAPI(APIView):
    """Create a patient account. The same form as the sign-up page checks every rule."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=SignupRequestSerializer, responses={201: SignupResponseSerializer})
    def post(self, request):
        form = SignupForm(data=form_data(request.data))  # strings only, as a browser sends them
        if not form.is_valid():
            details = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
            first = next(iter(details.values()))[0]
            raise ValidationFailed(first, details=details)
        django_request = request._request
        user = form.save(django_request)
        # Sends the verification e-mail; the account cannot sign in until it is verified.
        complete_signup(django_request, user, email_verification=allauth_settings.EMAIL_VERIFICATION, success_url=None)
        return Response(
            {"email": user.email, "detail": _("Check your inbox: we sent a link to verify your e-mail address.")},
            status=status.HTTP_201_CREATED,
        )


class TokenAPI(APIView):
    """Exchange e-mail, password (and an MFA code when MFA is on) for an API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        email, password = body.validated_data["email"], body.validated_data["password"]
        user = authenticate(request._request, email=email, password=password)
        if user is None:
            raise Forbidden(_("The e-mail address or the password is wrong."), code="bad_credentials")
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise Forbidden(_("Verify your e-mail address first: follow the link we sent you."), code="unverified")
        if is_mfa_enabled(user):
            code = body.validated_data.get("code", "")
            authenticators = Authenticator.objects.filter(
                user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            )
            if not code or not any(a.wrap().validate_code(code) for a in authenticators):
                raise Forbidden(_("Enter a valid code from your authenticator app."), code="mfa_required")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


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
