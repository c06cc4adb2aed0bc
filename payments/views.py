"""Payment pages: a booking's deposit (card form with Stripe Elements and 3-D Secure), the
payment confirmation PDF, and the public page that checks a confirmation's code.

Only the booking's patient reaches its payment page and confirmation: anyone else gets 404,
whether or not the booking exists. The card goes from the browser to Stripe; our server only
sees Stripe's ids and always re-reads the payment from Stripe before recording it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from bookings.selectors import booking_cancellation_schedule, booking_care_name, booking_of_patient
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from payments import selectors
from payments.csp import stripe_js_csp
from payments.pdf import deposit_confirmation_pdf
from payments.services import deposits


def _own(request, booking_id: int):
    try:
        return booking_of_patient(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": exc.message, "details": exc.details}, status=exc.http_status)


@login_required
@require_GET
@never_cache
@stripe_js_csp
def pay(request, booking_id: int):
    booking = _own(request, booking_id)
    now = timezone.now()
    tz = booking.tz
    context = {
        "booking": booking,
        "deposit": deposits.deposit_of_booking(booking=booking),
        # The card form shows only when paying would be accepted; the confirmation once it is paid.
        "pay": deposits.deposit_pay_check(booking=booking, actor=request.user, now=now),
        "confirmation": deposits.deposit_confirmation_check(booking=booking, actor=request.user),
        "window": selectors.payment_window(booking=booking),
        "on_site": None if booking.total is None else booking.total - booking.deposit,
        "schedule": booking_cancellation_schedule(booking=booking, now=now),
        "appointments": [
            {"start": a.start.astimezone(tz), "end": a.end.astimezone(tz)}
            for a in sorted(booking.appointments.all(), key=lambda a: a.start)
        ],
        "stripe_js_url": settings.STRIPE_JS_URL,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "stripe_locale": (get_language() or "en").split("-")[0],
    }
    return render(request, "payments/pay.html", context)


@login_required
@require_POST
@api_twin("api_booking_payment")
def pay_start(request, booking_id: int):
    booking = _own(request, booking_id)
    try:
        checkout = deposits.deposit_start(booking=booking, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return JsonResponse({"client_secret": checkout.setup_client_secret, "attempt": checkout.attempt})


def _answer(request, booking, payment) -> JsonResponse:
    body = {"status": payment.status, "payment_intent": payment.payment_intent_id}
    if payment.status == "requires_action":
        body["client_secret"] = payment.client_secret
    else:
        messages.success(request, _("Thank you: your deposit is paid and your booking is confirmed."))
        body["redirect"] = reverse("bookings:detail", args=[booking.pk])
    return JsonResponse(body)


@login_required
@require_POST
@api_twin("api_booking_payment")
def pay_card(request, booking_id: int):
    booking = _own(request, booking_id)
    try:
        payment = deposits.deposit_pay(
            booking=booking,
            actor=request.user,
            payment_method=request.POST.get("payment_method", ""),
            now=timezone.now(),
        )
    except DomainError as exc:
        return _error(exc)
    return _answer(request, booking, payment)


@login_required
@require_POST
@api_twin("api_booking_payment_confirm")
def pay_confirm(request, booking_id: int):
    booking = _own(request, booking_id)
    try:
        payment = deposits.deposit_confirm(booking=booking, actor=request.user, now=timezone.now())
    except DomainError as exc:
        return _error(exc)
    return _answer(request, booking, payment)


@login_required
@require_GET
def confirmation(request, booking_id: int):
    booking = _own(request, booking_id)
    check = deposits.deposit_confirmation_check(booking=booking, actor=request.user)
    if check.refusal is not None and check.refusal.code == deposits.CONFIRMATION_WITHDRAWN:
        return render(request, "payments/withdrawn.html", {"booking": booking, "reason": check.reason}, status=410)
    if not check.allowed:
        raise Http404(check.reason)
    deposit = deposits.deposit_of_booking(booking=booking)
    if deposit is None:  # the check found it held; it cannot vanish, but say so rather than fail
        raise Http404(check.reason)
    verify_url = request.build_absolute_uri(reverse("payments:verify", args=[deposit.verification_code]))
    pdf = deposit_confirmation_pdf(deposit=deposit, verify_url=verify_url)  # in the patient's language
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="payment-confirmation-{booking.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def verify(request, code: str):
    """Public: what the confirmation with this code states, and nothing more."""
    deposit = deposits.deposit_by_verification_code(code=code)
    context: dict[str, Any] = {"code": code, "deposit": deposit}
    if deposit is not None and deposit.paid_at is not None:  # held, so paid (a check constraint)
        booking = deposit.booking
        tz = booking.tz
        context["appointments"] = [
            {"start": a.start.astimezone(tz), "end": a.end.astimezone(tz)}
            for a in sorted(booking.appointments.all(), key=lambda a: a.start)
        ]
        context["booking"] = booking
        context["paid_on"] = deposit.paid_at.astimezone(tz).date()  # as the letter states it
        context["care"] = booking_care_name(booking=booking)
        context["withdrawn"] = deposits.deposit_confirmation_withdrawn(booking=booking)
    response = render(request, "payments/verify.html", context, status=200 if deposit else 404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
