"""Second-opinion API (/api/v1/second-opinions/…): the specialist side.
Owns its `urlpatterns` (secondopinion/api_urls.py joins them).

- `specialist/profile/`: the practice's second-opinion profile (GET; PUT creates or changes it,
  an administrator of a verified practitioner). `?provider=<id>` picks one practice of several.
- `specialist/cases/`, `specialist/cases/<id>/`: the cases the practice was chosen for, each with
  its `available_actions`; the documents only once accepted.
- `…/<id>/accept/`, `…/<id>/decline/`, `…/<id>/opinion/` (PUT the draft), `…/<id>/opinion/sign/`.
- `verify/<code>/`: public, whether a signed opinion has this code, by whom and when.

A case not theirs is 404, whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.checks import actions_payload
from core.errors import NotFound
from core.serializers import ApiErrorSerializer, available_actions_field, bounded_integer
from providers.models import Provider
from secondopinion.access import SPECIALIST_READS
from secondopinion.models import Opinion, OpinionCase, SpecialistProfile
from secondopinion.services.specialists import (
    MAX_REASON_CHARS,
    MAX_SECTION_CHARS,
    accepted_this_week,
    case_accept,
    case_accept_check,
    case_decline,
    case_decline_check,
    opinion_by_code,
    opinion_save_draft,
    opinion_sign,
    opinion_sign_check,
    opinion_signed_on,
    opinion_write_check,
    practices_of_specialist,
    specialist_case_get,
    specialist_cases,
    specialist_profile_save,
)

TAGS = ["Second opinions: specialists"]
ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
PROVIDER_PARAMETER = OpenApiParameter(
    "provider", int, description="The practice, when you work for several practitioners (default: the first)."
)


# --- serializers -----------------------------------------------------------------------------------------


class SecondOpinionProfileSerializer(serializers.ModelSerializer[SpecialistProfile]):
    provider_name = serializers.CharField(source="provider.name")
    specialties = serializers.SerializerMethodField()
    languages = serializers.ListField(child=serializers.CharField())
    accepted_last_7_days = serializers.SerializerMethodField()

    class Meta:
        model = SpecialistProfile
        fields = [
            "provider",
            "provider_name",
            "specialties",
            "languages",
            "price_amount",
            "currency",
            "weekly_capacity",
            "accepted_last_7_days",
            "timezone",
            "country",
            "active",
            "updated_at",
        ]

    def get_specialties(self, profile: SpecialistProfile) -> list[int]:
        return sorted(profile.specialties.values_list("pk", flat=True))

    def get_accepted_last_7_days(self, profile: SpecialistProfile) -> int:
        return accepted_this_week(specialist=profile, now=timezone.now())


class SecondOpinionProfileInputSerializer(serializers.Serializer[dict[str, Any]]):
    provider = bounded_integer(min_value=1, required=False, help_text="The practice (default: your first).")
    specialties = serializers.ListField(child=bounded_integer(min_value=1), max_length=50)
    languages = serializers.ListField(child=serializers.CharField(max_length=8), max_length=20)
    price_amount = bounded_integer(min_value=0, help_text="Per opinion, in minor units of `currency`.")
    currency = serializers.CharField(max_length=3)
    weekly_capacity = bounded_integer(min_value=0, max_value=1000)
    timezone = serializers.CharField(max_length=64, help_text="IANA name, e.g. Europe/Paris.")
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2; its public holidays count.")
    active = serializers.BooleanField(default=True)


class SecondOpinionSpecialistQuestionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    text = serializers.CharField()


class SecondOpinionCaseDocumentSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="document.pk")
    title = serializers.CharField(source="document.title")
    role = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, item: Any) -> str:
        return reverse("api_document_download", args=[item.document.pk])


class SecondOpinionDraftSerializer(serializers.ModelSerializer[Opinion]):
    class Meta:
        model = Opinion
        fields = [
            "case_summary",
            "diagnosis_review",
            "answers",
            "options",
            "recommendation",
            "in_person_advised",
            "signed_at",
            "verification_code",
            "document",
            "updated_at",
        ]


class SecondOpinionSpecialistCaseSerializer(serializers.ModelSerializer[OpinionCase]):
    specialty = serializers.CharField(source="specialty.code")
    specialty_name = serializers.CharField(source="specialty.name")
    questions = SecondOpinionSpecialistQuestionSerializer(many=True)
    documents = serializers.SerializerMethodField()
    opinion = serializers.SerializerMethodField()
    available_actions = available_actions_field("accept", "decline", "save_draft", "sign")

    class Meta:
        model = OpinionCase
        fields = [
            "id",
            "status",
            "specialty",
            "specialty_name",
            "language",
            "meeting_requested",
            "skills_needed",
            "questions",
            "chosen_at",
            "accept_due_at",
            "accepted_at",
            "due_at",
            "delivered_at",
            "documents",
            "opinion",
            "available_actions",
        ]

    def get_documents(self, case: OpinionCase) -> list[dict[str, Any]]:
        """The case's documents, once accepted (before, the specialist decides on the request alone)."""
        if case.accepted_at is None or case.status not in SPECIALIST_READS:
            return []
        items = case.documents.select_related("document").order_by("added_at", "pk")
        return list(SecondOpinionCaseDocumentSerializer(items, many=True).data)

    def get_opinion(self, case: OpinionCase) -> dict[str, Any] | None:
        opinion = Opinion.objects.filter(case=case).first()
        return dict(SecondOpinionDraftSerializer(opinion).data) if opinion is not None else None

    def get_available_actions(self, case: OpinionCase) -> dict[str, Any]:
        user = self.context["request"].user
        now = timezone.now()
        return dict(
            actions_payload(
                {
                    "accept": case_accept_check(case=case, actor=user, now=now),
                    "decline": case_decline_check(case=case, actor=user),
                    "save_draft": opinion_write_check(case=case, actor=user),
                    "sign": opinion_sign_check(case=case, actor=user),
                }
            )
        )


class SecondOpinionDeclineInputSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=MAX_REASON_CHARS)


class SecondOpinionDraftInputSerializer(serializers.Serializer[dict[str, Any]]):
    case_summary = serializers.CharField(max_length=MAX_SECTION_CHARS, allow_blank=True, default="")
    diagnosis_review = serializers.CharField(max_length=MAX_SECTION_CHARS, allow_blank=True, default="")
    answers = serializers.ListField(
        child=serializers.CharField(max_length=MAX_SECTION_CHARS, allow_blank=True),
        max_length=10,
        help_text="One per question, in order.",
    )
    options = serializers.CharField(max_length=MAX_SECTION_CHARS, allow_blank=True, default="")
    recommendation = serializers.CharField(max_length=MAX_SECTION_CHARS, allow_blank=True, default="")
    in_person_advised = serializers.BooleanField(default=False)


class SecondOpinionVerifySerializer(serializers.Serializer[Any]):
    genuine = serializers.BooleanField()
    specialist_name = serializers.CharField()
    register = serializers.CharField()
    registration_number = serializers.CharField()
    signed_on = serializers.DateField()


# --- views -----------------------------------------------------------------------------------------------


def _practice(request: Request, wanted: Any) -> Provider:
    practices = practices_of_specialist(user=request.user)
    if wanted not in (None, ""):
        try:
            practices = practices.filter(pk=int(wanted))
        except (TypeError, ValueError):
            practices = practices.none()
    practice = practices.first()
    if practice is None:
        raise NotFound(_("You work for no practitioner with this id."))
    return practice


def _case_out(request: Request, case: OpinionCase) -> Response:
    fresh = specialist_cases(user=request.user).filter(pk=case.pk).first() or case
    return Response(SecondOpinionSpecialistCaseSerializer(fresh, context={"request": request}).data)


class SpecialistProfileAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[PROVIDER_PARAMETER],
        responses={200: SecondOpinionProfileSerializer, 404: ApiErrorSerializer},
        description="Your practice's second-opinion profile; 404 when it has none yet (PUT one).",
    )
    def get(self, request: Request) -> Response:
        practice = _practice(request, request.query_params.get("provider"))
        profile = SpecialistProfile.objects.filter(provider=practice).first()
        if profile is None:
            raise NotFound(_("You do not give second opinions yet: send your terms to start."), code="no_profile")
        return Response(SecondOpinionProfileSerializer(profile).data)

    @extend_schema(
        tags=TAGS,
        request=SecondOpinionProfileInputSerializer,
        responses={200: SecondOpinionProfileSerializer, **ERRORS},
        description=(
            "Create or change the profile: an administrator of a verified practitioner (else 403, or 409 "
            "not_verified_practitioner). Specialties among the practice's, language codes, a price above zero in "
            "a currency we accept, 1 to 100 opinions a week, an IANA timezone and a country whose holidays we "
            "know; a term at fault is 400 invalid_profile naming it in `details`."
        ),
    )
    def put(self, request: Request) -> Response:
        if not practices_of_specialist(user=request.user).exists():  # before the body: 404 as on GET
            raise NotFound(_("You work for no practitioner with this id."))
        body = SecondOpinionProfileInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        practice = _practice(request, data.get("provider") or request.query_params.get("provider"))
        profile = specialist_profile_save(
            provider=practice,
            actor=request.user,
            specialties=data["specialties"],
            languages=data["languages"],
            price_amount=data["price_amount"],
            currency=data["currency"],
            weekly_capacity=data["weekly_capacity"],
            timezone=data["timezone"],
            country=data["country"],
            active=data["active"],
            now=timezone.now(),
        )
        return Response(SecondOpinionProfileSerializer(profile).data)


class SpecialistCasesAPI(APIView):
    @extend_schema(
        tags=TAGS,
        responses=SecondOpinionSpecialistCaseSerializer(many=True),
        description="The requests you were chosen for (waiting, accepted, delivered), soonest due first.",
    )
    def get(self, request: Request) -> Response:
        cases = specialist_cases(user=request.user)
        return Response(SecondOpinionSpecialistCaseSerializer(cases, many=True, context={"request": request}).data)


class SpecialistCaseAPI(APIView):
    @extend_schema(
        tags=TAGS,
        responses={200: SecondOpinionSpecialistCaseSerializer, 404: ApiErrorSerializer},
        description="One request you were chosen for; its documents once you accepted it.",
    )
    def get(self, request: Request, case_id: int) -> Response:
        return _case_out(request, specialist_case_get(user=request.user, case_id=case_id))


class SpecialistCaseAcceptAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: SecondOpinionSpecialistCaseSerializer, **ERRORS},
        description=(
            "Accept the request: before `accept_due_at` (else 409 accept_expired), once the patient paid any "
            "supplement (409 supplement_unpaid), within your weekly capacity (409 capacity_full: decline it)."
        ),
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = specialist_case_get(user=request.user, case_id=case_id)
        return _case_out(request, case_accept(case=case, actor=request.user, now=timezone.now()))


class SpecialistCaseDeclineAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionDeclineInputSerializer,
        responses={200: SecondOpinionSpecialistCaseSerializer, **ERRORS},
        description="Decline the request, with a reason for the coordinator: the patient chooses another specialist.",
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = specialist_case_get(user=request.user, case_id=case_id)
        body = SecondOpinionDeclineInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        declined = case_decline(
            case=case,
            actor=request.user,
            reason=body.validated_data["reason"],
            now=timezone.now(),
        )
        return Response(SecondOpinionSpecialistCaseSerializer(declined, context={"request": request}).data)


class SpecialistOpinionAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionDraftInputSerializer,
        responses={200: SecondOpinionSpecialistCaseSerializer, **ERRORS},
        description="Save the opinion's draft (sections may be empty; one answer per question, in order).",
    )
    def put(self, request: Request, case_id: int) -> Response:
        case = specialist_case_get(user=request.user, case_id=case_id)
        body = SecondOpinionDraftInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        opinion_save_draft(
            case=case,
            actor=request.user,
            case_summary=data["case_summary"],
            diagnosis_review=data["diagnosis_review"],
            answers=data["answers"],
            options=data["options"],
            recommendation=data["recommendation"],
            in_person_advised=data["in_person_advised"],
            now=timezone.now(),
        )
        return _case_out(request, case)


class SpecialistOpinionSignAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={200: SecondOpinionSpecialistCaseSerializer, **ERRORS},
        description=(
            "Sign the saved opinion: every part filled and every question answered (else 400 opinion_incomplete "
            "naming them); the PDF goes to the patient's documents and the request is delivered. Twice: 409."
        ),
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = specialist_case_get(user=request.user, case_id=case_id)
        opinion = opinion_sign(case=case, actor=request.user, now=timezone.now())
        return _case_out(request, opinion.case)


class SecondOpinionVerifyAPI(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=TAGS,
        auth=[],
        responses={200: SecondOpinionVerifySerializer, 404: ApiErrorSerializer},
        description="Public: who signed the opinion with this code, and on which day; 404 for an unknown code.",
    )
    def get(self, request: Request, code: str) -> Response:
        opinion = opinion_by_code(code=code)
        if opinion is None:
            raise NotFound(_("Unknown code: we know no second opinion with this code."), code="unknown_code")
        provider = opinion.specialist.provider
        return Response(
            SecondOpinionVerifySerializer(
                {
                    "genuine": True,
                    "specialist_name": provider.name,
                    "register": provider.get_register_display(),
                    "registration_number": provider.registration_number,
                    "signed_on": opinion_signed_on(opinion),
                }
            ).data
        )


urlpatterns: list[URLPattern] = [
    path("specialist/profile/", SpecialistProfileAPI.as_view(), name="api_secondopinion_specialist_profile"),
    path("specialist/cases/", SpecialistCasesAPI.as_view(), name="api_secondopinion_specialist_cases"),
    path("specialist/cases/<int:case_id>/", SpecialistCaseAPI.as_view(), name="api_secondopinion_specialist_case"),
    path(
        "specialist/cases/<int:case_id>/accept/",
        SpecialistCaseAcceptAPI.as_view(),
        name="api_secondopinion_specialist_case_accept",
    ),
    path(
        "specialist/cases/<int:case_id>/decline/",
        SpecialistCaseDeclineAPI.as_view(),
        name="api_secondopinion_specialist_case_decline",
    ),
    path(
        "specialist/cases/<int:case_id>/opinion/",
        SpecialistOpinionAPI.as_view(),
        name="api_secondopinion_specialist_opinion",
    ),
    path(
        "specialist/cases/<int:case_id>/opinion/sign/",
        SpecialistOpinionSignAPI.as_view(),
        name="api_secondopinion_specialist_opinion_sign",
    ),
    path("verify/<str:code>/", SecondOpinionVerifyAPI.as_view(), name="api_secondopinion_verify"),
]
