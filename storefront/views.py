"""Storefront pages: home, search, how search ranks, comparison, legal pages and a provider's public page."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import terms_current
from bookings.slots import offering_slot_choice, provider_next_busy
from core.api_parity import no_api_twin
from core.currency import patient_currency
from core.errors import DomainError, NotFound, ValidationFailed
from core.money import CURRENCY_EXPONENTS
from core.rates import rates_on
from providers.languages import language_name, language_names
from providers.models import Location, Provider
from providers.selectors import provider_public_get
from quotes.selectors import provider_median_response
from reviews.selectors import provider_page_reviews
from storefront import ranking as formula
from storefront.compare import compare_add, compare_add_check, compare_ids, compare_remove, compare_rows
from storefront.filters import FOLDED_FILTERS, active_filter_count, search_form_class, search_params
from storefront.search import SearchParams, price_converted, search_page


def home(request):
    return render(request, "storefront/home.html", {"search_form": search_form_class()()})


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        raise ValidationFailed(
            _("The page must be a number."), code="invalid_page", details={"page": [_("Enter a whole number.")]}
        ) from None


def search(request):
    """Search verified providers' offerings; prices also in the patient's currency."""
    # The filters' form itself (as the API validates): a FilterSet would deep-copy every filter first.
    form = search_form_class()(request.GET or None)
    compared = compare_ids(request)
    context = {
        "form": form,
        "page": None,
        "compare_ids": compared,
        "compare_add": compare_add_check(compared_ids=compared),
        "active_filters": active_filter_count(request.GET),
    }
    if request.GET and form.is_valid():
        currency = patient_currency(request, form.cleaned_data.get("currency"))
        try:
            context["page"] = search_page(
                params=search_params(form.cleaned_data),
                currency=currency,
                now=timezone.now(),
                page=_page_number(request),
            )
        except ValidationFailed as exc:
            context["page_error"] = exc.message
        language = form.cleaned_data.get("language")
        context["searched_language"] = language_name(language) if language else ""
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    elif not request.GET:
        context["page"] = search_page(
            params=SearchParams(), currency=patient_currency(request, None), now=timezone.now()
        )
        context["query"] = ""
    # A folded filter with an error opens the fold, so that the message is seen.
    context["filters_with_errors"] = any(name in form.errors for name in FOLDED_FILTERS)
    return render(request, "storefront/search.html", context)


def ranking(request):
    """How search orders results: the published formula, its weights and thresholds (storefront.ranking)."""
    components = [
        {"key": key, "label": formula.LABELS[key], "weight": round(weight * 100)}
        for key, weight in formula.WEIGHTS.items()
    ]
    return render(
        request,
        "storefront/ranking.html",
        {
            "components": components,
            "prior_reviews": formula.RATING_PRIOR_REVIEWS,
            "default_mean": formula.DEFAULT_SITE_MEAN,
            "response_fast_hours": round(formula.RESPONSE_FAST.total_seconds() / 3600),
            "response_slow_days": formula.RESPONSE_SLOW.days,
            "response_min": formula.RESPONSE_MIN_SAMPLES,
            "cancellation_zero": round(formula.CANCELLATION_SHARE_ZERO * 100),
            "cancellation_min": formula.CANCELLATION_MIN_BOOKINGS,
            "neutral": round(formula.NEUTRAL * 100),
            "query_weight": formula.QUERY_SCORE_WEIGHT,
            "completeness_items": list(formula.COMPLETENESS_ITEMS.values()),
        },
    )


def terms(request):
    return render(request, "storefront/legal/terms.html", {"terms": terms_current(now=timezone.now())})


def legal_notice(request):
    mediator = {
        "name": settings.CONSUMER_MEDIATOR_NAME,
        "address": settings.CONSUMER_MEDIATOR_ADDRESS,
        "url": settings.CONSUMER_MEDIATOR_URL,
    }
    return render(request, "storefront/legal/notice.html", {"operator": settings.OPERATOR, "mediator": mediator})


def compare(request):
    """Up to four offerings side by side."""
    asked = request.GET.get("currency")
    currency = patient_currency(request, asked if asked in CURRENCY_EXPONENTS else None)
    rows = compare_rows(offering_ids=compare_ids(request), currency=currency, now=timezone.now())
    return render(request, "storefront/compare.html", {"rows": rows, "currency": currency})


@require_POST
@no_api_twin(
    "the page keeps the comparison list in the session; an API client keeps its own list and sends it to api_compare"
)
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


# --- a provider's public page ----------------------------------------------------------------------


def _json_ld(request, provider: Provider) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": provider.schema_org_type,
        "name": provider.name,
        "url": request.build_absolute_uri(reverse("providers:public", kwargs={"slug": provider.slug})),
        "description": provider.biography[:500],
        "availableLanguage": provider.all_languages,
        "medicalSpecialty": [s.name_en for s in provider.specialties.all()],
        "address": [
            {
                "@type": "PostalAddress",
                "streetAddress": loc.address,
                "addressLocality": loc.city,
                # A Country: django-countries' stubs type the model attribute as str.
                "addressCountry": loc.country.code,  # type: ignore[attr-defined]
            }
            for loc in provider.locations.all()
        ],
    }
    first = next(iter(provider.locations.all()), None)
    if first is not None and first.latitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": str(first.latitude), "longitude": str(first.longitude)}
    # Escape "<" so that no text from the provider can close the <script> element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


OSM = "https://www.openstreetmap.org/"


def map_url(location: Location) -> str:
    """A link to the place on OpenStreetMap (a link: the page loads no map script or image)."""
    if location.latitude is not None and location.longitude is not None:
        lat, lon = f"{location.latitude:.5f}", f"{location.longitude:.5f}"
        return f"{OSM}?{urlencode({'mlat': lat, 'mlon': lon})}#map=17/{lat}/{lon}"
    # A Country: django-countries' stubs type the model attribute as str.
    place = ", ".join(p for p in (location.address, location.city, str(location.country.name)) if p)  # type: ignore[attr-defined]
    return f"{OSM}search?{urlencode({'query': place})}"


def provider_page(request, slug: str):
    """A verified provider as patients see it: offerings with their prices also in the patient's
    currency and their next free times, where it is, the languages it speaks, credentials, how fast
    it answers quote requests; schema.org data for search engines."""
    try:
        provider = provider_public_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    now = timezone.now()
    currency = patient_currency(request, None)
    rates = rates_on(day=now.date())
    listed = list(provider.offerings.all())
    # The times taken are read once for all the offerings; only those booked online show slots.
    busy = provider_next_busy(provider_id=provider.pk, now=now) if any(o.books_online for o in listed) else []
    offerings = [
        {
            "offering": o,
            "choice": offering_slot_choice(offering=o, params=request.GET, now=now, busy=busy)
            if o.books_online
            else None,
            "converted": price_converted(o, currency, rates),
        }
        for o in listed
    ]
    today = now.date()
    return render(
        request,
        "storefront/provider.html",
        {
            "provider": provider,
            "offerings": offerings,
            "currency": currency,
            "languages": language_names(provider.all_languages),
            "locations": [{"location": loc, "map_url": map_url(loc)} for loc in provider.locations.all()],
            "json_ld": _json_ld(request, provider),
            "accreditations": [(a, a.valid_until >= today) for a in provider.accreditations.all()],
            "median_response": provider_median_response(provider_id=provider.pk),
            # verified reviews: the rating, per dimension, the latest published with their replies
            "reviews": provider_page_reviews(provider_id=provider.pk),
        },
    )
