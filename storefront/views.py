"""Storefront pages: home, search, comparison and legal pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import terms_current
from core.currency import patient_currency
from core.errors import DomainError, ValidationFailed
from core.money import CURRENCY_EXPONENTS
from providers.models import Offering
from storefront.compare import compare_add, compare_ids, compare_remove, compare_rows
from storefront.filters import OfferingSearchFilter
from storefront.search import SearchParams, search_page


def home(request):
    return render(
        request, "storefront/home.html", {"search_form": OfferingSearchFilter(queryset=Offering.objects.none()).form}
    )


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        raise ValidationFailed(
            _("The page must be a number."), code="invalid_page", details={"page": [_("Enter a whole number.")]}
        ) from None


def search(request):
    """Search verified providers' offerings; prices also in the patient's currency."""
    filterset = OfferingSearchFilter(request.GET or None, queryset=Offering.objects.none())
    context = {"filter": filterset, "form": filterset.form, "page": None, "compare_ids": compare_ids(request)}
    if request.GET and filterset.is_valid():
        currency = patient_currency(request, filterset.form.cleaned_data.get("currency"))
        try:
            context["page"] = search_page(
                params=filterset.params(), currency=currency, now=timezone.now(), page=_page_number(request)
            )
        except ValidationFailed as exc:
            context["page_error"] = exc.message
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    elif not request.GET:
        context["page"] = search_page(
            params=SearchParams(), currency=patient_currency(request, None), now=timezone.now()
        )
        context["query"] = ""
    return render(request, "storefront/search.html", context)


def terms(request):
    return render(request, "storefront/legal/terms.html", {"terms": terms_current(now=timezone.now())})


def legal_notice(request):
    return render(request, "storefront/legal/notice.html", {"operator": settings.OPERATOR})


def compare(request):
    """Up to four offerings side by side."""
    asked = request.GET.get("currency")
    currency = patient_currency(request, asked if asked in CURRENCY_EXPONENTS else None)
    rows = compare_rows(offering_ids=compare_ids(request), currency=currency, now=timezone.now())
    return render(request, "storefront/compare.html", {"rows": rows, "currency": currency})


@require_POST
def compare_toggle(request, offering_id: int):
    """Add an offering to the comparison, or take it out (action=remove)."""
    try:
        if request.POST.get("action") == "remove":
            compare_remove(request, offering_id=offering_id)
        else:
            compare_add(request, offering_id=offering_id)
            messages.success(request, _("Added to the comparison."))
    except DomainError as exc:
        messages.error(request, exc.message)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("compare")
    return redirect(target)
