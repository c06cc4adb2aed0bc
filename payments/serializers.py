"""Shapes the API shares for card payments (a deposit's, an add-on order's)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ACTION_SCHEMA, NamedEnumField
from payments.services.card_payments import CardIntent

# What Stripe says of a PaymentIntent (https://docs.stripe.com/payments/paymentintents/lifecycle).
INTENT_STATUSES = [
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "succeeded",
    "canceled",
]


class PaymentIntentSerializer(serializers.Serializer[CardIntent]):
    """What Stripe's SDKs need to confirm the payment on the client."""

    payment_intent = serializers.CharField(source="payment_intent_id")
    client_secret = serializers.CharField(
        help_text="For the SDK's confirmation (PaymentSheet, confirmPayment) and 3-D Secure."
    )
    publishable_key = serializers.CharField()
    stripe_account = serializers.CharField(
        allow_null=True, help_text="The connected account the payment is made on (the SDK's stripeAccount); null: ours."
    )
    status = NamedEnumField(enum_name="PaymentIntentStatusEnum", choices=INTENT_STATUSES)
    amount = serializers.IntegerField(help_text="Integer minor units, as Stripe counts them.")
    currency = serializers.CharField(help_text="ISO 4217, upper case.")
    attempt = serializers.IntegerField(help_text="The payment attempt this PaymentIntent belongs to.")


def intent_payload(intent: CardIntent) -> dict[str, Any]:
    return {
        "payment_intent": intent.payment_intent_id,
        "client_secret": intent.client_secret,
        "publishable_key": intent.publishable_key,
        "stripe_account": intent.stripe_account,
        "status": intent.status,
        "amount": intent.amount,
        "currency": intent.currency,
        "attempt": intent.attempt,
    }


@extend_schema_field(ACTION_SCHEMA)
class ActionField(serializers.JSONField):
    """One action's answer, as in an object's `available_actions`: allowed, or why not."""
