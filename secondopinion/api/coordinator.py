"""Second-opinion API (/api/v1/second-opinions/coordinator/…): the medical coordinator's triage.

The queue, one request's file, and the actions (take, ask for documents, skills, eligible
specialists, shortlist, declare unsuitable), the same services as the pages. Coordinators only:
other staff 403, everyone else 404. Errors are the DomainError body `{code, message, details}`.
Owns its `urlpatterns` (secondopinion/api_urls.py joins them)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.checks import actions_payload
from core.errors import ValidationFailed
from core.serializers import ApiErrorSerializer, available_actions_field
from secondopinion.models import OpinionCase, SpecialistProfile
from secondopinion.selectors import specialist_turnaround_hours
from secondopinion.services import triage
from secondopinion.services.triage import MESSAGE_MAX_LENGTH, NOTE_MAX_LENGTH, UNSUITABLE_REASONS

TAGS = ["Second opinions: triage"]
READ_ERRORS = {403: ApiErrorSerializer, 404: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
ACTIONS = ("take", "request_documents", "set_skills", "shortlist", "declare_unsuitable")


# --- serializers (names prefixed: unique project-wide) ------------------------------------------------


class SecondOpinionTriageCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    coordinator = serializers.IntegerField(allow_null=True)
    clock_started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True, help_text="When the opinion is due; null while paused.")
    url = serializers.CharField(help_text="The coordinator's page of the request.")


class SecondOpinionTriageQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    text = serializers.CharField()


class SecondOpinionTriageDocumentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    role = serializers.CharField()
    download_url = serializers.CharField(
        allow_blank=True, help_text="Readable by the request's coordinator once taken; empty before."
    )


class SecondOpinionTriageCandidateSerializer(serializers.Serializer):
    specialist = serializers.IntegerField()
    name = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    declined = serializers.BooleanField()


class SecondOpinionTriageClockSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    paused_since = serializers.DateTimeField(allow_null=True)
    worked_hours = serializers.FloatField(allow_null=True)


class SecondOpinionTriageCaseDetailSerializer(SecondOpinionTriageCaseSerializer):
    specialty = serializers.CharField()
    language = serializers.CharField()
    meeting_requested = serializers.BooleanField()
    skills_needed = serializers.CharField(allow_blank=True)
    questions = SecondOpinionTriageQuestionSerializer(many=True)
    documents = SecondOpinionTriageDocumentSerializer(many=True)
    candidates = SecondOpinionTriageCandidateSerializer(many=True)
    clock = SecondOpinionTriageClockSerializer()
    available_actions = available_actions_field(*ACTIONS)

    def get_available_actions(self, data: dict[str, Any]) -> dict[str, Any]:
        return data["available_actions"]


class SecondOpinionEligibleSpecialistSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    register = serializers.CharField()
    registration_number = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    price_amount = serializers.IntegerField(help_text="Minor units of `currency`.")
    currency = serializers.CharField()
    capacity_left = serializers.IntegerField(help_text="Opinions the specialist can still accept this week.")
    turnaround_hours = serializers.FloatField(allow_null=True, help_text="Median hours; null for a new specialist.")


class SecondOpinionDocumentsRequestSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="What is missing, for the patient.")


class SecondOpinionSkillsSerializer(serializers.Serializer):
    skills = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)


class SecondOpinionShortlistEntrySerializer(serializers.Serializer):
    specialist = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, default="", allow_blank=True)


class SecondOpinionShortlistSerializer(serializers.Serializer):
    candidates = SecondOpinionShortlistEntrySerializer(many=True, help_text="At least two eligible specialists.")


class SecondOpinionUnsuitableSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=list(UNSUITABLE_REASONS))
    note = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="Why, and what the patient should do next.")


# --- payloads -----------------------------------------------------------------------------------------


def _summary(case: OpinionCase) -> dict[str, Any]:
    return {
        "id": case.pk,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "coordinator": case.coordinator_id,
        "clock_started_at": case.clock_started_at,
        "due_at": case.due_at,
        "url": reverse("secondopinion:coordinator_case", args=[case.pk]),
    }


def _detail(case: OpinionCase, actor: Any) -> dict[str, Any]:
    mine = case.coordinator_id == actor.pk
    return {
        **_summary(case),
        "specialty": str(case.specialty),
        "language": case.language,
        "meeting_requested": case.meeting_requested,
        "skills_needed": case.skills_needed,
        "questions": [{"position": q.position, "text": q.text} for q in case.questions.all()],
        "documents": [
            {
                "id": row.document_id,
                "title": row.document.title,
                "role": row.role,
                "download_url": f"/api/v1/documents/{row.document_id}/download/" if mine else "",
            }
            for row in case.documents.select_related("document")
        ],
        "candidates": [
            {
                "specialist": row.specialist_id,
                "name": row.specialist.provider.name,
                "note": row.note,
                "declined": row.declined_at is not None,
            }
            for row in case.candidates.select_related("specialist__provider")
        ],
        "clock": triage.case_clock(case=case, now=timezone.now()),
        "available_actions": actions_payload(triage.case_actions(case=case, actor=actor)),
    }


def _specialist(profile: SpecialistProfile) -> dict[str, Any]:
    return {
        "id": profile.pk,
        "name": profile.provider.name,
        "register": profile.provider.register,
        "registration_number": profile.provider.registration_number,
        "languages": profile.languages,
        "price_amount": profile.price_amount,
        "currency": profile.currency,
        "capacity_left": profile.weekly_capacity - profile.accepted_this_week,  # type: ignore[attr-defined]
        "turnaround_hours": specialist_turnaround_hours(profile),
    }


def _respond(case: OpinionCase, actor: Any) -> Response:
    case = triage.coordinator_case(pk=case.pk, actor=actor)
    return Response(SecondOpinionTriageCaseDetailSerializer(_detail(case, actor)).data)


# --- views --------------------------------------------------------------------------------------------


class CoordinatorCasesAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionTriageCaseSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        """The queue: paid requests nobody has taken, and mine, the soonest due first."""
        cases = triage.coordinator_cases(actor=request.user)
        return Response(SecondOpinionTriageCaseSerializer([_summary(case) for case in cases], many=True).data)


class CoordinatorCaseAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionTriageCaseDetailSerializer, **READ_ERRORS})
    def get(self, request: Request, case_id: int) -> Response:
        """One request's file: questions, documents (readable once taken), the clock, and what I may do."""
        return _respond(triage.coordinator_case(pk=case_id, actor=request.user), request.user)


class CoordinatorTakeAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SecondOpinionTriageCaseDetailSerializer, **WRITE_ERRORS})
    def post(self, request: Request, case_id: int) -> Response:
        """Take a paid request: I become its coordinator and may read its documents."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        triage.case_take(case=case, actor=request.user, now=timezone.now())
        return _respond(case, request.user)


class CoordinatorDocumentsRequestAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionDocumentsRequestSerializer,
        responses={200: SecondOpinionTriageCaseDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Ask the patient for what is missing; the clock pauses until they send it."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        body = SecondOpinionDocumentsRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        triage.case_documents_request(
            case=case, actor=request.user, message=body.validated_data["message"], now=timezone.now()
        )
        return _respond(case, request.user)


class CoordinatorSkillsAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionSkillsSerializer,
        responses={200: SecondOpinionTriageCaseDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Write the skills the request needs."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        body = SecondOpinionSkillsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        triage.case_skills_set(case=case, actor=request.user, skills=body.validated_data["skills"], now=timezone.now())
        return _respond(case, request.user)


class CoordinatorEligibleSpecialistsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionEligibleSpecialistSerializer(many=True), **READ_ERRORS})
    def get(self, request: Request, case_id: int) -> Response:
        """Who may be proposed: verified, in the specialty, language and currency, with room this week."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        profiles = triage.case_candidates_eligible(case=case, now=timezone.now())
        return Response(SecondOpinionEligibleSpecialistSerializer([_specialist(p) for p in profiles], many=True).data)


class CoordinatorShortlistAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionShortlistSerializer,
        responses={200: SecondOpinionTriageCaseDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Propose at least two eligible specialists; the patient is asked to choose (the clock pauses)."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        body = SecondOpinionShortlistSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entries = body.validated_data["candidates"]
        ids = [entry["specialist"] for entry in entries]
        profiles = {p.pk: p for p in SpecialistProfile.objects.filter(pk__in=ids).select_related("provider")}
        unknown = [pk for pk in ids if pk not in profiles]
        if unknown:
            message = _("Unknown specialist: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)}
            raise ValidationFailed(message, code="unknown_specialist", details={"candidates": [message]})
        triage.case_shortlist(
            case=case,
            actor=request.user,
            specialists=[profiles[pk] for pk in ids],
            notes={entry["specialist"]: entry["note"] for entry in entries},
            now=timezone.now(),
        )
        return _respond(case, request.user)


class CoordinatorUnsuitableAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionUnsuitableSerializer,
        responses={200: SecondOpinionTriageCaseDetailSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Declare the file unsuitable: the request closes and the patient is refunded in full."""
        case = triage.coordinator_case(pk=case_id, actor=request.user)
        body = SecondOpinionUnsuitableSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        triage.case_declare_unsuitable(
            case=case,
            actor=request.user,
            reason=body.validated_data["reason"],
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return _respond(case, request.user)


urlpatterns: list[URLPattern] = [
    path("coordinator/cases/", CoordinatorCasesAPI.as_view(), name="api_secondopinion_coordinator_cases"),
    path("coordinator/cases/<int:case_id>/", CoordinatorCaseAPI.as_view(), name="api_secondopinion_coordinator_case"),
    path(
        "coordinator/cases/<int:case_id>/take/", CoordinatorTakeAPI.as_view(), name="api_secondopinion_coordinator_take"
    ),
    path(
        "coordinator/cases/<int:case_id>/request-documents/",
        CoordinatorDocumentsRequestAPI.as_view(),
        name="api_secondopinion_coordinator_request_documents",
    ),
    path(
        "coordinator/cases/<int:case_id>/skills/",
        CoordinatorSkillsAPI.as_view(),
        name="api_secondopinion_coordinator_skills",
    ),
    path(
        "coordinator/cases/<int:case_id>/eligible-specialists/",
        CoordinatorEligibleSpecialistsAPI.as_view(),
        name="api_secondopinion_coordinator_eligible_specialists",
    ),
    path(
        "coordinator/cases/<int:case_id>/shortlist/",
        CoordinatorShortlistAPI.as_view(),
        name="api_secondopinion_coordinator_shortlist",
    ),
    path(
        "coordinator/cases/<int:case_id>/unsuitable/",
        CoordinatorUnsuitableAPI.as_view(),
        name="api_secondopinion_coordinator_unsuitable",
    ),
]
