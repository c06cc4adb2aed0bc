"""The disputes API's shapes."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from core.checks import actions_payload
from core.serializers import NamedEnumField, available_actions_field
from disputes import services
from disputes.models import OPENABLE_REASONS, Dispute, DisputeEvidence, DisputeSide, EvidenceKind, Outcome

ACTIONS = ("answer", "add_evidence", "withdraw", "decide", "approve", "send_back")


def dispute_checks(dispute: Dispute, actor: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "answer": services.dispute_answer_check(dispute=dispute, actor=actor, now=now),
        "add_evidence": services.dispute_evidence_add_check(dispute=dispute, actor=actor),
        "withdraw": services.dispute_withdraw_check(dispute=dispute, actor=actor),
        "decide": services.dispute_decide_check(dispute=dispute, actor=actor, now=now),
        "approve": services.dispute_approve_check(dispute=dispute, actor=actor),
        "send_back": services.dispute_send_back_check(dispute=dispute, actor=actor),
    }


class DisputeEvidenceSerializer(serializers.ModelSerializer[DisputeEvidence]):
    document = serializers.UUIDField(source="document_id", read_only=True)
    kind = NamedEnumField(enum_name="DisputeEvidenceKindEnum", choices=EvidenceKind.choices, read_only=True)
    side = NamedEnumField(enum_name="DisputeSideEnum", choices=DisputeSide.choices, read_only=True)

    class Meta:
        model = DisputeEvidence
        fields = ["id", "document", "kind", "side", "added_at"]
        read_only_fields = fields


class DisputeSerializer(serializers.ModelSerializer[Dispute]):
    kind = serializers.CharField(read_only=True, help_text="claim (opened on the site) or chargeback (card issuer).")
    status = serializers.CharField(
        read_only=True,
        help_text="awaiting_answer, under_review, awaiting_finance, decided, withdrawn, with_card_issuer or closed.",
    )
    outcome = serializers.CharField(
        read_only=True,
        help_text="refund_full, refund_partial, release, reject, card_won, card_lost; empty until decided.",
    )
    opened_by_side = NamedEnumField(enum_name="DisputeSideEnum", choices=DisputeSide.choices, read_only=True)
    evidence = DisputeEvidenceSerializer(many=True, read_only=True)
    available_actions = available_actions_field(*ACTIONS)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "kind",
            "booking",
            "order",
            "opened_by_side",
            "reason",
            "statement",
            "status",
            "opened_at",
            "answer_due_at",
            "answer",
            "answered_at",
            "decision_due_at",
            "amount",
            "currency",
            "outcome",
            "refund_amount",
            "decision_note",
            "proposed_at",
            "decided_at",
            "card_reason",
            "evidence",
            "available_actions",
        ]
        read_only_fields = fields

    def get_available_actions(self, dispute: Dispute) -> dict[str, Any]:
        return actions_payload(dispute_checks(dispute, self.context["request"].user))


class DisputeOpenSerializer(serializers.Serializer[Any]):
    booking = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="The booking disputed."
    )
    order = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Or the add-on order disputed."
    )
    reason = serializers.ChoiceField(choices=OPENABLE_REASONS)
    statement = serializers.CharField(max_length=5000, help_text="What happened.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("booking" in attrs) == ("order" in attrs):
            raise serializers.ValidationError({"booking": ["Give a booking or an order, not both."]})
        return attrs


class DisputeAnswerSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(max_length=5000)


class DisputeEvidenceInputSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="PDF, JPEG, PNG (checked by its contents), up to DOCUMENT_MAX_BYTES.")
    title = serializers.CharField(max_length=200)
    kind = NamedEnumField(enum_name="DisputeEvidenceKindEnum", choices=EvidenceKind.choices)


class DisputeDecideSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(
        choices=[
            (o.value, o.label) for o in (Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RELEASE, Outcome.REJECT)
        ]
    )
    refund_percent = serializers.IntegerField(required=False, min_value=1, max_value=99, allow_null=True)
    refund_amount = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=10**12,
        allow_null=True,
        help_text="Minor units of the dispute's currency.",
    )
    note = serializers.CharField(max_length=5000, help_text="The decision's reasons, shown to both sides.")


class DisputeSendBackSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=5000)
