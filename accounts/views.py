from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from accounts.forms import TermsAcceptForm
from accounts.selectors import user_must_accept_terms
from accounts.services import terms_accept


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


@login_required
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
