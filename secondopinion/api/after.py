"""Second-opinion API (/api/v1/second-opinions/…): the after side. Follow-up questions (the
patient asks, the specialist's practice answers), closing, the in-person consultation, and the
patient's share links.

Services hold every rule (`secondopinion.services.after`); these views read the body's shape and
call them. A case that is neither the caller's nor their practice's is "not found". Errors are the
DomainError body `{code, message, details}`.

Owns its `urlpatterns` (secondopinion/api_urls.py joins them).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.checks import actions_payload
from core.errors import NotFound
from core.serializers import ApiErrorSerializer, available_actions_field
from secondopinion.models import FollowUp, OpinionCase, ShareLink
from secondopinion.services import after as services

TAGS = ["Second opinions: after the opinion"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
FOLLOW_UP_ACTIONS = ("ask", "close", "consultation", "share")


# --- shapes ------------------------------------------------------------------------------------------------


class SecondOpinionFollowUpSerializer(serializers.ModelSerializer[FollowUp]):
    class Meta:
        model = FollowUp
        fields = ["id", "question", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class SecondOpinionFollowUpsSerializer(serializers.Serializer[Any]):
    """A case's follow-up questions and what the caller may do after the opinion."""

    case = serializers.IntegerField()
    status = serializers.CharField()
    follow_ups = SecondOpinionFollowUpSerializer(many=True)
    follow_ups_left = serializers.IntegerField()
    window_ends_at = serializers.DateTimeField(allow_null=True)
    available_actions = available_actions_field(*FOLLOW_UP_ACTIONS)

    def get_available_actions(self, data: dict[str, Any]) -> dict[str, Any]:
        return data["available_actions"]


class SecondOpinionFollowUpInputSerializer(serializers.Serializer[Any]):
    question = serializers.CharField(trim_whitespace=True, help_text="1 to 2,000 characters.")


class SecondOpinionFollowUpAnswerInputSerializer(serializers.Serializer[Any]):
    answer = serializers.CharField(trim_whitespace=True, help_text="1 to 10,000 characters.")


class SecondOpinionCaseClosedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)


class SecondOpinionConsultationInputSerializer(serializers.Serializer[Any]):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="To the specialist's practice; left empty, a message saying you follow up the opinion.",
    )


class SecondOpinionConsultationSerializer(serializers.Serializer[Any]):
    """The quote request sent to the specialist's practice (follow it in the quotes API)."""

    quote_request = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="The request's page.")


class SecondOpinionShareLinkSerializer(serializers.ModelSerializer[ShareLink]):
    live = serializers.SerializerMethodField()

    class Meta:
        model = ShareLink
        fields = ["id", "recipient", "created_at", "expires_at", "revoked_at", "opened_count", "live"]
        read_only_fields = fields

    def get_live(self, link: ShareLink) -> bool:
        return services.share_link_is_live(link, now=timezone.now())


class SecondOpinionShareLinkCreatedSerializer(SecondOpinionShareLinkSerializer):
    url = serializers.SerializerMethodField(help_text="The link to give: shown this once, stored nowhere.")

    class Meta(SecondOpinionShareLinkSerializer.Meta):
        fields = [*SecondOpinionShareLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields

    def get_url(self, link: ShareLink) -> str:
        request = self.context["request"]
        return str(request.build_absolute_uri(reverse("secondopinion:after_shared", args=[self.context["token"]])))


class SecondOpinionShareLinkInputSerializer(serializers.Serializer[Any]):
    recipient = serializers.CharField(help_text="Who the link is for, such as “Dr Dupont, my cardiologist”.")


# --- views --------------------------------------------------------------------------------------------------


def _case(request: Request, case_id: int) -> OpinionCase:
    return services.case_for_after(user=request.user, case_id=case_id)


def _patients_case(request: Request, case_id: int) -> OpinionCase:
    """The case for its patient only: the share links are the patient's (404 to the specialist's practice)."""
    case = _case(request, case_id)
    if case.patient_id != request.user.pk:
        raise NotFound(_("You have no second-opinion request with this id."))
    return case


def _follow_ups(request: Request, case: OpinionCase, *, status_code: int = status.HTTP_200_OK) -> Response:
    now = timezone.now()
    case.refresh_from_db()
    actor = request.user
    data = {
        "case": case.pk,
        "status": case.status,
        "follow_ups": list(case.follow_ups.all()),
        "follow_ups_left": services.follow_ups_left(case),
        "window_ends_at": services.follow_up_window_ends(case),
        "available_actions": actions_payload(
            {
                "ask": services.follow_up_ask_check(case=case, actor=actor, now=now),
                "close": services.case_close_check(case=case, actor=actor),
                "consultation": services.consultation_request_check(case=case, actor=actor),
                "share": services.share_link_create_check(case=case, actor=actor, now=now),
            }
        ),
    }
    return Response(SecondOpinionFollowUpsSerializer(data).data, status=status_code)


class FollowUpsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionFollowUpsSerializer, 404: ApiErrorSerializer})
    def get(self, request, case_id: int):
        """The case's follow-up questions with their answers, for its patient or the specialist's practice."""
        return _follow_ups(request, _case(request, case_id))

    @extend_schema(
        tags=TAGS,
        request=SecondOpinionFollowUpInputSerializer,
        responses={201: SecondOpinionFollowUpsSerializer, **WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        """Patient: ask the specialist a follow-up question (three at most, one at a time, within 30
        days of the opinion)."""
        case = _case(request, case_id)
        body = SecondOpinionFollowUpInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.follow_up_ask(
            case=case, actor=request.user, question=body.validated_data["question"], now=timezone.now()
        )
        return _follow_ups(request, case, status_code=status.HTTP_201_CREATED)


class FollowUpAnswerAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionFollowUpAnswerInputSerializer,
        responses={200: SecondOpinionFollowUpsSerializer, **WRITE_ERRORS},
    )
    def post(self, request, case_id: int, follow_up_id: int):
        """The specialist's practice answers the question waiting for it."""
        case = _case(request, case_id)
        follow_up = FollowUp.objects.filter(case=case, pk=follow_up_id).first()
        if follow_up is None:
            raise NotFound(_("This request has no such follow-up question."))
        body = SecondOpinionFollowUpAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.follow_up_answer(
            case=case, follow_up=follow_up, actor=request.user, answer=body.validated_data["answer"], now=timezone.now()
        )
        return _follow_ups(request, case)


class CaseCloseAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SecondOpinionCaseClosedSerializer, **WRITE_ERRORS})
    def post(self, request, case_id: int):
        """Patient: close the case once the opinion is delivered and no question is waiting."""
        case = services.case_close(case=_case(request, case_id), actor=request.user, now=timezone.now())
        return Response(SecondOpinionCaseClosedSerializer(case).data)


class ConsultationAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionConsultationInputSerializer,
        responses={201: SecondOpinionConsultationSerializer, **WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        """Patient: ask the specialist's practice for an in-person consultation, once. A quote request
        goes to it with the case's documents and the opinion shared; a second ask is 409
        `consultation_already_requested` with `details.quote_request` and `details.url`."""
        case = _case(request, case_id)
        body = SecondOpinionConsultationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quote_request = services.consultation_request(
            case=case, actor=request.user, message=body.validated_data["message"], now=timezone.now()
        )
        data = {
            "quote_request": quote_request.pk,
            "status": quote_request.status,
            "url": request.build_absolute_uri(reverse("quotes:request_detail", args=[quote_request.pk])),
        }
        return Response(SecondOpinionConsultationSerializer(data).data, status=status.HTTP_201_CREATED)


class ShareLinksAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionShareLinkSerializer(many=True), 404: ApiErrorSerializer})
    def get(self, request, case_id: int):
        """Patient: my links to the opinion, newest first, with their expiry and times opened."""
        case = _patients_case(request, case_id)
        return Response(SecondOpinionShareLinkSerializer(services.share_links_of(case=case), many=True).data)

    @extend_schema(
        tags=TAGS,
        request=SecondOpinionShareLinkInputSerializer,
        responses={201: SecondOpinionShareLinkCreatedSerializer, **WRITE_ERRORS},
    )
    def post(self, request, case_id: int):
        """Patient: a 7-day link for my doctor to read the opinion without an account (ten in force
        at most). The `url` is in this answer only."""
        case = _patients_case(request, case_id)  # before the body: the specialist's practice gets 404, as on GET
        body = SecondOpinionShareLinkInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link, token = services.share_link_create(
            case=case, actor=request.user, recipient=body.validated_data["recipient"], now=timezone.now()
        )
        serializer = SecondOpinionShareLinkCreatedSerializer(link, context={"request": request, "token": token})
        response = Response(serializer.data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ShareLinkAPI(APIView):
    @extend_schema(tags=TAGS, responses={204: None, 403: ApiErrorSerializer, 404: ApiErrorSerializer})
    def delete(self, request, case_id: int, link_id: int):
        """Patient: revoke a link now; revoking one that no longer works changes nothing."""
        case = _case(request, case_id)
        link = services.share_link_of(case=case, link_id=link_id)
        services.share_link_revoke(link=link, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns: list[URLPattern] = [
    path("<int:case_id>/follow-ups/", FollowUpsAPI.as_view(), name="api_secondopinion_follow_ups"),
    path(
        "<int:case_id>/follow-ups/<int:follow_up_id>/answer/",
        FollowUpAnswerAPI.as_view(),
        name="api_secondopinion_follow_up_answer",
    ),
    path("<int:case_id>/close/", CaseCloseAPI.as_view(), name="api_secondopinion_close"),
    path("<int:case_id>/consultation/", ConsultationAPI.as_view(), name="api_secondopinion_consultation"),
    path("<int:case_id>/share-links/", ShareLinksAPI.as_view(), name="api_secondopinion_share_links"),
    path("<int:case_id>/share-links/<int:link_id>/", ShareLinkAPI.as_view(), name="api_secondopinion_share_link"),
]
