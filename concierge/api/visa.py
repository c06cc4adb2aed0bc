"""Visa letter endpoints under /api/v1/concierge/: order letters for a booking (the order to pay
comes back), my letters, a letter's PDF, and the careteam's revocation.

Someone else's booking or letter is "not found", never "forbidden". Ordering takes an
`Idempotency-Key` (core.idempotency), like every API call that creates something to pay.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from concierge.models import AddonOrder, VisaLetter
from concierge.services.orders import addon_order_pay_check
from concierge.services.visa import (
    MAX_PERSONS,
    MRZ_NAME_MAX,
    PassportDetails,
    visa_letter_download_check,
    visa_letter_revoke,
    visa_letter_revoker_check,
    visa_letters_order,
)
from concierge.visa_pdf import visa_letter_pdf_response
from core.checks import actions_payload
from core.errors import NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.serializers import ApiErrorSerializer, BoundedDateField, available_actions_field, bounded_integer

TAGS = ["Concierge: visa letters"]
ERRORS = {400: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer, 422: ApiErrorSerializer}


# --- serializers -----------------------------------------------------------------------------------------


class PassportInputSerializer(serializers.Serializer[dict[str, Any]]):
    """One person as in the passport; the service checks the machine-readable zone's rules."""

    surname = serializers.CharField(max_length=MRZ_NAME_MAX + 20, help_text="As in the machine-readable zone.")
    given_names = serializers.CharField(max_length=MRZ_NAME_MAX + 20, allow_blank=True, default="")
    passport_number = serializers.CharField(max_length=20)
    nationality = serializers.CharField(max_length=3, help_text="ISO 3166 country code (alpha-2 or alpha-3).")
    birth_date = BoundedDateField()


class VisaOrderInputSerializer(serializers.Serializer[dict[str, Any]]):
    booking = bounded_integer(min_value=1)
    currency = serializers.CharField(max_length=3)
    persons = serializers.ListField(
        child=PassportInputSerializer(),
        min_length=1,
        max_length=10,  # the service refuses more than MAX_PERSONS with its own message
        help_text=f"The patient first, then up to {MAX_PERSONS - 1} companions.",
    )


class RevokeInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=300)


class VisaLetterSerializer(serializers.ModelSerializer[VisaLetter]):
    nationality = serializers.CharField(source="nationality.code")
    order_status = serializers.CharField(source="order.status")
    verification_code = serializers.SerializerMethodField()
    available_actions = available_actions_field("download")

    class Meta:
        model = VisaLetter
        fields = [
            "id",
            "order",
            "order_status",
            "booking",
            "person",
            "surname",
            "given_names",
            "passport_number",
            "nationality",
            "birth_date",
            "verification_code",
            "issued_at",
            "revoked_at",
            "available_actions",
        ]

    def get_verification_code(self, letter: VisaLetter) -> str | None:
        """The code the letter carries, once issued (before, it names no letter)."""
        return letter.verification_code if letter.issued_at is not None else None

    def get_available_actions(self, letter: VisaLetter) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(actions_payload({"download": visa_letter_download_check(letter=letter, actor=user)}))


class VisaOrderLineSerializer(serializers.Serializer[Any]):
    label_key = serializers.CharField()
    quantity_hundredths = serializers.IntegerField()
    unit_amount = serializers.IntegerField()
    amount = serializers.IntegerField()


class VisaOrderSerializer(serializers.ModelSerializer[AddonOrder]):
    """The order to pay: its exact amount (minor units), its breakdown and its letters."""

    lines = VisaOrderLineSerializer(many=True)
    letters = VisaLetterSerializer(source="visa_letters", many=True)
    available_actions = available_actions_field("pay")

    class Meta:
        model = AddonOrder
        fields = ["id", "kind", "status", "booking", "amount", "currency", "lines", "letters", "available_actions"]

    def get_available_actions(self, order: AddonOrder) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(actions_payload({"pay": addon_order_pay_check(order=order, actor=user)}))


# --- views -----------------------------------------------------------------------------------------------


def _letter(letter_id: int) -> VisaLetter:
    letter = VisaLetter.objects.select_related("order", "booking__provider").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(_("There is no visa letter with this id."))
    return letter


@non_atomic
class VisaLetterListAPI(APIView):
    """My visa letters, newest first; order letters for one of my bookings."""

    @extend_schema(tags=TAGS, responses=VisaLetterSerializer(many=True))
    def get(self, request):
        letters = (
            VisaLetter.objects.filter(order__patient_id=request.user.pk)
            .select_related("order")
            .order_by("-order__created_at", "id")
        )
        return Response(VisaLetterSerializer(letters, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request=VisaOrderInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: VisaOrderSerializer, **ERRORS},
        description=(
            "One letter per person (the patient first, then up to two companions), named exactly as in the "
            "passport's machine-readable zone, for a booking whose deposit is held (else 409 deposit_not_held), "
            "at the visa-letter price of the booking's city in `currency` (none: 400 no_price_list). Bad passport "
            "details: 400 invalid_passport whose `details.persons` holds one object of field errors per person. "
            "The answer is the order awaiting payment; its letters are issued once it is paid."
        ),
    )
    @idempotent
    def post(self, request):
        body = VisaOrderInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = Booking.objects.filter(pk=data["booking"], patient_id=request.user.pk).first()
        if booking is None:
            raise NotFound(_("You have no booking with this number."))
        order = visa_letters_order(
            patient=request.user,
            booking=booking,
            persons=[PassportDetails(**person) for person in data["persons"]],
            currency=data["currency"],
            now=timezone.now(),
        )
        order = AddonOrder.objects.prefetch_related("lines", "visa_letters").get(pk=order.pk)
        return Response(VisaOrderSerializer(order, context={"request": request}).data, status=status.HTTP_201_CREATED)


class VisaLetterPdfAPI(APIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's type (Accept: application/pdf) still gets JSON errors.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        tags=TAGS,
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: ApiErrorSerializer},
        description="The letter as a PDF, for the order's patient, once issued and while not revoked; else 404.",
    )
    def get(self, request, letter_id: int) -> HttpResponse:
        letter = _letter(letter_id)
        visa_letter_download_check(letter=letter, actor=request.user).enforce()
        return visa_letter_pdf_response(request, letter)


class VisaLetterRevokeAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=RevokeInputSerializer,
        responses={200: VisaLetterSerializer, 403: ApiErrorSerializer, **ERRORS},
        description="The careteam revokes an issued letter, with a reason: its verification page says so.",
    )
    def post(self, request, letter_id: int):
        # Who may not revoke hears 403 whatever the id and the body: ids of others' letters do not leak.
        visa_letter_revoker_check(actor=request.user).enforce()
        letter = _letter(letter_id)
        body = RevokeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        revoked = visa_letter_revoke(
            letter=letter, actor=request.user, reason=body.validated_data["reason"], now=timezone.now()
        )
        return Response(VisaLetterSerializer(revoked, context={"request": request}).data)
