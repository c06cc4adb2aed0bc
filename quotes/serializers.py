"""Shapes of the quote endpoints. Amounts go out as `Money` (decimal string + minor units) and come
in as decimal strings in major units; rules live in quotes.services.

`available_actions` answers the services' own checks for the user asking: the serializers that
carry it need the API request in their context (and, for the inbox, the provider).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from bookings.serializers import ScheduleSerializer, schedule_payload
from core.checks import ActionState, actions_payload
from core.money import Money, MoneyError
from core.serializers import (
    AmountField,
    BoundedDateField,
    BoundedDateTimeField,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    currency_field,
)
from providers.models import CancellationPolicyChoice, Procedure, Specialty
from quotes.models import (
    Quote,
    QuoteLine,
    QuoteLineKind,
    QuoteRecipient,
    QuoteRequest,
    QuoteRequestStatus,
    QuoteSlot,
    QuoteStatus,
    Tender,
)
from quotes.selectors import quote_cancellation_schedule
from quotes.services import (
    MAX_LINES,
    MAX_RECIPIENTS,
    MAX_SLOTS,
    quote_accept_check,
    quote_decline_check,
    quote_request_withdraw_check,
    quote_submit_check,
    quote_withdraw_check,
    tender_comparison_send_check,
)


def _asking(context: Mapping[str, Any]) -> tuple[User, dt.datetime]:
    """Who asks, and one `now` for the whole answer (kept in the root serializer's context)."""
    # DRF shares one context dict among the root serializer and its children (typed as a Mapping).
    return context["request"].user, cast("dict[str, Any]", context).setdefault("now", timezone.now())


class QuoteLineSerializer(serializers.ModelSerializer):
    kind = NamedEnumField(enum_name="QuoteLineKindEnum", choices=QuoteLineKind.choices, read_only=True)
    unit_price = serializers.SerializerMethodField()
    amount = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = ["kind", "description", "quantity", "unit_price", "amount"]

    @extend_schema_field(MoneySerializer)
    def get_unit_price(self, line: QuoteLine) -> dict:
        return MoneySerializer(Money(line.unit_amount, line.quote.currency)).data

    @extend_schema_field(MoneySerializer)
    def get_amount(self, line: QuoteLine) -> dict:
        return MoneySerializer(Money(line.amount, line.quote.currency)).data


class QuoteSlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuoteSlot
        fields = ["start", "end"]


class QuoteSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    status = NamedEnumField(enum_name="QuoteStatusEnum", choices=QuoteStatus.choices, read_only=True)
    cancellation_policy = NamedEnumField(
        enum_name="CancellationPolicyEnum", choices=CancellationPolicyChoice.choices, read_only=True
    )
    total = serializers.SerializerMethodField()
    deposit = serializers.SerializerMethodField()
    patient_total = serializers.SerializerMethodField(
        help_text="The total in the patient's currency at the rate locked when the quote was accepted."
    )
    lines = QuoteLineSerializer(many=True, read_only=True)
    slots = QuoteSlotSerializer(many=True, read_only=True)
    cancellation_schedule = serializers.SerializerMethodField(
        help_text="While the quote is open: what cancelling would cost, as dates (the place's) and amounts, "
        "if it were accepted and its deposit paid today. The booking carries its own once accepted."
    )
    available_actions = available_actions_field("accept", "decline", "withdraw")

    class Meta:
        model = Quote
        fields = [
            "id",
            "request",
            "provider",
            "provider_name",
            "status",
            "total",
            "deposit",
            "lines",
            "slots",
            "timezone",
            "excluded",
            "message",
            "valid_until",
            "payment_days",
            "max_variation_bps",
            "cancellation_policy",
            "cancellation_schedule",
            "sent_at",
            "decided_at",
            "patient_total",
            "patient_rate_date",
            "booking",
            "available_actions",
        ]

    @extend_schema_field(MoneySerializer)
    def get_total(self, quote: Quote) -> dict:
        return MoneySerializer(Money(quote.total_amount, quote.currency)).data

    @extend_schema_field(MoneySerializer)
    def get_deposit(self, quote: Quote) -> dict:
        return MoneySerializer(Money(quote.deposit_amount, quote.currency)).data

    @extend_schema_field(ScheduleSerializer(allow_null=True))
    def get_cancellation_schedule(self, quote: Quote) -> dict | None:
        _actor, now = _asking(self.context)
        return schedule_payload(quote_cancellation_schedule(quote=quote, now=now))

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_patient_total(self, quote: Quote) -> dict | None:
        if quote.patient_total_amount is None:
            return None
        return MoneySerializer(Money(quote.patient_total_amount, quote.patient_currency)).data

    def get_available_actions(self, quote: Quote) -> dict[str, ActionState]:
        actor, now = _asking(self.context)
        return actions_payload(
            {
                "accept": quote_accept_check(quote=quote, actor=actor, now=now),
                "decline": quote_decline_check(quote=quote, actor=actor),
                "withdraw": quote_withdraw_check(quote=quote, actor=actor),
            }
        )


class RecipientSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = QuoteRecipient
        fields = ["id", "provider", "sent_at", "first_answered_at"]


class InboxRequestSerializer(serializers.ModelSerializer):
    """A request as the providers it was sent to see it (no other provider's quote)."""

    status = NamedEnumField(enum_name="QuoteRequestStatusEnum", choices=QuoteRequestStatus.choices, read_only=True)
    specialty = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    procedure = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    available_actions = available_actions_field("quote")

    class Meta:
        model = QuoteRequest
        fields = [
            "id",
            "status",
            "subject",
            "specialty",
            "procedure",
            "description",
            "desired_from",
            "desired_to",
            "travel_constraints",
            "documents",
            "sent_at",
            "expires_at",
            "available_actions",
        ]

    def get_available_actions(self, request: QuoteRequest) -> dict[str, ActionState]:
        actor, now = _asking(self.context)
        provider = self.context["provider"]
        return actions_payload({"quote": quote_submit_check(request=request, provider=provider, actor=actor, now=now)})


class QuoteRequestSerializer(InboxRequestSerializer):
    """A request as its patient sees it: also whom it went to and every quote."""

    recipients = RecipientSerializer(many=True, read_only=True)
    quotes = QuoteSerializer(many=True, read_only=True)
    available_actions = available_actions_field("withdraw")

    class Meta(InboxRequestSerializer.Meta):
        fields = [*InboxRequestSerializer.Meta.fields, "recipients", "quotes", "created_at", "closed_at"]

    def get_available_actions(self, request: QuoteRequest) -> dict[str, ActionState]:
        actor, _now = _asking(self.context)
        return actions_payload({"withdraw": quote_request_withdraw_check(request=request, actor=actor)})


class QuoteRequestInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10_000)
    desired_from = BoundedDateField()
    desired_to = BoundedDateField()
    specialty = serializers.SlugRelatedField(
        slug_field="code", queryset=Specialty.objects.all(), required=False, allow_null=True, default=None
    )
    procedure = serializers.SlugRelatedField(
        slug_field="code", queryset=Procedure.objects.all(), required=False, allow_null=True, default=None
    )
    travel_constraints = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")
    documents = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=20)
    providers = serializers.ListField(
        child=serializers.SlugField(), min_length=1, max_length=MAX_RECIPIENTS, help_text="Provider slugs."
    )


class AcceptInputSerializer(serializers.Serializer):
    currency = currency_field(
        required=False, help_text="The patient's currency, for the conversion locked at acceptance."
    )


class LineInputSerializer(serializers.Serializer):
    kind = NamedEnumField(enum_name="QuoteLineKindEnum", choices=QuoteLineKind.choices)
    description = serializers.CharField(max_length=200)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000, default=1)
    unit_price = AmountField()


class SlotInputSerializer(serializers.Serializer):
    start = BoundedDateTimeField()
    end = BoundedDateTimeField()


class QuoteInputSerializer(serializers.Serializer):
    currency = currency_field()
    # `many=True` hands min_length and max_length to the ListSerializer; the stubs do not know them.
    lines = LineInputSerializer(many=True, min_length=1, max_length=MAX_LINES)  # type: ignore[call-arg]
    deposit = AmountField()
    valid_until = BoundedDateField()
    slots = SlotInputSerializer(many=True, min_length=1, max_length=MAX_SLOTS)  # type: ignore[call-arg]
    payment_days = serializers.IntegerField(min_value=1, max_value=30)
    max_variation_bps = serializers.IntegerField(min_value=0, max_value=10_000)
    cancellation_policy = NamedEnumField(
        enum_name="CancellationPolicyEnum",
        choices=CancellationPolicyChoice.choices,
        default=CancellationPolicyChoice.PLATFORM_DEFAULT,
    )
    timezone = serializers.CharField(max_length=64, default="UTC", help_text="IANA timezone of the place of care.")
    excluded = serializers.CharField(max_length=2_000, required=False, allow_blank=True, default="")
    message = serializers.CharField(max_length=5_000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        currency = attrs["currency"]
        try:
            attrs["deposit_amount"] = Money.from_decimal(attrs["deposit"], currency).amount
        except MoneyError as exc:
            raise serializers.ValidationError({"deposit": [exc.message]}) from exc
        for line in attrs["lines"]:
            try:
                line["unit_amount"] = Money.from_decimal(line["unit_price"], currency).amount
            except MoneyError as exc:
                raise serializers.ValidationError({"lines": [exc.message]}) from exc
        return attrs


# --- tenders (careteam assistance) ----------------------------------------------------------------------


class TenderInputSerializer(serializers.Serializer):
    order = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="The paid careteam-assistance order.")
    providers = serializers.ListField(child=serializers.SlugField(max_length=200), max_length=20)
    subject = serializers.CharField(max_length=200)
    message = serializers.CharField(max_length=10_000)
    specialty = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1
    )
    procedure = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=2**31 - 1
    )
    desired_from = BoundedDateField()
    desired_to = BoundedDateField()
    answer_by = BoundedDateTimeField()
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), required=False, default=list, max_length=20
    )


class TenderRecipientSerializer(serializers.ModelSerializer):
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = QuoteRecipient
        fields = ["provider", "sent_at", "first_answered_at"]


class TenderSerializer(serializers.ModelSerializer):
    """The tender's log: who invited whom when, who answered when, the deadline, the comparison sent."""

    invited_by = serializers.EmailField(source="invited_by.email", read_only=True)
    recipients = TenderRecipientSerializer(source="request.recipients", many=True, read_only=True)
    quotes = serializers.SerializerMethodField()
    available_actions = available_actions_field("send_comparison")

    class Meta:
        model = Tender
        fields = ["id", "order", "request", "invited_by", "invited_at", "answer_by", "message", "recipients"]
        fields += ["quotes", "comparison_sent_at", "available_actions"]

    @extend_schema_field(QuoteSerializer(many=True))
    def get_quotes(self, tender: Tender) -> list:
        quotes = tender.request.quotes.filter(status__in=["sent", "accepted"]).select_related("provider", "booking")
        return list(QuoteSerializer(quotes.prefetch_related("lines", "slots"), many=True, context=self.context).data)

    def get_available_actions(self, tender: Tender) -> dict[str, ActionState]:
        actor, now = _asking(self.context)
        return actions_payload({"send_comparison": tender_comparison_send_check(tender=tender, actor=actor, now=now)})
