"""Shapes of the booking API. Amounts are integer minor units with their currency."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import (
    Appointment,
    Booking,
    BookingStatus,
    CancellationEvidence,
    CancellationReason,
    EvidenceReview,
)
from bookings.selectors import CancellationSchedule, booking_cancellation_schedule
from bookings.services import BOOKING_ACTIONS, booking_actions
from core.checks import actions_payload
from core.money import Money
from core.serializers import (
    ACTION_SCHEMA,
    BoundedDateTimeField,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    bounded_integer,
)


def _money(amount: int | None, currency: str) -> dict | None:
    return None if amount is None else MoneySerializer(Money(amount, currency)).data


class AppointmentSerializer(serializers.ModelSerializer):
    local_start = serializers.SerializerMethodField(help_text="Start in the provider's timezone.")
    local_end = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField(help_text="The appointment as an iCalendar file.")

    class Meta:
        model = Appointment
        fields = ["id", "start", "end", "local_start", "local_end", "live", "ics_url"]
        read_only_fields = fields

    def get_local_start(self, appointment: Appointment) -> str:
        return appointment.start.astimezone(appointment.booking.tz).isoformat()

    def get_local_end(self, appointment: Appointment) -> str:
        return appointment.end.astimezone(appointment.booking.tz).isoformat()

    def get_ics_url(self, appointment: Appointment) -> str:
        return reverse(
            "bookings:appointment_ics", kwargs={"booking_id": appointment.booking_id, "appointment_id": appointment.pk}
        )


class EvidenceSerializer(serializers.ModelSerializer):
    status = NamedEnumField(enum_name="EvidenceReviewEnum", choices=EvidenceReview.choices, read_only=True)

    class Meta:
        model = CancellationEvidence
        fields = ["id", "document", "submitted_at", "status", "reviewed_at", "note"]
        read_only_fields = fields


class SchedulePeriodSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True, help_text="Null: from `start` on, and not coming.")
    fee = MoneySerializer()
    refund = MoneySerializer()


class ScheduleSerializer(serializers.Serializer):
    periods = SchedulePeriodSerializer(many=True)
    summary = serializers.CharField()
    if_paid_today = serializers.BooleanField()


def schedule_payload(found: CancellationSchedule | None) -> dict | None:
    """A cancellation schedule as `ScheduleSerializer` describes it: the booking's and a quote's."""
    if found is None:
        return None
    return {
        "periods": [
            {
                "start": p.start,
                "end": p.end,
                "fee": MoneySerializer(p.fee).data,
                "refund": MoneySerializer(p.refund).data,
            }
            for p in found.periods
        ],
        "summary": found.summary,
        "if_paid_today": found.if_paid_today,
    }


class CancellationSerializer(serializers.Serializer):
    cancelled_at = serializers.DateTimeField()
    reason = serializers.CharField()
    fee = MoneySerializer()
    refund = MoneySerializer()
    rule = serializers.CharField()
    explanation = serializers.CharField()
    final = serializers.BooleanField(help_text="False while evidence of a legitimate reason is awaited.")
    evidence_status = serializers.CharField()
    evidence_due_at = serializers.DateTimeField(allow_null=True)


class BookingSerializer(serializers.ModelSerializer):
    status = NamedEnumField(enum_name="BookingStatusEnum", choices=BookingStatus.choices, read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    offering_title = serializers.CharField(source="offering.title", read_only=True, allow_null=True, default=None)
    deposit = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    appointments = AppointmentSerializer(many=True, read_only=True)
    cancellation = serializers.SerializerMethodField()
    available_actions = available_actions_field(*BOOKING_ACTIONS)

    class Meta:
        model = Booking
        fields = [
            "id",
            "status",
            "provider",
            "provider_name",
            "offering",
            "offering_title",
            "timezone",
            "deposit",
            "total",
            "hold_expires_at",
            "deposit_due_at",
            "paid_at",
            "created_at",
            "appointments",
            "cancellation",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_deposit(self, booking: Booking) -> dict | None:
        return _money(booking.deposit_amount, booking.currency)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_total(self, booking: Booking) -> dict | None:
        return _money(booking.total_amount, booking.currency)

    @extend_schema_field(CancellationSerializer(allow_null=True))
    def get_cancellation(self, booking: Booking) -> dict | None:
        if booking.cancelled_at is None:
            return None
        return {
            "cancelled_at": booking.cancelled_at,
            "reason": booking.cancellation_reason,
            "fee": _money(booking.cancellation_fee, booking.currency),
            "refund": _money(booking.cancellation_refund, booking.currency),
            "rule": booking.cancellation_rule,
            "explanation": booking.cancellation_explanation,
            "final": booking.cancellation_final,
            "evidence_status": booking.evidence_status,
            "evidence_due_at": booking.evidence_due_at,
        }

    # `available_actions_field` documents the field, but DRF copies declared fields per serializer
    # and the copy loses that documentation; the method carries the same schema.
    @extend_schema_field({"type": "object", "properties": dict.fromkeys(BOOKING_ACTIONS, ACTION_SCHEMA)})
    def get_available_actions(self, booking: Booking) -> dict:
        """What the user asking may do to the booking now: each service's own check."""
        request = self.context.get("request")
        return actions_payload(
            booking_actions(
                booking=booking,
                actor=getattr(request, "user", None),
                now=self.context.get("now") or timezone.now(),
            )
        )


class BookingDetailSerializer(BookingSerializer):
    schedule = serializers.SerializerMethodField()
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "schedule", "evidence"]
        read_only_fields = fields

    @extend_schema_field(ScheduleSerializer(allow_null=True))
    def get_schedule(self, booking: Booking) -> dict | None:
        return schedule_payload(
            booking_cancellation_schedule(booking=booking, now=self.context.get("now") or timezone.now())
        )


class HoldInputSerializer(serializers.Serializer):
    offering = bounded_integer(min_value=1)
    start = BoundedDateTimeField(help_text="A slot's start, with its UTC offset, as listed by the slots endpoint.")


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CancellationReason.choices, default=CancellationReason.NONE)


class EvidenceInputSerializer(serializers.Serializer):
    document = serializers.UUIDField(help_text="One of your medical documents (upload it first).")


class RescheduleInputSerializer(serializers.Serializer):
    start = BoundedDateTimeField()
    appointment = bounded_integer(min_value=1, required=False, help_text="Needed when the booking has several.")


class EvidenceReviewInputSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="True: accept the evidence; false: reject it (say why in `note`).")
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Read by the patient."
    )
