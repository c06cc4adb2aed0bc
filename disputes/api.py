"""Disputes API (/api/v1/disputes/…): the same actions as the pages, through the same services.

A dispute that is not the caller's is "not found" (404); a refusal of the rules is 409 with its
code (`dispute_window_closed`, `dispute_exists`, `dispute_decided`, `deposit_in_dispute`…); bad
input 400 (`amount_above_deposit`…). Opening takes an `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from bookings.models import Booking
from concierge.models import AddonOrder
from core.checks import Check
from core.errors import Forbidden, NotFound
from core.idempotency import idempotent
from core.parsers import LimitedJSONParser, NulFreeFormParser, NulFreeMultiPartParser
from core.serializers import ApiErrorSerializer
from disputes import selectors, services
from disputes.serializers import (
    DisputeAnswerSerializer,
    DisputeDecideSerializer,
    DisputeEvidenceInputSerializer,
    DisputeEvidenceSerializer,
    DisputeOpenSerializer,
    DisputeSendBackSerializer,
    DisputeSerializer,
)

TAGS = ["Disputes"]
READ_ERRORS = {404: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


def _user(request: Request) -> User:
    return cast(User, request.user)  # IsAuthenticated ran first


def _forbidden_first(check: Check) -> None:
    """Who may never do this hears 403 before their input is read; other refusals (a deadline, a
    state) come from the service once the input is valid, so bad input is still told as 400."""
    if isinstance(check.refusal, Forbidden):
        raise check.refusal


def _out(request: Request, dispute: Any, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.dispute_for(user=_user(request), dispute_id=dispute.pk)
    return Response(DisputeSerializer(fresh, context={"request": request}).data, status=code)


class DisputeListAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: DisputeSerializer(many=True)})
    def get(self, request: Request) -> Response:
        """My disputes (a patient's, a provider's bookings'); all of them for the careteam and finance."""
        found = selectors.disputes_for(user=_user(request)).prefetch_related("evidence")
        return Response(DisputeSerializer(found, many=True, context={"request": request}).data)

    @extend_schema(tags=TAGS, request=DisputeOpenSerializer, responses={201: DisputeSerializer, **WRITE_ERRORS})
    @idempotent
    def post(self, request: Request) -> Response:
        """Open a dispute on my booking or my add-on order (within DISPUTE_WINDOW_DAYS: after, 409)."""
        body = DisputeOpenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = order = None
        if "booking" in data:
            booking = Booking.objects.select_related("provider").filter(pk=data["booking"]).first()
            if booking is None:
                raise NotFound(_("You have no booking with this id."))
        else:
            order = AddonOrder.objects.filter(pk=data["order"]).first()
            if order is None:
                raise NotFound(_("You have no order with this id."))
        dispute = services.dispute_open(
            actor=_user(request),
            booking=booking,
            order=order,
            reason=data["reason"],
            statement=data["statement"],
            now=timezone.now(),
        )
        return _out(request, dispute, status.HTTP_201_CREATED)


class DisputeDetailAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: DisputeSerializer, **READ_ERRORS})
    def get(self, request: Request, dispute_id: int) -> Response:
        """One dispute with its evidence and what I may do with it."""
        return _out(request, selectors.dispute_for(user=_user(request), dispute_id=dispute_id))


class DisputeAnswerAPI(APIView):
    @extend_schema(tags=TAGS, request=DisputeAnswerSerializer, responses={200: DisputeSerializer, **WRITE_ERRORS})
    def post(self, request: Request, dispute_id: int) -> Response:
        """The other side answers, before `answer_due_at`."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        _forbidden_first(services.dispute_answer_check(dispute=dispute, actor=_user(request), now=timezone.now()))
        body = DisputeAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute = services.dispute_answer(
            dispute=dispute, actor=_user(request), answer=body.validated_data["answer"], now=timezone.now()
        )
        return _out(request, dispute)


class DisputeEvidenceAPI(APIView):
    parser_classes = [NulFreeMultiPartParser, NulFreeFormParser, LimitedJSONParser]  # JSON: told what is missing (400)

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": DisputeEvidenceInputSerializer},
        responses={201: DisputeEvidenceSerializer, **WRITE_ERRORS},
    )
    def post(self, request: Request, dispute_id: int) -> Response:
        """A party adds a document as evidence (read by the parties, the careteam and finance)."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        _forbidden_first(services.dispute_evidence_add_check(dispute=dispute, actor=_user(request)))
        body = DisputeEvidenceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.dispute_evidence_add(
            dispute=dispute,
            actor=_user(request),
            upload=body.validated_data["file"],
            title=body.validated_data["title"],
            kind=body.validated_data["kind"],
            now=timezone.now(),
        )
        return Response(DisputeEvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED)


class DisputeWithdrawAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: DisputeSerializer, **WRITE_ERRORS})
    def post(self, request: Request, dispute_id: int) -> Response:
        """The side that opened the dispute withdraws it, before the decision."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        return _out(request, services.dispute_withdraw(dispute=dispute, actor=_user(request), now=timezone.now()))


class DisputeDecideAPI(APIView):
    @extend_schema(tags=TAGS, request=DisputeDecideSerializer, responses={200: DisputeSerializer, **WRITE_ERRORS})
    def post(self, request: Request, dispute_id: int) -> Response:
        """The careteam decides: a rejection at once; a refund or a release goes to finance."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        _forbidden_first(services.dispute_decide_check(dispute=dispute, actor=_user(request), now=timezone.now()))
        body = DisputeDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        dispute = services.dispute_decide(
            dispute=dispute,
            actor=_user(request),
            outcome=data["outcome"],
            refund_percent=data.get("refund_percent"),
            refund_amount=data.get("refund_amount"),
            note=data["note"],
            now=timezone.now(),
        )
        return _out(request, dispute)


class DisputeApproveAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: DisputeSerializer, **WRITE_ERRORS})
    def post(self, request: Request, dispute_id: int) -> Response:
        """Finance (not the proposer) approves the decision: the money moves (once: again, 409)."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        return _out(request, services.dispute_approve(dispute=dispute, actor=_user(request), now=timezone.now()))


class DisputeSendBackAPI(APIView):
    @extend_schema(tags=TAGS, request=DisputeSendBackSerializer, responses={200: DisputeSerializer, **WRITE_ERRORS})
    def post(self, request: Request, dispute_id: int) -> Response:
        """Finance sends the proposed decision back to the careteam, with its reason."""
        dispute = selectors.dispute_for(user=_user(request), dispute_id=dispute_id)
        _forbidden_first(services.dispute_send_back_check(dispute=dispute, actor=_user(request)))
        body = DisputeSendBackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute = services.dispute_send_back(
            dispute=dispute, actor=_user(request), reason=body.validated_data["reason"], now=timezone.now()
        )
        return _out(request, dispute)


urlpatterns: list[URLPattern] = [
    path("", DisputeListAPI.as_view(), name="list"),
    path("<int:dispute_id>/", DisputeDetailAPI.as_view(), name="detail"),
    path("<int:dispute_id>/answer/", DisputeAnswerAPI.as_view(), name="answer"),
    path("<int:dispute_id>/evidence/", DisputeEvidenceAPI.as_view(), name="evidence"),
    path("<int:dispute_id>/withdraw/", DisputeWithdrawAPI.as_view(), name="withdraw"),
    path("<int:dispute_id>/decide/", DisputeDecideAPI.as_view(), name="decide"),
    path("<int:dispute_id>/approve/", DisputeApproveAPI.as_view(), name="approve"),
    path("<int:dispute_id>/send-back/", DisputeSendBackAPI.as_view(), name="send_back"),
]
