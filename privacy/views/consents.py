"""Your data → Consents: each purpose, its state and version, to withdraw or give it again
(docs/decisions.md, "Consents")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import ConsentPurpose
from accounts.selectors import consent_overview
from accounts.services import consent_give, consent_withdraw
from core.api_parity import api_twin
from core.pages import run_service


@login_required
def consents_view(request):
    """The person's consents, newest state of each purpose, with what withdrawing means."""
    rows = [{**row, "fields": [("purpose", row["purpose"])]} for row in consent_overview(user=request.user)]
    return render(request, "privacy/consents.html", {"rows": rows})


def _label(purpose: str) -> str:
    return str(ConsentPurpose(purpose).label) if purpose in ConsentPurpose.values else ""


@login_required
@require_POST
@api_twin("privacy-api:consent_give")
def consent_give_view(request):
    purpose = request.POST.get("purpose", "")
    run_service(
        request,
        lambda: consent_give(user=request.user, purpose=purpose, now=timezone.now()),
        _("Thank you: your consent to “%(purpose)s” is recorded.") % {"purpose": _label(purpose)},
    )
    return redirect("privacy:consents")


@login_required
@require_POST
@api_twin("privacy-api:consent_withdraw")
def consent_withdraw_view(request):
    purpose = request.POST.get("purpose", "")
    run_service(
        request,
        lambda: consent_withdraw(user=request.user, purpose=purpose, now=timezone.now()),
        _("Your consent to “%(purpose)s” is withdrawn.") % {"purpose": _label(purpose)},
    )
    return redirect("privacy:consents")


urlpatterns: list[URLPattern] = [
    path("consents/", consents_view, name="consents"),
    path("consents/give/", consent_give_view, name="consent_give"),
    path("consents/withdraw/", consent_withdraw_view, name="consent_withdraw"),
]
