"""Reviews API (/api/v1/reviews/…), in the OpenAPI schema.

- patients: their reviews (GET), a review of a completed booking (POST, `Idempotency-Key`), their
  interpreter's or driver's review (`supplier-reviews/`), their answer to a provider's report;
- anyone: a provider's published reviews and rating (`providers/<id>/`);
- provider members: their providers' reviews, a public reply, a report;
- the careteam: the moderation queue, publish, reject, decide a report.

Services hold every rule (`reviews.services`). Someone else's booking, order or review is "not
found" (404); a state that does not allow it a conflict (409); stars out of 1–5 are invalid (400).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import Booking
from concierge.models import AddonOrder
from core.checks import actions_payload
from core.errors import Forbidden, NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.serializers import ApiErrorSerializer, NamedEnumField, available_actions_field, bounded_integer
from providers.models import Provider, VerificationStatus
from reviews import selectors, services
from reviews.access import is_careteam
from reviews.models import (
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    RejectionReason,
    ReportStatus,
    Review,
    ReviewReport,
    ReviewStatus,
    SupplierReview,
)

TAGS = ["Reviews"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}
REVIEW_ACTIONS = ("reply", "report", "publish", "reject")


# --- shapes ---------------------------------------------------------------------------------------------------


def _status_field() -> NamedEnumField:
    return NamedEnumField(enum_name="ReviewStatusEnum", choices=ReviewStatus.choices, read_only=True)


def _rejection_field() -> NamedEnumField:
    """The charter's rule a rejection named; "" while the review was not rejected."""
    return NamedEnumField(
        enum_name="ReviewRejectionReasonEnum", choices=[("", ""), *RejectionReason.choices], read_only=True
    )


def _stars_field(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, help_text=f"{label}: 1 to 5 stars.")


class ReviewReportSerializer(serializers.ModelSerializer[ReviewReport]):
    status = NamedEnumField(enum_name="ReviewReportStatusEnum", choices=ReportStatus.choices, read_only=True)

    class Meta:
        model = ReviewReport
        fields = ["id", "status", "reason", "reported_at", "respond_by", "response", "responded_at", "decided_at"]
        read_only_fields = fields


class PublicReviewSerializer(serializers.ModelSerializer[Review]):
    """A published review as anyone reads it: no author, no booking."""

    rating = serializers.FloatField(read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "care",
            "communication",
            "value",
            "cleanliness",
            "rating",
            "text",
            "published_at",
            "reply_text",
            "reply_at",
        ]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer[Review]):
    """A review as its author, its provider's members and the careteam read it."""

    rating = serializers.FloatField(read_only=True)
    status = _status_field()
    rejection_reason = _rejection_field()
    reports = ReviewReportSerializer(many=True, read_only=True)
    available_actions = available_actions_field(*REVIEW_ACTIONS)

    class Meta:
        model = Review
        fields = [
            "id",
            "booking",
            "provider",
            "status",
            "care",
            "communication",
            "value",
            "cleanliness",
            "rating",
            "text",
            "submitted_at",
            "moderation_due_at",
            "published_at",
            "rejection_reason",
            "rejection_note",
            "reply_text",
            "reply_at",
            "reports",
            "available_actions",
        ]
        read_only_fields = fields

    def get_available_actions(self, review: Review) -> dict[str, Any]:
        actor = self.context["request"].user
        return actions_payload(
            {
                "reply": services.review_reply_check(review=review, actor=actor),
                "report": services.review_report_check(review=review, actor=actor),
                "publish": services.review_publish_check(review=review, actor=actor),
                "reject": services.review_reject_check(review=review, actor=actor),
            }
        )


class ReviewInputSerializer(serializers.Serializer[Any]):
    booking = bounded_integer(min_value=1, help_text="Your completed booking.")
    care = _stars_field("Care")
    communication = _stars_field("Communication")
    value = _stars_field("Value for money")
    cleanliness = _stars_field("Cleanliness")
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="20 to 5,000 characters.")


class SupplierReviewSerializer(serializers.ModelSerializer[SupplierReview]):
    rating = serializers.FloatField(read_only=True)
    status = _status_field()
    rejection_reason = _rejection_field()

    class Meta:
        model = SupplierReview
        fields = [
            "id",
            "order",
            "supplier",
            "status",
            "service",
            "communication",
            "punctuality",
            "rating",
            "text",
            "submitted_at",
            "moderation_due_at",
            "published_at",
            "rejection_reason",
            "rejection_note",
        ]
        read_only_fields = fields


class SupplierReviewInputSerializer(serializers.Serializer[Any]):
    order = bounded_integer(min_value=1, help_text="Your fulfilled add-on order with an interpreter or driver.")
    service = _stars_field("Service")
    communication = _stars_field("Communication")
    punctuality = _stars_field("Punctuality")
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="20 to 5,000 characters.")


class ReplyInputSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH)


class ReportInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=NOTE_MAX_LENGTH, help_text="The charter's rule the review breaks.")


class RespondInputSerializer(serializers.Serializer[Any]):
    response = serializers.CharField(max_length=NOTE_MAX_LENGTH)


class RejectInputSerializer(serializers.Serializer[Any]):
    reason = NamedEnumField(enum_name="RejectionReasonEnum", choices=RejectionReason.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class DecideInputSerializer(serializers.Serializer[Any]):
    decision = NamedEnumField(enum_name="ReviewDecisionEnum", choices=[("keep", "keep"), ("remove", "remove")])
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True, default="")


class DimensionSerializer(serializers.Serializer[Any]):
    dimension = serializers.CharField()
    average = serializers.DecimalField(max_digits=2, decimal_places=1)


class ProviderReviewsSerializer(serializers.Serializer[Any]):
    provider = serializers.IntegerField()
    average = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    count = serializers.IntegerField()
    dimensions = DimensionSerializer(many=True)
    reviews = PublicReviewSerializer(many=True)


class ModerationSerializer(serializers.Serializer[Any]):
    reviews = ReviewSerializer(many=True)
    supplier_reviews = SupplierReviewSerializer(many=True)
    reports = ReviewReportSerializer(many=True)


# --- helpers ----------------------------------------------------------------------------------------------------


def _review(request: Request, review_id: int) -> Review:
    return selectors.review_for(user=request.user, review_id=review_id)


def _detail(request: Request, review: Review, *, status_code: int = status.HTTP_200_OK) -> Response:
    fresh = Review.objects.prefetch_related("reports").get(pk=review.pk)
    return Response(ReviewSerializer(fresh, context={"request": request}).data, status=status_code)


def _report(request: Request, report_id: int) -> ReviewReport:
    report = ReviewReport.objects.select_related("review").filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("No review you may see has this id."))
    _review(request, report.review_id)
    return report


def _careteam(request: Request) -> None:
    if not is_careteam(request.user):
        raise Forbidden(_("Only the careteam moderates reviews."))


# --- views --------------------------------------------------------------------------------------------------------


@non_atomic
class ReviewsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ReviewSerializer(many=True)})
    def get(self, request):
        """My reviews of providers, newest first."""
        reviews = selectors.reviews_by_author(user=request.user)[:200]
        return Response(ReviewSerializer(reviews, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request=ReviewInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: ReviewSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Review the provider of my completed booking (once, within 90 days of its completion): it
        is published once the careteam checked it against the charter."""
        body = ReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        booking = Booking.objects.filter(pk=data["booking"]).first()
        if booking is None:
            raise NotFound(_("You have no booking with this id."))
        review = services.review_submit(
            booking=booking,
            actor=request.user,
            stars={name: data[name] for name in ("care", "communication", "value", "cleanliness")},
            text=data["text"],
            now=timezone.now(),
        )
        return _detail(request, review, status_code=status.HTTP_201_CREATED)


class ReviewAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ReviewSerializer, 404: ApiErrorSerializer})
    def get(self, request, review_id: int):
        """A review, for its author, its provider's members or the careteam, with what the caller may do."""
        return _detail(request, _review(request, review_id))


class ReviewReplyAPI(APIView):
    @extend_schema(tags=TAGS, request=ReplyInputSerializer, responses={200: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Provider member: the provider's public reply (once per published review)."""
        review = _review(request, review_id)
        body = ReplyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_reply(review=review, actor=request.user, text=body.validated_data["text"], now=timezone.now())
        return _detail(request, review)


class ReviewReportAPI(APIView):
    @extend_schema(tags=TAGS, request=ReportInputSerializer, responses={201: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Provider member: report a published review as abusive (hidden; the author has 7 days to answer)."""
        review = _review(request, review_id)
        body = ReportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_report(
            review=review, actor=request.user, reason=body.validated_data["reason"], now=timezone.now()
        )
        return _detail(request, review, status_code=status.HTTP_201_CREATED)


class ReviewPublishAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Careteam: publish a review that keeps to the charter."""
        _careteam(request)
        review = _review(request, review_id)
        services.review_publish(review=review, actor=request.user, now=timezone.now())
        return _detail(request, review)


class ReviewRejectAPI(APIView):
    @extend_schema(tags=TAGS, request=RejectInputSerializer, responses={200: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Careteam: reject a review, naming the charter's rule it breaks (told to the author)."""
        _careteam(request)
        review = _review(request, review_id)
        body = RejectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_reject(review=review, actor=request.user, now=timezone.now(), **body.validated_data)
        return _detail(request, review)


class ReportRespondAPI(APIView):
    @extend_schema(tags=TAGS, request=RespondInputSerializer, responses={200: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, report_id: int):
        """Author: answer the provider's report of my review (within 7 days)."""
        report = _report(request, report_id)
        body = RespondInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_report_respond(
            report=report, actor=request.user, response=body.validated_data["response"], now=timezone.now()
        )
        return _detail(request, report.review)


class ReportDecideAPI(APIView):
    @extend_schema(tags=TAGS, request=DecideInputSerializer, responses={200: ReviewSerializer, **WRITE_ERRORS})
    def post(self, request, report_id: int):
        """Careteam: keep (published again) or remove a reported review, after the author's answer or 7 days."""
        _careteam(request)
        report = _report(request, report_id)
        body = DecideInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.review_report_decide(
            report=report,
            actor=request.user,
            keep=body.validated_data["decision"] == "keep",
            note=body.validated_data["note"],
            now=timezone.now(),
        )
        return _detail(request, report.review)


class ProviderReviewsAPI(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, responses={200: ProviderReviewsSerializer, 404: ApiErrorSerializer}, auth=[])
    def get(self, request, provider_id: int):
        """A verified provider's rating (published reviews only), per dimension, and its latest published reviews."""
        if not Provider.objects.filter(pk=provider_id, status=VerificationStatus.VERIFIED).exists():
            raise NotFound(_("No provider has this id."))
        section = selectors.provider_page_reviews(provider_id=provider_id)
        data = {
            "provider": provider_id,
            "average": section["rating"].average,
            "count": section["rating"].count,
            "dimensions": [{"dimension": label, "average": value} for label, value in section["dimensions"]],
            "reviews": section["latest"],
        }
        return Response(ProviderReviewsSerializer(data).data)


class MemberReviewsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ReviewSerializer(many=True), 403: ApiErrorSerializer})
    def get(self, request):
        """Provider member: the published, reported and removed reviews of my providers."""
        if not Provider.objects.filter(members__user=request.user).exists():
            raise Forbidden(_("Only a provider's members see the reviews of their provider."))
        reviews = selectors.reviews_of_members_providers(user=request.user)[:200]
        return Response(ReviewSerializer(reviews, many=True, context={"request": request}).data)


class ModerationAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: ModerationSerializer, 403: ApiErrorSerializer})
    def get(self, request):
        """Careteam: the reviews awaiting moderation (oldest due first) and the open reports."""
        _careteam(request)
        data = {
            "reviews": list(selectors.moderation_queue()[:200]),
            "supplier_reviews": list(selectors.supplier_moderation_queue()[:200]),
            "reports": list(selectors.open_reports()[:200]),
        }
        return Response(ModerationSerializer(data, context={"request": request}).data)


@non_atomic
class SupplierReviewsAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: SupplierReviewSerializer(many=True)})
    def get(self, request):
        """My reviews of interpreters and drivers."""
        return Response(
            SupplierReviewSerializer(selectors.supplier_reviews_by_author(user=request.user)[:200], many=True).data
        )

    @extend_schema(
        tags=TAGS,
        request=SupplierReviewInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: SupplierReviewSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        """Review the interpreter or driver of my fulfilled add-on order (once, within 90 days)."""
        body = SupplierReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = AddonOrder.objects.select_related("supplier").filter(pk=data["order"]).first()
        if order is None:
            raise NotFound(_("You have no order with this id."))
        review = services.supplier_review_submit(
            order=order,
            actor=request.user,
            stars={name: data[name] for name in ("service", "communication", "punctuality")},
            text=data["text"],
            now=timezone.now(),
        )
        return Response(SupplierReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class SupplierReviewPublishAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: SupplierReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Careteam: publish a supplier review that keeps to the charter."""
        _careteam(request)
        review = selectors.supplier_review_for_careteam(user=request.user, review_id=review_id)
        review = services.supplier_review_publish(review=review, actor=request.user, now=timezone.now())
        return Response(SupplierReviewSerializer(review).data)


class SupplierReviewRejectAPI(APIView):
    @extend_schema(tags=TAGS, request=RejectInputSerializer, responses={200: SupplierReviewSerializer, **WRITE_ERRORS})
    def post(self, request, review_id: int):
        """Careteam: reject a supplier review, naming the charter's rule it breaks."""
        _careteam(request)
        review = selectors.supplier_review_for_careteam(user=request.user, review_id=review_id)
        body = RejectInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.supplier_review_reject(
            review=review, actor=request.user, now=timezone.now(), **body.validated_data
        )
        return Response(SupplierReviewSerializer(review).data)


urlpatterns: list[URLPattern] = [
    path("", ReviewsAPI.as_view(), name="reviews"),
    path("<int:review_id>/", ReviewAPI.as_view(), name="review"),
    path("<int:review_id>/reply/", ReviewReplyAPI.as_view(), name="reply"),
    path("<int:review_id>/report/", ReviewReportAPI.as_view(), name="report"),
    path("<int:review_id>/publish/", ReviewPublishAPI.as_view(), name="publish"),
    path("<int:review_id>/reject/", ReviewRejectAPI.as_view(), name="reject"),
    path("reports/<int:report_id>/respond/", ReportRespondAPI.as_view(), name="report_respond"),
    path("reports/<int:report_id>/decide/", ReportDecideAPI.as_view(), name="report_decide"),
    path("providers/<int:provider_id>/", ProviderReviewsAPI.as_view(), name="provider"),
    path("provider/", MemberReviewsAPI.as_view(), name="member_reviews"),
    path("moderation/", ModerationAPI.as_view(), name="moderation"),
    path("supplier-reviews/", SupplierReviewsAPI.as_view(), name="supplier_reviews"),
    path("supplier-reviews/<int:review_id>/publish/", SupplierReviewPublishAPI.as_view(), name="supplier_publish"),
    path("supplier-reviews/<int:review_id>/reject/", SupplierReviewRejectAPI.as_view(), name="supplier_reject"),
]
