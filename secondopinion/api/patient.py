"""Second-opinion API (/api/v1/second-opinions/…): the patient side.
Owns its `urlpatterns` (secondopinion/api_urls.py joins them).

A patient lists and writes their requests (a draft), sends one (its concierge order, paid through
concierge's order API: `pay/start/`, `pay/`, `pay/confirm/`), adds the documents a coordinator
asks for, chooses a specialist from the shortlist and withdraws. Someone else's request is "not
found"; a refusal is the house error body `{code, message, details}` and nothing is written
(ATOMIC_REQUESTS). The services hold every rule (`secondopinion.services.requests`).
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.checks import actions_payload
from core.money import Money
from core.serializers import (
    ApiErrorSerializer,
    MoneySerializer,
    NamedEnumField,
    available_actions_field,
    currency_field,
)
from providers.models import Specialty
from secondopinion.models import Candidate, CaseStatus, DocumentRole, OpinionCase
from secondopinion.selectors import specialist_turnaround_hours
from secondopinion.services import requests as services

TAGS = ["Second opinions: patient"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
ACTIONS = ("edit", "send", "add_documents", "documents_sent", "choose", "withdraw")


def _user(request: Request) -> User:
    return cast(User, request.user)


def _money(amount: int | None, currency: str) -> dict[str, Any] | None:
    return None if amount is None or not currency else dict(MoneySerializer(Money(amount, currency)).data)


# --- shapes ------------------------------------------------------------------------------------------


class SecondOpinionDocumentInputSerializer(serializers.Serializer[dict[str, Any]]):
    document = serializers.UUIDField(help_text="The id of one of your documents (/api/v1/documents/).")
    role = NamedEnumField(enum_name="SecondOpinionDocumentRoleEnum", choices=DocumentRole.choices)


class SecondOpinionRequestInputSerializer(serializers.Serializer[dict[str, Any]]):
    specialty = serializers.SlugField(help_text="The specialty's code (see prices/).")
    currency = currency_field()
    questions = serializers.ListField(
        child=serializers.CharField(allow_blank=True, trim_whitespace=True),
        max_length=20,
        help_text="1 to 5 questions, each at most 2000 characters.",
    )
    language = serializers.CharField(max_length=8, help_text="The opinion's language: en, fr, es, de, ar, ru, tr.")
    meeting_requested = serializers.BooleanField(required=False, default=False)
    documents = SecondOpinionDocumentInputSerializer(
        many=True, help_text="Your documents with what each is; one must be the first diagnosis."
    )
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="I agree that my file is shared with the coordinating doctor, then with the specialist I "
        "choose, and with nobody else. Required to send.",
    )


class SecondOpinionQuestionSerializer(serializers.Serializer[Any]):
    position = serializers.IntegerField()
    text = serializers.CharField()


class SecondOpinionCaseDocumentSerializer(serializers.Serializer[Any]):
    document = serializers.UUIDField(source="document_id")
    title = serializers.CharField(source="document.title")
    role = NamedEnumField(enum_name="SecondOpinionDocumentRoleEnum", choices=DocumentRole.choices)
    added_at = serializers.DateTimeField()


class SecondOpinionCandidateSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField(source="specialist.provider.name")
    register = serializers.CharField(source="specialist.provider.register")
    registration_number = serializers.CharField(source="specialist.provider.registration_number")
    languages = serializers.ListField(child=serializers.CharField(), source="specialist.languages")
    price = serializers.SerializerMethodField()
    difference = serializers.SerializerMethodField(
        help_text="Above zero: a supplement to pay when choosing; below zero: money back."
    )
    turnaround_hours = serializers.SerializerMethodField(help_text="Median hours on past opinions; null: new.")
    declined = serializers.SerializerMethodField()
    note = serializers.CharField()

    @extend_schema_field(MoneySerializer())
    def get_price(self, candidate: Candidate) -> dict[str, Any] | None:
        return _money(candidate.specialist.price_amount, candidate.specialist.currency)

    @extend_schema_field(MoneySerializer())
    def get_difference(self, candidate: Candidate) -> dict[str, Any] | None:
        case = self.context["case"]
        currency = case.order.currency if case.order is not None else case.currency
        return _money(services.price_difference(case=case, candidate=candidate), currency)

    def get_turnaround_hours(self, candidate: Candidate) -> float | None:
        return specialist_turnaround_hours(candidate.specialist)

    def get_declined(self, candidate: Candidate) -> bool:
        return candidate.declined_at is not None


class SecondOpinionCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = NamedEnumField(enum_name="SecondOpinionCaseStatusEnum", choices=CaseStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    specialty = serializers.SlugField(source="specialty.code")
    specialty_name = serializers.CharField(source="specialty.name")
    language = serializers.CharField()
    meeting_requested = serializers.BooleanField()
    currency = serializers.CharField()
    price = serializers.SerializerMethodField(help_text="What sending costs (the order's amount once sent).")
    questions = SecondOpinionQuestionSerializer(many=True, source="questions.all")
    documents = SecondOpinionCaseDocumentSerializer(many=True, source="documents.all")
    order = serializers.IntegerField(source="order_id", allow_null=True)
    supplement_order = serializers.IntegerField(source="supplement_order_id", allow_null=True)
    consent_at = serializers.DateTimeField(allow_null=True)
    clock_started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    accept_due_at = serializers.DateTimeField(allow_null=True)
    candidates = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    available_actions = available_actions_field(*ACTIONS)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price(self, case: OpinionCase) -> dict[str, Any] | None:
        price = services.case_price(case)
        return None if price is None else dict(MoneySerializer(price).data)

    @extend_schema_field(SecondOpinionCandidateSerializer(many=True))
    def get_candidates(self, case: OpinionCase) -> list[Any]:
        rows = Candidate.objects.filter(case=case).select_related("specialist__provider")
        return list(SecondOpinionCandidateSerializer(rows, many=True, context={"case": case}).data)

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_refund(self, case: OpinionCase) -> dict[str, Any] | None:
        currency = case.order.currency if case.order is not None else case.currency
        return _money(case.refund_amount, currency)

    def get_available_actions(self, case: OpinionCase) -> dict[str, Any]:
        user = self.context["request"].user
        return dict(
            actions_payload(
                {
                    "edit": services.case_edit_check(case=case, actor=user),
                    "send": services.case_send_check(case=case, actor=user),
                    "add_documents": services.case_documents_add_check(case=case, actor=user),
                    "documents_sent": services.case_documents_sent_check(case=case, actor=user),
                    "choose": services.case_choose_check(case=case, actor=user),
                    "withdraw": services.case_withdraw_check(case=case, actor=user),
                }
            )
        )


class SecondOpinionPaymentSerializer(serializers.Serializer[Any]):
    order = serializers.IntegerField(help_text="The concierge order to pay.")
    amount = MoneySerializer()
    pay_page = serializers.CharField(help_text="The card page (3-D Secure included).")
    pay_start = serializers.CharField(help_text="POST: open a payment attempt (concierge's order API).")
    pay = serializers.CharField(help_text="POST {payment_method}: pay (concierge's order API).")
    pay_confirm = serializers.CharField(help_text="POST after 3-D Secure (concierge's order API).")


class SecondOpinionDocumentsInputSerializer(serializers.Serializer[dict[str, Any]]):
    documents = SecondOpinionDocumentInputSerializer(many=True)


class SecondOpinionChooseInputSerializer(serializers.Serializer[dict[str, Any]]):
    candidate = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="A candidate's id on your case.")


class SecondOpinionPriceSerializer(serializers.Serializer[Any]):
    specialty = serializers.SlugField(source="specialty.code")
    specialty_name = serializers.CharField(source="specialty.name")
    price = serializers.SerializerMethodField()

    @extend_schema_field(MoneySerializer())
    def get_price(self, price: Any) -> dict[str, Any] | None:
        return _money(price.unit_amount, price.currency)


def _case(request: Request, case_id: int) -> OpinionCase:
    return services.case_of_patient(patient=request.user, case_id=case_id)


def _case_body(request: Request, case: OpinionCase) -> dict[str, Any]:
    fresh = services.case_of_patient(patient=request.user, case_id=case.pk)
    return dict(SecondOpinionCaseSerializer(fresh, context={"request": request}).data)


def _documents(rows: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    return [(row["document"], row["role"]) for row in rows]


def _specialty(code: str | None) -> Specialty | None:
    return Specialty.objects.filter(code=code).first() if code else None


def _payment(order: Any) -> dict[str, Any]:
    return {
        "order": order.pk,
        "amount": _money(order.amount, order.currency),
        "pay_page": reverse("concierge:order_pay", args=[order.pk]),
        "pay_start": reverse("api_concierge_order_pay_start", args=[order.pk]),
        "pay": reverse("api_concierge_order_pay", args=[order.pk]),
        "pay_confirm": reverse("api_concierge_order_pay_confirm", args=[order.pk]),
    }


def _valid(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- views ---------------------------------------------------------------------------------------------


class SecondOpinionsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionCaseSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """Your second-opinion requests, newest first."""
        cases = services.cases_of_patient(patient=request.user)
        return Response(SecondOpinionCaseSerializer(cases, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request=SecondOpinionRequestInputSerializer,
        responses={201: SecondOpinionCaseSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        """Write a request as a draft (send it with send/)."""
        data = _valid(SecondOpinionRequestInputSerializer(data=request.data))
        case = services.case_draft_save(
            patient=_user(request),
            specialty=_specialty(data["specialty"]),
            questions=data["questions"],
            language=data["language"],
            meeting_requested=data["meeting_requested"],
            documents=_documents(data["documents"]),
            consent=data["consent"],
            currency=data["currency"],
            now=timezone.now(),
        )
        return Response(_case_body(request, case), status=status.HTTP_201_CREATED)


class SecondOpinionAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SecondOpinionCaseSerializer, 404: ApiErrorSerializer})
    def get(self, request: Request, case_id: int) -> Response:
        return Response(_case_body(request, _case(request, case_id)))

    @extend_schema(
        tags=TAGS,
        request=SecondOpinionRequestInputSerializer,
        responses={200: SecondOpinionCaseSerializer, **WRITE_ERRORS},
    )
    def patch(self, request: Request, case_id: int) -> Response:
        """Change a draft: the fields sent replace the draft's; the others stay."""
        case = _case(request, case_id)
        services.case_edit_check(case=case, actor=request.user).enforce()
        data = _valid(SecondOpinionRequestInputSerializer(data=request.data, partial=True))
        saved = services.case_draft_save(
            patient=_user(request),
            specialty=_specialty(data["specialty"]) if "specialty" in data else case.specialty,
            questions=data["questions"] if "questions" in data else [q.text for q in case.questions.all()],
            language=data.get("language", case.language),
            meeting_requested=data.get("meeting_requested", case.meeting_requested),
            documents=_documents(data["documents"])
            if "documents" in data
            else [(d.document_id, d.role) for d in case.documents.all()],
            consent=data.get("consent", case.consent_at is not None),
            currency=data.get("currency", case.currency),
            now=timezone.now(),
            case=case,
        )
        return Response(_case_body(request, saved))


class SecondOpinionSendAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SecondOpinionPaymentSerializer, **WRITE_ERRORS})
    def post(self, request: Request, case_id: int) -> Response:
        """Send the draft: its order to pay through concierge's order API (sending again gives the same order)."""
        order = services.case_send(case=_case(request, case_id), actor=_user(request), now=timezone.now())
        return Response(_payment(order))


class SecondOpinionDocumentsAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionDocumentsInputSerializer,
        responses={200: SecondOpinionCaseSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Add your documents (while writing the request, or when the coordinator asks)."""
        case = _case(request, case_id)
        data = _valid(SecondOpinionDocumentsInputSerializer(data=request.data))
        services.case_documents_add(
            case=case, actor=_user(request), documents=_documents(data["documents"]), now=timezone.now()
        )
        return Response(_case_body(request, case))


class SecondOpinionDocumentsSentAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SecondOpinionCaseSerializer, **WRITE_ERRORS})
    def post(self, request: Request, case_id: int) -> Response:
        """The documents asked for are there: back to the coordinator, the clock runs again."""
        case = services.case_documents_sent(case=_case(request, case_id), actor=_user(request), now=timezone.now())
        return Response(_case_body(request, case))


class SecondOpinionChooseAPI(APIView):
    @extend_schema(
        tags=TAGS,
        request=SecondOpinionChooseInputSerializer,
        responses={200: SecondOpinionCaseSerializer, **WRITE_ERRORS},
        description="A dearer specialist: the case's `supplement_order` is to pay (concierge's order API) "
        "before they are asked; a cheaper one: the difference back to your card.",
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = _case(request, case_id)
        data = _valid(SecondOpinionChooseInputSerializer(data=request.data))
        candidate = Candidate.objects.filter(pk=data["candidate"], case=case).first()
        if candidate is None:
            raise services.not_proposed()
        case = services.case_choose(case=case, actor=_user(request), candidate=candidate, now=timezone.now())
        return Response(_case_body(request, case))


class SecondOpinionWithdrawAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SecondOpinionCaseSerializer, **WRITE_ERRORS})
    def post(self, request: Request, case_id: int) -> Response:
        """Withdraw before a specialist accepted: everything paid goes back to your card."""
        case = services.case_withdraw(case=_case(request, case_id), actor=_user(request), now=timezone.now())
        return Response(_case_body(request, case))


class SecondOpinionPricesAPI(APIView):
    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("currency", str, description="Only prices in this currency.")],
        responses={200: SecondOpinionPriceSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """The price of a second opinion per specialty (and currency)."""
        currency = (request.query_params.get("currency") or "").strip().upper() or None
        return Response(SecondOpinionPriceSerializer(services.opinion_prices(currency=currency), many=True).data)


urlpatterns: list[URLPattern] = [
    path("", SecondOpinionsAPI.as_view(), name="api_secondopinion_cases"),
    path("prices/", SecondOpinionPricesAPI.as_view(), name="api_secondopinion_prices"),
    path("<int:case_id>/", SecondOpinionAPI.as_view(), name="api_secondopinion_case"),
    path("<int:case_id>/send/", SecondOpinionSendAPI.as_view(), name="api_secondopinion_send"),
    path("<int:case_id>/documents/", SecondOpinionDocumentsAPI.as_view(), name="api_secondopinion_documents"),
    path(
        "<int:case_id>/documents-sent/",
        SecondOpinionDocumentsSentAPI.as_view(),
        name="api_secondopinion_documents_sent",
    ),
    path("<int:case_id>/choose/", SecondOpinionChooseAPI.as_view(), name="api_secondopinion_choose"),
    path("<int:case_id>/withdraw/", SecondOpinionWithdrawAPI.as_view(), name="api_secondopinion_withdraw"),
]
