from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.forms import AccountSettingsForm, PatientProfileForm, TermsAcceptForm
from accounts.models import ApiToken
from accounts.selectors import user_api_tokens, user_must_accept_terms, user_profile_values
from accounts.services import (
    api_token_revoke,
    api_tokens_revoke_all,
    patient_profile_update,
    terms_accept,
    user_language_check,
    user_language_set,
    user_settings_update,
)
from core.api_parity import api_twin, no_api_twin
from core.errors import DomainError
from core.pages import apply_domain_error, run_service


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
@api_twin("api_me_terms")
def terms_accept_view(request):
    """Ask a signed-in user to accept the terms in force (after a new version is published)."""
    terms = user_must_accept_terms(user=request.user, now=timezone.now())
    if terms is None:
        return redirect(_safe_next(request))
    form = TermsAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        terms_accept(user=request.user, terms=terms, now=timezone.now())
        messages.success(request, _("Thank you: you accepted the terms of use, version %(v)s.") % {"v": terms.version})
        return redirect(_safe_next(request))
    return render(
        request,
        "accounts/terms_accept.html",
        {"form": form, "terms": terms, "next": _safe_next(request)},
    )


@login_required
@api_twin("api_account_profile")
def profile_view(request):
    """My account: the patient's details (as at sign-up) and, for everyone, language and timezone.

    Changing the language switches the site's at once (the language cookie)."""
    user = request.user
    has_profile = getattr(user, "patient_profile", None) is not None
    form_class = PatientProfileForm if has_profile else AccountSettingsForm
    form = form_class(request.POST or None, initial=user_profile_values(user=user))
    if request.method == "POST" and form.is_valid():
        now = timezone.now()
        try:
            with transaction.atomic():
                if isinstance(form, PatientProfileForm):
                    patient_profile_update(user=user, details=form.details(), now=now)
                    language = form.cleaned_data["preferred_language"]
                else:
                    language = form.cleaned_data["language"]
                    user_language_set(user=user, language=language, now=now)
                user_settings_update(user=user, timezone_name=form.cleaned_data["timezone"], now=now)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            translation.activate(language)
            messages.success(request, _("Your account is saved."))
            response = redirect("accounts_profile")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return response
    return render(request, "accounts/profile.html", {"form": form, "has_profile": has_profile})


@no_api_twin(
    "the language of a page; an API client sends Accept-Language, and an account's language is set with "
    "PATCH api_account_profile"
)
def set_language_view(request):
    """The header's language switch: Django's `set_language` (the cookie, back to the page), and a
    signed-in person's choice kept on their account, so that it follows them to other devices and
    into their e-mails. An unknown code changes nothing and is no error (docs/decisions.md, "Languages")."""
    response = django_set_language(request)
    code = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and user_language_check(language=code):
        user_language_set(user=request.user, language=code, now=timezone.now())
    return response


@login_required
def api_tokens_view(request):
    """My account > API tokens: the devices signed in through the API, to revoke one or all."""
    tokens = user_api_tokens(user=request.user, now=timezone.now())
    return render(request, "accounts/api_tokens.html", {"tokens": tokens})


@login_required
@require_POST
@api_twin("api_token_detail")
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    run_service(
        request,
        lambda: api_token_revoke(actor=request.user, token=token, now=timezone.now()),
        _("The token of “%(name)s” is revoked.") % {"name": token.name},
    )
    return redirect("accounts_api_tokens")


@login_required
@require_POST
@api_twin("api_tokens")
def api_tokens_revoke_all_view(request):
    run_service(
        request,
        lambda: api_tokens_revoke_all(user=request.user, actor=request.user, reason="owner", now=timezone.now()),
        _("Every API token of your account is revoked."),
    )
    return redirect("accounts_api_tokens")


def admin_login(request, extra_context=None):
    """Replaces the admin's own sign-in form (config/urls.py): one way in, allauth's, with its rate
    limits, e-mail verification and second factor.

    Anonymous: sent to allauth's sign-in with `next` kept. Signed in as active staff: on to `next` or
    the admin (MFARequiredMiddleware has already sent a staff member without a second factor to set
    one up). Signed in as anyone else: 403, whatever is posted; no credentials are ever read here.
    """
    next_url = _safe_next(request)
    if next_url == "/":
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
    if not (request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("This area is for MediBroker's staff."))
    if not is_mfa_enabled(request.user):
        return redirect("mfa_activate_totp")
    return redirect(next_url)
