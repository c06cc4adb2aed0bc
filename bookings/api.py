"""Booking endpoints: my bookings, holding a slot, cancelling, evidence, moving an appointment, a
provider's bookings for its members and their closing (completed, no-show), and the careteam's
review of cancellation evidence.

Another person's booking is "not found", never "forbidden", so ids do not leak. Errors are the
DomainError body `{code, message, details}`.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import StaffGroup
from bookings import services
from bookings.forms import ProviderBookingFilterForm
from bookings.models import BookingStatus
from bookings.selectors import (
    BOOKING_TABS,
    booking_of_patient,
    booking_visible_to,
    evidence_awaiting_review,
    patient_bookings,
    provider_bookings_filtered,
)
from bookings.serializers import (
    BookingDetailSerializer,
    BookingSerializer,
    CancelInputSerializer,
    EvidenceInputSerializer,
    EvidenceReviewInputSerializer,
    HoldInputSerializer,
    RescheduleInputSerializer,
)
from core.errors import Forbidden, NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.serializers import ApiErrorSerializer
from core.throttling import UserRateThrottle
from documents.selectors import document_of_owner
from providers.selectors import offerings_public, provider_for_member
from providers.services.permissions import member_role

TAGS = ["Bookings"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


def _detail(request, booking_id: int, *, status_code=status.HTTP_200_OK) -> Response:
    """The booking as it is now (read again with its details after a change)."""
    booking = booking_visible_to(user=request.user, booking_id=booking_id)
    return Response(BookingDetailSerializer(booking, context={"request": request}).data, status=status_code)


class MyBookingsAPI(APIView):
    @extend_schema(tags=TAGS, responses=BookingSerializer(many=True))
    def get(self, request):
        """My bookings, newest first."""
        bookings = patient_bookings(patient=request.user)
        return Response(BookingSerializer(bookings, many=True, context={"request": request}).data)


@non_atomic
class HoldAPI(APIView):
    # Per patient (docs/decisions.md#holds-per-patient): the live-holds limit is the service's.
    throttle_classes = [UserRateThrottle]
    throttle_scope = "holds"

    @extend_schema(
        tags=TAGS,
        request=HoldInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: BookingDetailSerializer, 429: ApiErrorSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Hold a slot of an online-bookable offering for 15 minutes while paying the deposit."""
        body = HoldInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        offering = offerings_public().filter(pk=body.validated_data["offering"]).first()
        if offering is None:
            raise NotFound(_("No bookable offering has this id."))
        booking = services.booking_hold(
            patient=request.user, offering=offering, start=body.validated_data["start"], now=timezone.now()
        )
        return _detail(request, booking.pk, status_code=status.HTTP_201_CREATED)


class BookingAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: BookingDetailSerializer, 404: ApiErrorSerializer})
    def get(self, request, booking_id: int):
        """A booking with its appointments (UTC and provider-local), cancellation schedule and evidence."""
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
        return Response(BookingDetailSerializer(booking, context={"request": request}).data)


@non_atomic
class CancelAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=CancelInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BookingDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """Cancel: the fee and refund of the booking's policy are recorded. A legitimate reason leaves
        the decision pending until evidence is accepted (send it within 14 days)."""
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
        body = CancelInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.booking_cancel(
            booking=booking, actor=request.user, reason=body.validated_data["reason"], now=timezone.now()
        )
        return _detail(request, booking.pk)


class EvidenceAPI(APIView):
    @extend_schema(tags=TAGS, request=EvidenceInputSerializer, responses={201: BookingDetailSerializer, **WRITE_ERRORS})
    def post(self, request, booking_id: int):
        """Send one of my documents as evidence of the legitimate reason for cancelling."""
        booking = booking_of_patient(user=request.user, booking_id=booking_id)
        body = EvidenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = document_of_owner(user=request.user, document_id=body.validated_data["document"])
        services.booking_submit_evidence(booking=booking, actor=request.user, document=document, now=timezone.now())
        return _detail(request, booking.pk, status_code=status.HTTP_201_CREATED)


@non_atomic
class RescheduleAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=RescheduleInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BookingDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """Move an appointment to another slot its offering offers."""
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
        body = RescheduleInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        appointment = None
        if "appointment" in body.validated_data:
            appointment = next(
                (a for a in booking.appointments.all() if a.pk == body.validated_data["appointment"]), None
            )
            if appointment is None:
                raise NotFound(_("This booking has no such appointment."))
        services.booking_reschedule(
            booking=booking,
            actor=request.user,
            start=body.validated_data["start"],
            appointment=appointment,
            now=timezone.now(),
        )
        return _detail(request, booking.pk)


class ProviderBookingsAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("tab", str, enum=list(BOOKING_TABS), description="Default: all."),
            OpenApiParameter("status", str, enum=list(BookingStatus.values)),
            OpenApiParameter("offering", int, description="One of the provider's offerings."),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First appointment on or after this day."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="First appointment on or before this day."),
            OpenApiParameter("patient", str, description="Part of the patient's name or e-mail."),
        ],
        responses={200: BookingSerializer(many=True), 400: ApiErrorSerializer, 404: ApiErrorSerializer},
    )
    def get(self, request, provider_id: int):
        """The provider's bookings, for its members, with the filters of its bookings page."""
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        form = ProviderBookingFilterForm(request.query_params, provider=provider)
        if not form.is_valid():
            raise ValidationError({name: [str(error) for error in errors] for name, errors in form.errors.items()})
        bookings = provider_bookings_filtered(
            user=request.user,
            provider=provider,
            now=timezone.now(),
            **form.filters(timezone.get_current_timezone(), default_tab="all"),
        )
        return Response(BookingSerializer(bookings, many=True, context={"request": request}).data)


# --- closing a booking: its provider's members --------------------------------------------------------


def _of_member(request, booking_id: int):
    """The booking for a member of its provider; NotFound for anyone else (as the page answers 404)."""
    booking = booking_visible_to(user=request.user, booking_id=booking_id)
    if member_role(user=request.user, provider=booking.provider) is None:
        raise NotFound(_("You have no booking with this number."))
    return booking


@non_atomic
class CompleteAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BookingDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """A member of the provider: the confirmed booking took place (once its first appointment began).
        Asking again changes nothing."""
        booking = _of_member(request, booking_id)
        services.booking_complete(booking=booking, actor=request.user, now=timezone.now())
        return _detail(request, booking.pk)


@non_atomic
class NoShowAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BookingDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """A member of the provider: the patient did not come to the first appointment (once it began);
        the policy's no-show fee is recorded. Asking again changes nothing."""
        booking = _of_member(request, booking_id)
        services.booking_mark_no_show(booking=booking, actor=request.user, now=timezone.now())
        return _detail(request, booking.pk)


# --- cancellation evidence: the careteam's review -----------------------------------------------------


def _require_careteam(request) -> None:
    """Only the careteam reviews evidence: anyone else hears 403 whatever the booking."""
    if not request.user.in_group(StaffGroup.CARETEAM):
        raise Forbidden(_("Only the careteam can review cancellation evidence."))


class EvidenceQueueAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: BookingDetailSerializer(many=True), 403: ApiErrorSerializer})
    def get(self, request):
        """The careteam's queue: cancelled bookings whose evidence awaits review, oldest deadline first
        (`available_actions.review_evidence` says whether each can be reviewed now)."""
        _require_careteam(request)
        bookings = evidence_awaiting_review()
        return Response(BookingDetailSerializer(bookings, many=True, context={"request": request}).data)


@non_atomic
class EvidenceReviewAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=EvidenceReviewInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: BookingDetailSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request, booking_id: int):
        """The careteam accepts the evidence awaiting review (the whole deposit is refunded) or rejects
        it with a note the patient reads (they may send other evidence until the deadline)."""
        _require_careteam(request)
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
        body = EvidenceReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.booking_review_evidence(
            booking=booking,
            actor=request.user,
            accepted=body.validated_data["accepted"],
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return _detail(request, booking.pk)
