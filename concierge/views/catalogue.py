"""The catalogue's staff pages (/services/prices/, /services/suppliers/): prices in force and pending,
proposed by the careteam and decided by finance (four eyes); the careteam's suppliers with their
cost and margin. Anyone else signed in gets 403 before anything is read."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import StaffGroup
from concierge import selectors
from concierge.forms_catalogue import PriceDecisionForm, PriceProposeForm, SupplierForm
from concierge.models import PriceList, Supplier
from concierge.services.catalogue import (
    price_list_approve,
    price_list_approve_check,
    price_list_propose,
    price_list_propose_check,
    price_list_reject,
    price_list_reject_check,
    supplier_create,
    supplier_create_check,
    supplier_deactivate,
    supplier_deactivate_check,
    supplier_update,
    supplier_update_check,
)
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden
from core.money import Money, format_amount
from core.pages import apply_domain_error, run_service


def _staff_required(*groups: StaffGroup, message: str):
    def decorate(view):
        @login_required
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.in_group(group) for group in groups):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


prices_staff = _staff_required(
    StaffGroup.CARETEAM, StaffGroup.FINANCE, message="Only the careteam and finance can see this page."
)
finance_only = _staff_required(StaffGroup.FINANCE, message="Only finance can approve or reject a price.")
careteam_only = _staff_required(StaffGroup.CARETEAM, message="Only the careteam can manage suppliers.")


def _run_form_service(form, action) -> Any:
    """Run a service for a bound form: its result, or None with the refusal shown on the form."""
    try:
        with transaction.atomic():
            return action()
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


# --- prices --------------------------------------------------------------------------------------------


def _prices_page(request, form=None, status=200):
    rows = list(selectors.price_lists_for_staff())
    for price in rows:
        price.approve = price_list_approve_check(price_list=price, actor=request.user)
        price.reject = price_list_reject_check(price_list=price, actor=request.user)
        price.decision_form = PriceDecisionForm(auto_id=f"id_decision_{price.pk}_%s")
    can_propose = price_list_propose_check(actor=request.user).allowed
    return render(
        request,
        "concierge/catalogue/prices.html",
        {
            "pending": [p for p in rows if p.status == "pending"],
            "in_force": [p for p in rows if p.status == "active"],
            "recent": selectors.price_decisions_recent(),
            "form": form if form is not None else (PriceProposeForm() if can_propose else None),
            "can_propose": can_propose,
        },
        status=status,
    )


@prices_staff
@require_GET
def price_list(request):
    return _prices_page(request)


@prices_staff
@require_POST
@api_twin("api_concierge_prices")
def price_propose(request):
    """The careteam proposes a price; the page comes back with the errors by their fields when refused."""
    if not price_list_propose_check(actor=request.user).allowed:
        raise PermissionDenied(_("Only the careteam can propose a price."))
    form = PriceProposeForm(request.POST)
    if form.is_valid():
        done = _run_form_service(
            form,
            lambda: price_list_propose(actor=request.user, now=timezone.now(), **form.service_arguments()),
        )
        if done is not None:
            messages.success(request, _("The price is proposed: a finance member must approve it before it applies."))
            return redirect("concierge:price_list")
    return _prices_page(request, form=form, status=400)


@finance_only
@require_POST
@api_twin("api_concierge_price_approve", "api_concierge_price_reject")
def price_decide(request, pk: int):
    price = get_object_or_404(PriceList, pk=pk)
    form = PriceDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to reject the price."))
        return redirect("concierge:price_list")
    note = form.cleaned_data["note"]
    if form.cleaned_data["decision"] == "approve":
        run_service(
            request,
            lambda: price_list_approve(price_list=price, actor=request.user, note=note, now=timezone.now()),
            _("The price is in force; the one it replaces is retired."),
        )
    else:
        run_service(
            request,
            lambda: price_list_reject(price_list=price, actor=request.user, note=note, now=timezone.now()),
            _("The price is rejected; the price in force stays."),
        )
    return redirect("concierge:price_list")


# --- suppliers -----------------------------------------------------------------------------------------


@careteam_only
@require_GET
def supplier_list(request):
    all_cities = sorted(
        set(selectors.suppliers_all().values_list("city", flat=True)) | set(selectors.cities_with_prices())
    )
    # The filter is a choice among the known cities: anything else shows them all.
    asked = (request.GET.get("city") or "").strip().casefold()
    city = next((known for known in all_cities if known.casefold() == asked), "")
    prices = selectors.price_lists_in_force()
    suppliers = list(selectors.suppliers_all(city=city))
    for supplier in suppliers:
        supplier.margin = selectors.supplier_margin(supplier=supplier, prices=prices)
        supplier.deactivate = supplier_deactivate_check(supplier=supplier, actor=request.user)
    cities: dict[str, list[Supplier]] = {}
    for supplier in suppliers:
        cities.setdefault(supplier.city, []).append(supplier)
    return render(
        request,
        "concierge/catalogue/suppliers.html",
        {
            "cities": cities,
            "city": city,
            "all_cities": all_cities,
            "can_create": supplier_create_check(actor=request.user).allowed,
        },
    )


@careteam_only
@require_http_methods(["GET", "POST"])
@api_twin("api_concierge_suppliers")
def supplier_create_page(request):
    form = SupplierForm(request.POST or None, initial={"city": request.GET.get("city", "")[:120]})
    if request.method == "POST" and form.is_valid():
        supplier = _run_form_service(
            form, lambda: supplier_create(actor=request.user, now=timezone.now(), **form.service_arguments())
        )
        if supplier is not None:
            messages.success(request, _("%(name)s is recorded.") % {"name": supplier.name})
            return redirect(_suppliers_url(supplier.city))
    status = 400 if request.method == "POST" else 200
    return render(request, "concierge/catalogue/supplier_form.html", {"form": form, "supplier": None}, status=status)


def _suppliers_url(city: str) -> str:
    return f"{reverse('concierge:supplier_list')}?{urlencode({'city': city})}"


def _initial(supplier: Supplier) -> dict[str, Any]:
    cost = ""
    if supplier.cost_amount is not None and supplier.cost_currency:
        cost = format_amount(Money(supplier.cost_amount, supplier.cost_currency), get_language() or "en")
    return {
        "kind": supplier.kind,
        "name": supplier.name,
        "city": supplier.city,
        "country": str(supplier.country),
        "contact_name": supplier.contact_name,
        "email": supplier.email,
        "phone": supplier.phone,
        "languages": supplier.languages.replace(",", ", "),
        "cost": cost,
        "cost_currency": supplier.cost_currency,
        "cost_unit": supplier.cost_unit,
    }


@careteam_only
@require_http_methods(["GET", "POST"])
@api_twin("api_concierge_supplier")
def supplier_edit(request, pk: int):
    """Edit a supplier, or deactivate it (the form's second button)."""
    supplier = get_object_or_404(Supplier, pk=pk)
    if request.method == "POST" and "deactivate" in request.POST:
        run_service(
            request,
            lambda: supplier_deactivate(supplier=supplier, actor=request.user, now=timezone.now()),
            _("%(name)s is deactivated: no longer offered for new work.") % {"name": supplier.name},
        )
        return redirect(_suppliers_url(supplier.city))
    form = SupplierForm(request.POST or None, initial=_initial(supplier))
    if request.method == "POST" and form.is_valid():
        updated = _run_form_service(
            form,
            lambda: supplier_update(
                supplier=supplier, actor=request.user, now=timezone.now(), **form.service_arguments()
            ),
        )
        if updated is not None:
            messages.success(request, _("%(name)s is updated.") % {"name": updated.name})
            return redirect(_suppliers_url(updated.city))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "concierge/catalogue/supplier_form.html",
        {
            "form": form,
            "supplier": supplier,
            "can_update": supplier_update_check(supplier=supplier, actor=request.user).allowed,
            "deactivate": supplier_deactivate_check(supplier=supplier, actor=request.user),
        },
        status=status,
    )
