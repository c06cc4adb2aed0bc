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
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bookings.models import Booking
from bookings.selectors import booking_of_patient
from concierge import selectors
from concierge.labels import line_label, quantity_text
from concierge.models import AddonKind, AddonOrder, AddonOrderStatus
from concierge.pricing import (
    INTERPRETER_MINIMUM_MINUTES,
    INTERPRETER_REDUCED_AFTER_MINUTES,
    INTERPRETER_STEP_MINUTES,
    Price,
    interpreter_billed_minutes,
)
from concierge.services import ordering
from concierge.services import orders as order_services
from concierge.services.ordering import booking_addons_order_check
from concierge.views.forms_orders import AssignForm, HoursForm, InterpreterForm, LegFormSet, TransferForm
from core.api_parity import api_twin
from core.checks import Check
from core.errors import DomainError, Forbidden, NotFound
from core.hooks import order_sections
from core.pages import apply_domain_error, run_service
from payments.csp import stripe_js_csp


def _own(request, order_id: int) -> AddonOrder:
    try:
        return selectors.order_of_patient(user=request.user, order_id=order_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message, "details": exc.details}, status=exc.http_status)


# --- how an order reads ---------------------------------------------------------------------------


def _hours_words(minutes: int) -> str:
    return _("%(hours)d h %(minutes)02d") % {"hours": minutes // 60, "minutes": minutes % 60}


def _order_tz(order: AddonOrder) -> tuple[ZoneInfo, str]:
    """The timezone the order's times are shown in (the booking's place) and how the page names it."""
    if order.booking is not None:
        place = order.city or order.booking.provider.name
        return order.booking.tz, _("local time in %(place)s, %(zone)s") % {
            "place": place,
            "zone": order.booking.timezone,
        }
    return ZoneInfo("UTC"), _("UTC")


def order_view(order: AddonOrder) -> dict[str, Any]:
    """What every order page shows of `order`: its breakdown in words, its legs at local times, its
    interpreter hours, who was assigned."""
    tz, zone = _order_tz(order)
    lines = [
        {
            "label": line_label(line.label_key, line.label),
            "quantity": quantity_text(line.unit, line.quantity_hundredths),
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


def _schedule(order: AddonOrder, now: Any) -> list[dict[str, Any]]:
    """The refund a cancellation gives from now on, as moments and amounts (ordering's policy)."""
    if order.amount is None or order.status in (AddonOrderStatus.CANCELLED, AddonOrderStatus.REFUNDED):
        return []
    return [
        {"when": period.label, "refund": period.refund.amount}
        for period in ordering.order_refund_schedule(order=order, now=now)
    ]


# --- the card page --------------------------------------------------------------------------------


@login_required
@require_GET
@never_cache
@stripe_js_csp
def pay(request, pk: int) -> HttpResponse:
    order = _own(request, pk)
    context = order_view(order) | {
        "pay": order_services.addon_order_pay_check(order=order, actor=request.user),
        "paid": order.paid_at is not None,
        "schedule": _schedule(order, timezone.now()),
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_locale": (get_language() or "en").split("-")[0],
    }
    return render(request, "concierge/orders/pay.html", context)


@login_required
@require_POST
@api_twin("api_concierge_order_pay_start", "api_concierge_order_payment")
def pay_start(request, pk: int) -> JsonResponse:
    order = _own(request, pk)
    try:
        checkout = order_services.order_start(order=order, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"client_secret": checkout.setup_client_secret, "attempt": checkout.attempt})


def _answer(request, order: AddonOrder, payment: Any) -> JsonResponse:
    body = {"status": payment.status, "payment_intent": payment.payment_intent_id}
    if payment.status == "requires_action":
        body["client_secret"] = payment.client_secret
    else:
        messages.success(request, _("Thank you: your order is paid. We will tell you who takes care of it."))
        body["redirect"] = reverse("concierge:order_detail", args=[order.pk])
    return JsonResponse(body)


@login_required
@require_POST
@api_twin("api_concierge_order_pay", "api_concierge_order_payment")
def pay_card(request, pk: int) -> JsonResponse:
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
@api_twin("api_concierge_order_pay_confirm", "api_concierge_order_payment_confirm")
def pay_confirm(request, pk: int) -> JsonResponse:
    order = _own(request, pk)
    try:
        payment = order_services.order_confirm(order=order, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return _answer(request, order, payment)


# --- the patient's orders -------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request) -> HttpResponse:
    orders = selectors.orders_of_patient(user=request.user)
    return render(request, "concierge/orders/list.html", {"orders": orders})


@login_required
@require_GET
def order_detail(request, pk: int) -> HttpResponse:
    order = _own(request, pk)
    if order.kind in (AddonKind.VIP_CONCIERGE, AddonKind.CARETEAM):
        # A package or an assistance case has its own page: its items, mandate and quote to accept.
        return redirect("concierge:package_detail", order.pk)
    now = timezone.now()
    cancel = ordering.order_cancel_check(order=order, actor=request.user)
    context = order_view(order) | {
        "pay": order_services.addon_order_pay_check(order=order, actor=request.user),
        "schedule": _schedule(order, now),
        "cancel": cancel,
        # the amount the cancel button's confirmation states, at this moment
        "cancel_refund": ordering.order_cancel_refund(order=order, now=now) if cancel.allowed else None,
        # What higher floors hang on the order (secondopinion: the link to the request it pays for).
        "sections": [
            section for found in order_sections.call(order_id=order.pk, viewer_id=request.user.pk) for section in found
        ],
    }
    return render(request, "concierge/orders/detail.html", context)


@login_required
@require_POST
@api_twin("api_concierge_order_cancel")
def order_cancel(request, pk: int) -> HttpResponse:
    order = _own(request, pk)
    run_service(
        request,
        lambda: ordering.order_cancel(order=order, actor=request.user, now=timezone.now()),
        _("Your order is cancelled."),
    )
    return redirect("concierge:order_detail", order.pk)


# --- the "Services" page --------------------------------------------------------------------------


@require_GET
def catalogue(request) -> HttpResponse:
    cities = selectors.cities_with_prices()
    asked = request.GET.get("city", "").strip()
    city = next((known for known in cities if known.lower() == asked.lower()), "")
    context = {
        "cities": cities,
        "city": city,
        "unknown_city": bool(asked) and not city,
        "blocks": selectors.catalogue(city=city or None),
        "minimum_hours": INTERPRETER_MINIMUM_MINUTES // 60,
        "step_minutes": INTERPRETER_STEP_MINUTES,
        "reduced_after_hours": INTERPRETER_REDUCED_AFTER_MINUTES // 60,
        "kinds": AddonKind,
    }
    return render(request, "concierge/orders/catalogue.html", context)


# --- the careteam's page for one order ------------------------------------------------------------


def _managed(request, order_id: int) -> AddonOrder:
    try:
        return selectors.order_for_careteam(user=request.user, order_id=order_id)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def order_manage(request, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    return render(request, "concierge/orders/manage.html", _manage_context(request, order))


@login_required
@require_POST
@api_twin("api_concierge_order_refund")
def order_manage_refund(request, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    run_service(
        request,
        lambda: order_services.order_refund(order=order, actor=request.user, now=timezone.now()),
        _("The order is refunded to the patient's card."),
    )
    return redirect("concierge:order_manage", order.pk)


def _refused(request, order: AddonOrder, check: Check) -> HttpResponse | None:
    """Before a careteam action: someone who may never do it gets 403; an action refused for the
    order's state (not paid yet, already done) says why on the order's page."""
    if check.allowed:
        return None
    if isinstance(check.refusal, Forbidden):
        raise PermissionDenied(check.reason)
    messages.error(request, check.reason)
    return redirect("concierge:order_manage", order.pk)


def _assign_form(order: AddonOrder, data: Any = None) -> AssignForm:
    return AssignForm(data, suppliers=selectors.suppliers_of_city(city=order.city) if order.city else [])


def _manage_context(request, order: AddonOrder, **forms_: Any) -> dict[str, Any]:
    assign = ordering.order_assign_check(order=order, actor=request.user)
    hours = ordering.interpreter_hours_record_check(order=order, actor=request.user)
    return order_view(order) | {
        "managing": True,
        "refund": order_services.addon_order_refund_check(order=order, actor=request.user),
        "assign": assign,
        "assign_form": forms_.get("assign_form") or (_assign_form(order) if assign.allowed else None),
        "hours": hours,
        "hours_form": forms_.get("hours_form") or (HoursForm() if hours.allowed else None),
        "fulfil": ordering.order_fulfil_check(order=order, actor=request.user),
    }


@login_required
@require_POST
@api_twin("api_concierge_order_assign")
def order_assign(request, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    if refused := _refused(request, order, ordering.order_assign_check(order=order, actor=request.user)):
        return refused
    form = _assign_form(order, request.POST)
    if form.is_valid():
        supplier = form.cleaned_data["supplier"]
        # A picked supplier's phone stands when none is typed (its name does in the service).
        phone = form.cleaned_data["phone"] or (supplier.phone if supplier else "")
        try:
            with transaction.atomic():
                ordering.order_assign(
                    order=order,
                    actor=request.user,
                    supplier=supplier,
                    name=form.cleaned_data["name"],
                    phone=phone,
                    detail=form.cleaned_data["detail"],
                    now=timezone.now(),
                )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Assigned: the patient is told who takes care of it."))
            return redirect("concierge:order_manage", order.pk)
    return render(
        request, "concierge/orders/manage.html", _manage_context(request, order, assign_form=form), status=400
    )


@login_required
@require_POST
@api_twin("api_concierge_order_hours")
def order_hours(request, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    if refused := _refused(request, order, ordering.interpreter_hours_record_check(order=order, actor=request.user)):
        return refused
    form = HoursForm(request.POST)
    if form.is_valid():
        minutes = form.cleaned_data["hours"] * 60 + form.cleaned_data["minutes"]
        try:
            with transaction.atomic():
                ordering.interpreter_hours_record(
                    order=order, actor=request.user, worked_minutes=minutes, now=timezone.now()
                )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            exc.details = {"hours": exc.details.get("worked_minutes", [])} if exc.details else exc.details
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("The hours worked are recorded; any difference is refunded or asked of the patient.")
            )
            return redirect("concierge:order_manage", order.pk)
    return render(request, "concierge/orders/manage.html", _manage_context(request, order, hours_form=form), status=400)


@login_required
@require_POST
@api_twin("api_concierge_order_fulfil")
def order_fulfil(request, pk: int) -> HttpResponse:
    order = _managed(request, pk)
    if refused := _refused(request, order, ordering.order_fulfil_check(order=order, actor=request.user)):
        return refused
    run_service(
        request,
        lambda: ordering.order_fulfil(order=order, actor=request.user, now=timezone.now()),
        _("The order is marked as done."),
    )
    return redirect("concierge:order_manage", order.pk)


# --- ordering a transfer or an interpreter, with a review step --------------------------------------------


def _booking(request, booking_id: int) -> Booking:
    try:
        return booking_of_patient(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _currencies(booking: Booking, kind: str) -> list[str]:
    """The currencies the add-on has a price in, in the booking's city; the booking's own first."""
    city = ordering.booking_place(booking).city
    found = sorted({row.currency for row in selectors.price_lists_in_force(city=city) if row.kind == kind})
    return sorted(found, key=lambda code: code != booking.currency)


def _price_view(price: Price) -> dict[str, Any]:
    return {
        "currency": price.currency,
        "total": price.total,
        "lines": [
            {
                "label": line_label(line.label_key, line.label),
                "quantity": quantity_text(line.unit, line.quantity_hundredths),
                "unit_amount": line.unit_amount,
                "amount": line.amount,
            }
            for line in price.lines
        ],
    }


def _periods(periods: list[Any]) -> list[dict[str, Any]]:
    return [{"when": period.label, "refund": period.refund.amount} for period in periods]


def _leg_inputs(formset: Any) -> list[ordering.LegInput]:
    return [
        ordering.LegInput(
            origin_kind=data["origin_kind"],
            origin=data["origin"],
            destination_kind=data["destination_kind"],
            destination=data["destination"],
            pickup_at=data["pickup_at"],
            flight_number=data.get("flight_number") or "",
            passengers=data["passengers"],
            luggage=data["luggage"],
            wheelchair=bool(data.get("wheelchair")),
            appointment_id=data.get("appointment_id"),
        )
        for data in (form.cleaned_data for form in formset.forms)
        if data.get("keep")
    ]


def _legs_initial(legs: list[ordering.LegInput]) -> list[dict[str, Any]]:
    return [
        {
            "origin_kind": leg.origin_kind,
            "origin": leg.origin,
            "destination_kind": leg.destination_kind,
            "destination": leg.destination,
            "pickup_at": leg.pickup_at,
            "flight_number": leg.flight_number,
            "passengers": leg.passengers,
            "luggage": leg.luggage,
            "wheelchair": leg.wheelchair,
            "appointment_id": leg.appointment_id,
            "keep": True,
        }
        for leg in legs
    ]


def _legs_errors(formset: Any, exc: DomainError) -> None:
    """A service's `legs.<index>.<field>` messages on the leg forms of the kept legs, in order."""
    kept = [form for form in formset.forms if form.cleaned_data.get("keep")]
    placed = False
    for key, texts in (exc.details or {}).items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "legs" and parts[1].isdigit() and int(parts[1]) < len(kept):
            form = kept[int(parts[1])]
            for text in texts:
                form.add_error(parts[2] if parts[2] in form.fields else None, str(text))
            placed = True
    if not placed:
        formset._non_form_errors = formset.error_class([exc.message])


@login_required
@never_cache
@api_twin("api_concierge_order_preview", "api_concierge_orders")
def transfer_order(request, booking_id: int) -> HttpResponse:
    """Three steps on one URL: the trip (flights, hotel) → the proposed legs, each editable → the
    review with the exact total and the refund rules ("Change" goes back with the values kept;
    "Order and pay" creates the order and opens its card page)."""
    booking = _booking(request, booking_id)
    place = ordering.booking_place(booking)
    currencies = _currencies(booking, AddonKind.TRANSFER)
    context: dict[str, Any] = {"booking": booking, "place": place, "currencies": currencies, "zone": booking.timezone}
    step = request.POST.get("step", "") if request.method == "POST" else ""
    with timezone.override(booking.tz):  # the times typed and shown are the place's
        check = booking_addons_order_check(booking=booking)
        if not check.allowed or not currencies:
            context["refusal"] = check.reason if not check.allowed else _("Transfers are not offered in this city yet.")
            return render(request, "concierge/orders/transfer.html", context | {"step": "refused"})
        currency = request.POST.get("currency", "") if request.POST.get("currency") in currencies else currencies[0]
        context["currency"] = currency
        if step == "trip":
            trip = TransferForm(request.POST)
            if not trip.is_valid():
                return render(
                    request, "concierge/orders/transfer.html", context | {"step": "trip", "trip": trip}, status=400
                )
            data = trip.cleaned_data
            legs = ordering.transfer_legs_proposed(
                booking=booking,
                arrival_at=data["arrival_at"],
                arrival_flight=data["arrival_flight"],
                departure_at=data["departure_at"],
                departure_flight=data["departure_flight"],
                hotel=data["hotel"],
            )
            formset = LegFormSet(initial=_legs_initial(legs), prefix="legs")
            return render(request, "concierge/orders/transfer.html", context | {"step": "legs", "formset": formset})
        if step in ("legs", "review"):
            formset = LegFormSet(request.POST, prefix="legs")
            action = request.POST.get("action", "")
            if (step == "review" and action == "change") or not formset.is_valid():
                status = 200 if formset.is_valid() else 400
                return render(
                    request,
                    "concierge/orders/transfer.html",
                    context | {"step": "legs", "formset": formset},
                    status=status,
                )
            legs = _leg_inputs(formset)
            now = timezone.now()
            try:
                if step == "review" and action == "order":
                    with transaction.atomic():
                        order = ordering.order_create_transfer(
                            patient=request.user, booking=booking, legs=legs, currency=currency, now=now
                        )
                    return redirect("concierge:order_pay", order.pk)
                price = ordering.order_preview_transfer(
                    patient=request.user, booking=booking, legs=legs, currency=currency, now=now
                )
            except DomainError as exc:
                _legs_errors(formset, exc)
                return render(
                    request,
                    "concierge/orders/transfer.html",
                    context | {"step": "legs", "formset": formset},
                    status=400,
                )
            kept = [form for form in formset.forms if form.cleaned_data.get("keep")]
            schedule = ordering.price_refund_schedule(
                booking=booking, kind=AddonKind.TRANSFER, price=price, legs=legs, now=now
            )
            return render(
                request,
                "concierge/orders/transfer.html",
                context
                | {
                    "step": "review",
                    "formset": formset,
                    "kept": [{"leg": leg, "pickup": leg.pickup_at.astimezone(booking.tz)} for leg in legs],
                    "kept_forms": kept,
                    "price": _price_view(price),
                    "schedule": _periods(schedule),
                },
            )
        return render(request, "concierge/orders/transfer.html", context | {"step": "trip", "trip": TransferForm()})


def _interpreter_meter(minutes: int) -> dict[str, Any]:
    """The hours asked against the 2-hour minimum and the 8-hour threshold of the reduced rate."""
    billed = interpreter_billed_minutes(minutes) if minutes > 0 else INTERPRETER_MINIMUM_MINUTES
    return {
        "asked": _hours_words(max(minutes, 0)),
        "billed": _hours_words(billed),
        "value": round(billed / 60, 2),
        "max": max(12, -(-billed // 60)),
        "minimum_minutes": INTERPRETER_MINIMUM_MINUTES,
        "step_minutes": INTERPRETER_STEP_MINUTES,
        "low": INTERPRETER_MINIMUM_MINUTES // 60,
        "high": INTERPRETER_REDUCED_AFTER_MINUTES // 60,
        "below_minimum": 0 < minutes < INTERPRETER_MINIMUM_MINUTES,
        "beyond_threshold": billed > INTERPRETER_REDUCED_AFTER_MINUTES,
    }


@login_required
@never_cache
@api_twin("api_concierge_order_preview", "api_concierge_orders")
def interpreter_order(request, booking_id: int) -> HttpResponse:
    """The interpreter's hours, proposed from the appointments, with a meter of the 2-hour minimum
    and the 8-hour threshold → the review with the exact total → "Order and pay" or "Change"."""
    booking = _booking(request, booking_id)
    currencies = _currencies(booking, AddonKind.INTERPRETER)
    context: dict[str, Any] = {"booking": booking, "currencies": currencies}
    check = booking_addons_order_check(booking=booking)
    if not check.allowed or not currencies:
        context["refusal"] = check.reason if not check.allowed else _("Interpreters are not offered in this city yet.")
        return render(request, "concierge/orders/interpreter.html", context | {"step": "refused"})
    if request.method != "POST":
        minutes = ordering.interpreter_minutes_proposed(booking=booking)
        days = ordering.interpreter_days_proposed(booking=booking)
        initial = {
            "language": (get_language() or "en").split("-")[0],
            "hours": minutes // 60,
            "minutes": minutes % 60 // 15 * 15,
            "first_day": days[0] if days else None,
            "last_day": days[1] if days else None,
            "currency": currencies[0],
        }
        form = InterpreterForm(initial=initial, currencies=currencies)
        return render(
            request,
            "concierge/orders/interpreter.html",
            context
            | {"step": "form", "form": form, "meter": _interpreter_meter(minutes), "proposed": _hours_words(minutes)},
        )
    form = InterpreterForm(request.POST, currencies=currencies)
    action = request.POST.get("action", "")
    if not form.is_valid() or action == "change":
        asked = form.cleaned_data.get("total_minutes", 0) if form.is_valid() else 0
        return render(
            request,
            "concierge/orders/interpreter.html",
            context | {"step": "form", "form": form, "meter": _interpreter_meter(asked)},
            status=200 if form.is_valid() else 400,
        )
    data = form.cleaned_data
    arguments = {
        "patient": request.user,
        "booking": booking,
        "language": data["language"],
        "provider_language": data["provider_language"],
        "minutes": data["total_minutes"],
        "first_day": data["first_day"],
        "last_day": data["last_day"],
        "currency": data["currency"],
        "now": timezone.now(),
    }
    try:
        if action == "order":
            with transaction.atomic():
                order = ordering.order_create_interpreter(**arguments)
            return redirect("concierge:order_pay", order.pk)
        price = ordering.order_preview_interpreter(**arguments)
    except DomainError as exc:
        if exc.details and "minutes" in exc.details:
            exc.details = {**exc.details, "hours": exc.details["minutes"]}
        apply_domain_error(form, exc)
        return render(
            request,
            "concierge/orders/interpreter.html",
            context | {"step": "form", "form": form, "meter": _interpreter_meter(data["total_minutes"])},
            status=400,
        )
    schedule = ordering.price_refund_schedule(
        booking=booking, kind=AddonKind.INTERPRETER, price=price, first_day=data["first_day"], now=arguments["now"]
    )
    return render(
        request,
        "concierge/orders/interpreter.html",
        context
        | {
            "step": "review",
            "form": form,
            "meter": _interpreter_meter(data["total_minutes"]),
            "price": _price_view(price),
            "schedule": _periods(schedule),
        },
    )
