"""A booking's money in the API (`/api/v1/bookings/<id>/…`): paying its deposit, its payment
confirmation (PDF), and a provider's request for the deposit once the care has begun.

Paying (docs/decisions.md "API for payments"): `POST payment/` gives the PaymentIntent that
Stripe's mobile and web SDKs confirm with the card they collect, 3-D Secure included; the
`payment_intent.succeeded` webhook records the payment, and `POST payment/confirm/` asks Stripe
sooner and records it the same way (`deposits.deposit_confirm`, as the card page's confirm step).
This API never marks a booking paid on the client's word.

The services are the card page's (payments/services/deposits.py) and the release request's
(payments/services/releases.py); the views read the request and call them. Someone else's booking
is "not found". Errors are the DomainError body `{code, message, details}`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from bookings.selectors import booking_of_patient, booking_visible_to
from bookings.serializers import BookingDetailSerializer
from core.checks import actions_payload
from core.errors import NotFound, error_body
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.money import Money
from core.serializers import ApiErrorSerializer, MoneySerializer, NamedEnumField
from payments.models import DepositStatus, Release, ReleaseStatus
from payments.pdf import deposit_confirmation_pdf
from payments.serializers import ActionField, PaymentIntentSerializer, intent_payload
from payments.services import deposits
from payments.services.card_payments import CardPayment
from payments.services.releases import release_request
from providers.services.permissions import member_role

TAGS = ["Payments"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


# --- shapes ------------------------------------------------------------------------------------------


class DepositStateSerializer(serializers.Serializer[Any]):
    booking = serializers.IntegerField()
    status = NamedEnumField(
        enum_name="DepositStatusEnum", choices=DepositStatus.choices, help_text="Held once the payment is recorded."
    )
    deposit = MoneySerializer()
    paid_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    payment_intent = serializers.CharField(allow_null=True, help_text="The current attempt's, or the one that paid.")
    publishable_key = serializers.CharField()
    pay = ActionField(help_text="May I pay now, and why not.")
    confirmation = ActionField(help_text="May I download the payment confirmation, and why not.")
    confirmation_url = serializers.CharField(allow_null=True, help_text="The PDF, once the deposit is paid.")


class ConfirmSerializer(serializers.Serializer[Any]):
    status = NamedEnumField(enum_name="CardPaymentStatusEnum", choices=["succeeded", "requires_action"])
    payment_intent = serializers.CharField()
    client_secret = serializers.CharField(help_text="For 3-D Secure on the client; empty once paid.")
    booking = BookingDetailSerializer()


class ReleaseRequestSerializer(serializers.ModelSerializer[Release]):
    status = NamedEnumField(enum_name="ReleaseStatusEnum", choices=ReleaseStatus.choices, read_only=True)
    amount = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["id", "booking", "status", "amount", "requested_at", "decided_at", "paid_at", "reject_reason"]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_amount(self, release: Release) -> dict[str, Any]:
        return dict(MoneySerializer(Money(release.amount, release.currency)).data)


# --- helpers ------------------------------------------------------------------------------------------


def _own(request, booking_id: int) -> Booking:
    return booking_of_patient(user=request.user, booking_id=booking_id)


def _state(request, booking: Booking) -> dict[str, Any]:
    deposit = deposits.deposit_of_booking(booking=booking)
    now = timezone.now()
    checks = {
        "pay": deposits.deposit_pay_check(booking=booking, actor=request.user, now=now),
        "confirmation": deposits.deposit_confirmation_check(booking=booking, actor=request.user),
    }
    actions = actions_payload(checks)
    return {
        "booking": booking.pk,
        "status": DepositStatus.PENDING if deposit is None else deposit.status,
        "deposit": MoneySerializer(Money(booking.deposit_amount, booking.currency)).data,
        "paid_at": None if deposit is None else deposit.paid_at,
        "attempts": 0 if deposit is None else deposit.attempts,
        "payment_intent": None if deposit is None else deposit.payment_intent_id,
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "pay": actions["pay"],
        "confirmation": actions["confirmation"],
        "confirmation_url": reverse("api_booking_confirmation", args=[booking.pk])
        if checks["confirmation"].allowed
        else None,
    }


# --- the deposit --------------------------------------------------------------------------------------


@non_atomic
class DepositPaymentAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: DepositStateSerializer, 404: ApiErrorSerializer})
    def get(self, request, booking_id: int):
        """Where my booking's deposit stands: held once the payment is recorded (by Stripe's webhook,
        or `payment/confirm/`), whether I may pay now and the confirmation's address once paid."""
        return Response(_state(request, _own(request, booking_id)))

    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: PaymentIntentSerializer, 502: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """The PaymentIntent of my booking's deposit, for Stripe's mobile or web SDK: it collects the
        card, confirms and completes 3-D Secure with `client_secret`. Asked again, the same
        PaymentIntent while it can still be confirmed (another card after a decline included).
        Refused with nothing sent to Stripe when the booking cannot take its deposit (paid,
        expired, cancelled, not waiting for one). Stripe's webhook records the payment; then
        `payment/confirm/` (or this endpoint's GET) shows it held."""
        booking = _own(request, booking_id)
        intent = deposits.deposit_intent(booking=booking, actor=request.user, now=timezone.now())
        return Response(intent_payload(intent))


def _confirmed(request, booking_id: int, payment: CardPayment) -> Response:
    booking = booking_visible_to(user=request.user, booking_id=booking_id)
    return Response(
        {
            "status": payment.status,
            "payment_intent": payment.payment_intent_id,
            "client_secret": payment.client_secret,
            "booking": BookingDetailSerializer(booking, context={"request": request}).data,
        }
    )


@non_atomic
class DepositConfirmAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: ConfirmSerializer, 502: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """After the client confirmed (and 3-D Secure): ask Stripe where the payment stands and record
        it if it succeeded, as the webhook would. `requires_action`: 3-D Secure is still to complete
        with `client_secret`. Not confirmed yet, or not authorised: 409 or 400 with the reason."""
        booking = _own(request, booking_id)
        payment = deposits.deposit_confirm(booking=booking, actor=request.user, now=timezone.now())
        return _confirmed(request, booking.pk, payment)


class ConfirmationPdfAPI(APIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's type (Accept: application/pdf) still gets JSON errors.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ApiErrorSerializer, 410: ApiErrorSerializer},
        description=(
            "My booking's payment confirmation as a PDF (in my language), once its deposit is paid; "
            "404 before, 410 once the booking is cancelled (the confirmation is withdrawn)."
        ),
    )
    def get(self, request, booking_id: int) -> HttpResponse:
        booking = _own(request, booking_id)
        check = deposits.deposit_confirmation_check(booking=booking, actor=request.user)
        if check.refusal is not None and check.refusal.code == deposits.CONFIRMATION_WITHDRAWN:
            return Response(
                error_body(check.refusal.code, check.refusal.message, check.refusal.details),
                status=status.HTTP_410_GONE,
            )
        check.enforce()
        deposit = deposits.deposit_of_booking(booking=booking)
        if deposit is None or not deposit.verification_code:  # the check found it held
            raise NotFound(_("There is no payment confirmation for this booking yet."))
        verify_url = request.build_absolute_uri(reverse("payments:verify", args=[deposit.verification_code]))
        response = HttpResponse(deposit_confirmation_pdf(deposit=deposit, verify_url=verify_url), "application/pdf")
        response["Content-Disposition"] = f'attachment; filename="payment-confirmation-{booking.pk}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


# --- the provider asks for the deposit ----------------------------------------------------------------


@non_atomic
class ReleaseRequestAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ReleaseRequestSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """A member of the booking's provider asks for its deposit once the first appointment has begun
        (and its discharge pack is complete when the provider's setting asks for one): finance reviews
        it, or it is approved at once for a provider set to automatic release."""
        booking = Booking.objects.filter(pk=booking_id).select_related("provider").first()
        if booking is None or member_role(user=request.user, provider=booking.provider) is None:
            raise NotFound(_("You have no booking with this number."))
        release = release_request(booking=booking, actor=request.user, now=timezone.now())
        return Response(ReleaseRequestSerializer(release).data, status=status.HTTP_201_CREATED)
