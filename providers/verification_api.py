"""The careteam's verification of providers through the API (the pages are providers/views.py
`verification_queue` and `verification_review`): the queue, one provider as the review page shows
it with the decisions the careteam may take now, and a decision (verify, reject, suspend) with what
was checked. The aftercare setting is `CareteamDischargePackAPI` (providers/api.py).

The careteam only, as on the pages (`services.careteam_check`): anyone else signed in gets 403
before anything is read; an unknown provider is 404. The decision goes through the service of the
page (`services.VERIFICATION_DECISIONS`), which checks the state under its lock. Errors are the
DomainError body `{code, message, details}`; a decision takes an `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.checks import actions_payload
from core.errors import NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.serializers import ApiErrorSerializer, available_actions_field
from providers import services
from providers.models import Provider
from providers.selectors import providers_awaiting_verification, providers_decided

TAGS = ["Provider verification"]
DECISIONS = tuple(services.VERIFICATION_DECISIONS)
DECIDED_LIMIT = 200  # as the page lists them


class VerificationPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class VerificationQueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField(help_text="pending, verified, rejected or suspended.")
    status_label = serializers.CharField()
    register = serializers.CharField()
    register_country = serializers.CharField()
    registration_number = serializers.CharField()
    identity_changes = serializers.JSONField(
        help_text="What the provider changed of its identity since its last verification: field → {from, to}."
    )
    created_at = serializers.DateTimeField()


class VerificationQueueSerializer(serializers.Serializer):
    pending = VerificationQueueItemSerializer(many=True, help_text="Awaiting a decision, oldest first.")
    decided = VerificationQueueItemSerializer(
        many=True, help_text=f"Decided, by status and name ({DECIDED_LIMIT} at most)."
    )


class VerificationCredentialSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    institution = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField(allow_null=True)


class VerificationAccreditationSerializer(serializers.Serializer):
    body = serializers.CharField()
    reference = serializers.CharField(allow_blank=True)
    valid_until = serializers.DateField()


class VerificationContractSerializer(serializers.Serializer):
    contract = serializers.CharField()
    accepted_at = serializers.DateTimeField()


class VerificationStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = VerificationPersonSerializer()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    checked = serializers.CharField()
    note = serializers.CharField(allow_blank=True)


class VerificationReviewSerializer(VerificationQueueItemSerializer):
    facility_type = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    credentials = VerificationCredentialSerializer(many=True)
    accreditations = VerificationAccreditationSerializer(many=True)
    contracts = VerificationContractSerializer(many=True)
    discharge_pack_required = serializers.BooleanField(
        help_text="The deposit of its procedures is released only once their discharge pack is complete."
    )
    steps = VerificationStepSerializer(many=True, help_text="Every decision so far, oldest first.")
    available_actions = available_actions_field(*DECISIONS, "set_discharge_pack")

    def get_available_actions(self, row: dict[str, Any]) -> dict[str, Any]:
        return row["available_actions"]


class VerificationDecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(DECISIONS))
    checked = serializers.CharField(
        max_length=5000,
        required=False,
        default="",
        allow_blank=True,
        help_text="Register consulted, number found, name and specialty matching, documents seen; required.",
    )
    note = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)


def _require_careteam(request: Request) -> None:
    services.careteam_check(user=cast(User, request.user)).enforce()  # IsAuthenticated ran first


def _item(provider: Provider) -> dict[str, Any]:
    return {
        "id": provider.pk,
        "name": provider.name,
        "kind": provider.kind,
        "status": provider.status,
        "status_label": provider.get_status_display(),
        "register": provider.register,
        "register_country": str(provider.register_country),
        "registration_number": provider.registration_number,
        "identity_changes": provider.identity_changes,
        "created_at": provider.created_at,
    }


def _review(provider: Provider, actor: User) -> dict[str, Any]:
    checks = dict(services.provider_decision_checks(provider=provider, actor=actor))
    checks["set_discharge_pack"] = services.provider_discharge_pack_set_check(provider=provider, actor=actor)
    return {
        **_item(provider),
        "facility_type": provider.facility_type,
        "email": provider.email,
        "phone": provider.phone,
        "credentials": [
            {"kind": c.kind, "title": c.title, "institution": c.institution, "year": c.year}
            for c in provider.credentials.all()
        ],
        "accreditations": [
            {"body": a.body, "reference": a.reference, "valid_until": a.valid_until}
            for a in provider.accreditations.all()
        ],
        "contracts": [
            {"contract": str(acceptance.contract), "accepted_at": acceptance.accepted_at}
            for acceptance in provider.contract_acceptances.all()
        ],
        "discharge_pack_required": provider.discharge_pack_required,
        "steps": [
            {
                "at": step.at,
                "actor": {"id": step.actor.pk, "email": step.actor.email},
                "from_status": step.from_status,
                "to_status": step.to_status,
                "checked": step.checked,
                "note": step.note,
            }
            for step in provider.verification_steps.select_related("actor").order_by("at", "pk")
        ],
        "available_actions": actions_payload(checks),
    }


def _provider_of(provider_id: int) -> Provider:
    provider = (
        Provider.objects.prefetch_related("credentials", "accreditations", "contract_acceptances__contract")
        .filter(pk=provider_id)
        .first()
    )
    if provider is None:
        raise NotFound(_("No provider has this id."))
    return provider


class VerificationQueueAPI(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="careteam_verification_queue",
        responses={200: VerificationQueueSerializer, 403: ApiErrorSerializer},
    )
    def get(self, request):
        """Careteam: the providers awaiting verification (with the identity changes to check again)
        and those decided."""
        _require_careteam(request)
        answer = {
            "pending": [_item(provider) for provider in providers_awaiting_verification()],
            "decided": [_item(provider) for provider in providers_decided()[:DECIDED_LIMIT]],
        }
        return Response(VerificationQueueSerializer(answer).data)


@non_atomic
class VerificationReviewAPI(APIView):
    @extend_schema(
        tags=TAGS, responses={200: VerificationReviewSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer}
    )
    def get(self, request, provider_id: int):
        """Careteam: what the provider declared, its history, and the decisions you may take now
        (each refused one with its reason)."""
        _require_careteam(request)
        return Response(VerificationReviewSerializer(_review(_provider_of(provider_id), request.user)).data)

    @extend_schema(
        tags=TAGS,
        request=VerificationDecisionInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={
            200: VerificationReviewSerializer,
            **dict.fromkeys((400, 403, 404, 409), ApiErrorSerializer),
        },
    )
    @idempotent
    def post(self, request, provider_id: int):
        """Careteam: record a decision (verify, reject, suspend) with what you checked."""
        _require_careteam(request)
        provider = _provider_of(provider_id)
        body = VerificationDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        transition, _check = services.VERIFICATION_DECISIONS[body.validated_data["decision"]]
        transition(
            provider=provider,
            actor=request.user,
            checked=body.validated_data["checked"],
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return Response(
            VerificationReviewSerializer(_review(_provider_of(provider_id), request.user)).data,
            status=status.HTTP_200_OK,
        )
