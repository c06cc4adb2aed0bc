"""The patient's add-on pages: the "Services" catalogue, their orders, an order's page and its card
page; and the careteam's page for one order (docs/decisions.md#add-ons).

A patient reaches only their own orders: anyone else's answers 404, whether or not it exists. The
card page is the deposit's (payments/views.py) for an order: the same script (`static/js/payment.js`),
the same three posts (start, card, confirm after 3-D Secure), the order's services behind them.
Every button shows only when its service's check allows it.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from concierge import selectors
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus, PriceList
from concierge.pricing import (
    INTERPRETER_MINIMUM_MINUTES,
    INTERPRETER_REDUCED_AFTER_MINUTES,
    INTERPRETER_STEP_MINUTES,
)
from concierge.services import orders as order_services
from core.errors import DomainError, Forbidden, NotFound
from core.pages import run_service
from payments.csp import stripe_js_csp


def _own(request: HttpRequest, order_id: int) -> AddonOrder:
    try:
        return selectors.order_of_patient(user=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message, "details": exc.details}, status=exc.http_status)


# --- how an order reads ---------------------------------------------------------------------------


def _line_words(label_key: str, label: str) -> str:
    words = {
        "interpreter_hours": _("Interpreter, hours at the hourly rate"),
        "interpreter_hours_reduced": _("Interpreter, hours beyond 8 in this stay at the reduced rate"),
        "transfer_legs": _("Transfer legs"),
        "transfer_wheelchair": _("Wheelchair-accessible vehicle, supplement per leg"),
        "visa_letters": _("Visa invitation letters"),
        "package_item": label,
    }
    if label_key in words:
        return words[label_key] or label
    if label_key in AddonKind.values:
        return str(AddonKind(label_key).label)
    return label or label_key


def _quantity_words(unit: str, hundredths: int) -> str:
    if unit == "hour":
        minutes = hundredths * 60 // 100
        return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}
    return str(hundredths // 100) if hundredths % 100 == 0 else f"{hundredths / 100:g}"


def _hours_words(minutes: int) -> str:
    return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}


def _order_tz(order: AddonOrder) -> tuple[ZoneInfo, str]:
    """The timezone the order's times are shown in (the booking's place) and how the page names it."""
    if order.booking is not None:
        place = order.city or order.booking.provider.name
        return order.booking.tz, _("local time in %(place)s, %(zone)s") % {"place": place, "zone": order.booking.timezone}
    return ZoneInfo("UTC"), _("UTC")


def order_view(order: AddonOrder) -> dict[str, Any]:
    """What every order page shows of `order`: its breakdown in words, its legs at local times, its
    interpreter hours, who was assigned."""
    tz, zone = _order_tz(order)
    lines = [
        {
            "label": _line_words(line.label_key, line.label),
            "quantity": _quantity_words(line.unit, line.quantity_hundredths),
            "unit_amount": line.unit_amount,
            "amount": line.amount,
        }
        for line in order.lines.all()
    ]
    legs = [
        {
            "leg": leg,
            "pickup": leg.pickup_at.astimezone(tz),
        }
        for leg in order.legs.all()
    ]
    interpreter = getattr(order, "interpreter", None) if order.kind == AddonKind.INTERPRETER else None
    return {
        "order": order,
        "lines": lines,
        "legs": legs,
        "zone": zone,
        "interpreter": interpreter,
        "booked_hours": _hours_words(interpreter.booked_minutes) if interpreter else "",
        "worked_hours": _hours_words(interpreter.worked_minutes)
        if interpreter and interpreter.worked_minutes is not None
        else "",
        "assigned": bool(order.supplier_name),
    }


# --- the card page --------------------------------------------------------------------------------


@login_required
@require_GET
@never_cache
@stripe_js_csp
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    order = _own(request, pk)
    context = order_view(order) | {
        "pay": order_services.addon_order_pay_check(order=order, actor=request.user),
        "paid": order.paid_at is not None,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_locale": (get_language() or "en").split("-")[0],
    }
    return render(request, "concierge/orders/pay.html", context)


@login_required
@require_POST
def pay_start(request: HttpRequest, pk: int) -> JsonResponse:
    order = _own(request, pk)
    try:
        checkout = order_services.order_start(order=order, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"client_secret": checkout.setup_client_secret, "attempt": checkout.attempt})


def _answer(request: HttpRequest, order: AddonOrder, payment: Any) -> JsonResponse:
    body = {"status": payment.status, "payment_intent": payment.payment_intent_id}
    if payment.status == "requires_action":
        body["client_secret"] = payment.client_secret
    else:
        messages.success(request, _("Thank you: your order is paid. We will tell you who takes care of it."))
        body["redirect"] = reverse("concierge:order_detail", args=[order.pk])
    return JsonResponse(body)


@login_required
@require_POST
def pay_card(request: HttpRequest, pk: int) -> JsonResponse:
    order = _own(request, pk)
    try:
        payment = order_services.order_pay(
            order=order, actor=request.user, payment_method=request.POST.get("payment_method", ""), now=timezone.now()
        )
    except DomainError as exc:
        return _error(exc)
    return _answer(request, order, payment)


@login_required
@require_POST
def pay_confirm(request: HttpRequest, pk: int) -> JsonResponse:
    order = _own(request, pk)
    try:
        payment = order_services.order_confirm(order=order, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return _answer(request, order, payment)


# --- the patient's orders -------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    orders = selectors.orders_of_patient(user=request.user)
    return render(request, "concierge/orders/list.html", {"orders": orders})


@login_required
@require_GET
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _own(request, pk)
    context = order_view(order) | {
        "pay": order_services.addon_order_pay_check(order=order, actor=request.user),
    }
    return render(request, "concierge/orders/detail.html", context)


# --- the "Services" page --------------------------------------------------------------------------


def _price_rows(price_lists: list[PriceList]) -> list[dict[str, Any]]:
    """The prices in force, one block per city, each kind's figures in the order the page explains them."""
    cities: dict[str, dict[str, Any]] = {}
    for row in price_lists:
        block = cities.setdefault(row.city, {"city": row.city, "country": row.country, "prices": []})
        block["prices"].append(row)
    return list(cities.values())


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    every = selectors.price_lists_in_force()
    cities = sorted({row.city for row in every})
    city = request.GET.get("city", "").strip()
    shown = [row for row in every if row.city == city] if city in cities else every
    context = {
        "cities": cities,
        "city": city if city in cities else "",
        "unknown_city": bool(city) and city not in cities,
        "blocks": _price_rows(shown),
        "minimum_hours": INTERPRETER_MINIMUM_MINUTES // 60,
        "step_minutes": INTERPRETER_STEP_MINUTES,
        "reduced_after_hours": INTERPRETER_REDUCED_AFTER_MINUTES // 60,
        "kinds": AddonKind,
    }
    return render(request, "concierge/orders/catalogue.html", context)


# --- the careteam's page for one order ------------------------------------------------------------


def _managed(request: HttpRequest, order_id: int) -> AddonOrder:
    try:
        return selectors.order_for_careteam(user=request.user, order_id=order_id)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def order_manage(request: HttpRequest, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    context = order_view(order) | {
        "refund": order_services.addon_order_refund_check(order=order, actor=request.user),
        "suppliers": selectors.suppliers_of_city(city=order.city) if order.city else [],
        "open": order.status not in (AddonOrderStatus.CANCELLED, AddonOrderStatus.REFUNDED),
    }
    return render(request, "concierge/orders/manage.html", context)


@login_required
@require_POST
def order_manage_refund(request: HttpRequest, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    run_service(
        request,
        lambda: order_services.order_refund(order=order, actor=request.user, now=timezone.now()),
        _("The order is refunded to the patient's card."),
    )
    return redirect("concierge:order_manage", order.pk)
