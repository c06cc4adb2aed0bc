"""Quote endpoints: a patient's requests and quotes, and a provider's inbox.

Another person's request or quote is "not found", never "forbidden", so ids do not leak. Creating
a request and answering or accepting a quote take an `Idempotency-Key` (core.idempotency).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from concierge.selectors import careteam_package
from concierge.services.packages import is_careteam
from core.currency import patient_currency
from core.errors import Forbidden, NotFound, ValidationFailed
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.serializers import ApiErrorSerializer
from core.throttling import UserRateThrottle
from documents.selectors import documents_of_owner
from providers.models import Procedure, Provider, Specialty
from providers.selectors import provider_for_member
from quotes import selectors, services
from quotes.models import QuoteRequest
from quotes.serializers import (
    AcceptInputSerializer,
    InboxRequestSerializer,
    QuoteInputSerializer,
    QuoteRequestInputSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
    TenderInputSerializer,
    TenderSerializer,
)

TAGS = ["Quotes"]
ERRORS = {400: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer, 422: ApiErrorSerializer}


@non_atomic
class QuoteRequestListAPI(APIView):
    """My quote requests, newest first; create and send one in a single call."""

    throttle_classes = [UserRateThrottle]  # writes only, per patient
    throttle_scope = "quote_requests"

    @extend_schema(tags=TAGS, responses=QuoteRequestSerializer(many=True))
    def get(self, request):
        requests = selectors.patient_quote_requests(patient=request.user).prefetch_related(
            "documents", "quotes__lines", "quotes__slots", "quotes__provider"
        )
        return Response(QuoteRequestSerializer(requests, many=True, context={"request": request}).data)

    @extend_schema(
        tags=TAGS,
        request=QuoteRequestInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: QuoteRequestSerializer, 429: ApiErrorSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request):
        body = QuoteRequestInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        now = timezone.now()
        documents = list(documents_of_owner(user=request.user).filter(pk__in=data["documents"]))
        if len(documents) != len(set(data["documents"])):
            message = _("You have no document with one of these ids.")
            raise ValidationFailed(message, details={"documents": [message]})
        providers = list(Provider.objects.filter(slug__in=data["providers"]))
        if len(providers) != len(set(data["providers"])):
            message = _("No provider has one of these slugs.")
            raise ValidationFailed(message, details={"providers": [message]})
        submitted = services.quote_request_submit(
            patient=request.user,
            providers=providers,
            documents=documents,
            now=now,
            **{name: data[name] for name in services.REQUEST_FIELDS},
        )
        sent = selectors.patient_quote_request(patient=request.user, request_id=submitted.pk)
        return Response(QuoteRequestSerializer(sent, context={"request": request}).data, status=status.HTTP_201_CREATED)


class QuoteRequestAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: QuoteRequestSerializer, 404: ApiErrorSerializer})
    def get(self, request, request_id: int):
        quote_request = selectors.patient_quote_request(patient=request.user, request_id=request_id)
        return Response(QuoteRequestSerializer(quote_request, context={"request": request}).data)


class QuoteRequestWithdrawAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: QuoteRequestSerializer, **ERRORS})
    def post(self, request, request_id: int):
        quote_request = selectors.patient_quote_request(patient=request.user, request_id=request_id)
        services.quote_request_withdraw(request=quote_request, actor=request.user, now=timezone.now())
        quote_request = selectors.patient_quote_request(patient=request.user, request_id=request_id)
        return Response(QuoteRequestSerializer(quote_request, context={"request": request}).data)


@non_atomic
class QuoteAcceptAPI(APIView):
    """Accept a quote: the booking is created awaiting its deposit (see `booking` in the answer)."""

    @extend_schema(
        tags=TAGS,
        request=AcceptInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: QuoteSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, quote_id: int):
        body = AcceptInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        quote = selectors.patient_quote(patient=request.user, quote_id=quote_id)
        accepted = services.quote_accept(
            quote=quote,
            actor=request.user,
            patient_currency=body.validated_data.get("currency") or patient_currency(request, None, remember=False),
            now=timezone.now(),
        )
        accepted = selectors.patient_quote(patient=request.user, quote_id=accepted.pk)
        return Response(QuoteSerializer(accepted, context={"request": request}).data)


class QuoteDeclineAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: QuoteSerializer, **ERRORS})
    def post(self, request, quote_id: int):
        quote = selectors.patient_quote(patient=request.user, quote_id=quote_id)
        services.quote_decline(quote=quote, actor=request.user, now=timezone.now())
        declined = selectors.patient_quote(patient=request.user, quote_id=quote_id)
        return Response(QuoteSerializer(declined, context={"request": request}).data)


# --- a provider's inbox --------------------------------------------------------------------------


class InboxAPI(APIView):
    """The quote requests sent to one of my providers, newest first."""

    @extend_schema(tags=TAGS, responses={200: InboxRequestSerializer(many=True), 404: ApiErrorSerializer})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        requests = (
            QuoteRequest.objects.filter(recipients__provider=provider)
            .select_related("specialty", "procedure")
            .prefetch_related("documents")
            .order_by("-sent_at", "-pk")
        )
        context = {"request": request, "provider": provider}
        return Response(InboxRequestSerializer(requests, many=True, context=context).data)


@non_atomic
class InboxQuoteAPI(APIView):
    """Answer a request sent to my provider with a quote."""

    @extend_schema(
        tags=TAGS,
        request=QuoteInputSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: QuoteSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request, provider_id: int, request_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        body = QuoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        quote_request = QuoteRequest.objects.filter(pk=request_id, recipients__provider=provider).first()
        if quote_request is None:
            raise NotFound(_("No quote request with this id was sent to you."))
        quote = services.quote_submit(
            request=quote_request,
            provider=provider,
            actor=request.user,
            currency=data["currency"],
            lines=[
                services.LineInput(line["kind"], line["description"], line["quantity"], line["unit_amount"])
                for line in data["lines"]
            ],
            deposit_amount=data["deposit_amount"],
            valid_until=data["valid_until"],
            slots=[services.SlotInput(start=s["start"], end=s["end"]) for s in data["slots"]],
            payment_days=data["payment_days"],
            max_variation_bps=data["max_variation_bps"],
            cancellation_policy=data["cancellation_policy"],
            timezone=data["timezone"],
            excluded=data["excluded"],
            message=data["message"],
            now=timezone.now(),
        )
        return Response(QuoteSerializer(quote, context={"request": request}).data, status=status.HTTP_201_CREATED)


class InboxQuoteWithdrawAPI(APIView):
    @extend_schema(tags=TAGS, request=None, responses={200: QuoteSerializer, **ERRORS})
    def post(self, request, provider_id: int, quote_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        quote = provider.quotes.filter(pk=quote_id).first()
        if quote is None:
            raise NotFound(_("No quote with this id was sent by you."))
        withdrawn = services.quote_withdraw(quote=quote, actor=request.user, now=timezone.now())
        return Response(QuoteSerializer(withdrawn, context={"request": request}).data)


# --- tenders: the careteam's provider competition for a patient (careteam assistance) -------------------


def _require_careteam(request) -> None:
    if not is_careteam(request.user):
        raise Forbidden(_("Only the careteam can do this."), code="careteam_only")


def _found(model, pk: int | None, field: str):
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        message = _("There is nothing with this id.")
        raise ValidationFailed(message, details={field: [message]})
    return found


class TenderListAPI(APIView):
    """Start a tender: a quote request in the patient's name to 2–5 verified providers, with a deadline.
    Refused with 409 `mandate_not_valid` when the patient's mandate expired or was revoked."""

    @extend_schema(
        tags=TAGS, request=TenderInputSerializer, responses={201: TenderSerializer, 403: ApiErrorSerializer, **ERRORS}
    )
    def post(self, request):
        _require_careteam(request)
        body = TenderInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        order = careteam_package(order_id=data["order"])
        providers = list(Provider.objects.filter(slug__in=data["providers"]))
        if len(providers) != len(set(data["providers"])):
            message = _("No provider has one of these slugs.")
            raise ValidationFailed(message, details={"providers": [message]})
        documents = list(documents_of_owner(user=order.patient).filter(pk__in=data["documents"]))
        if len(documents) != len(set(data["documents"])):
            message = _("The patient has no document with one of these ids.")
            raise ValidationFailed(message, details={"documents": [message]})
        tender = services.tender_start(
            order=order,
            actor=request.user,
            providers=providers,
            subject=data["subject"],
            message=data["message"],
            answer_by=data["answer_by"],
            desired_from=data["desired_from"],
            desired_to=data["desired_to"],
            specialty=_found(Specialty, data["specialty"], "specialty"),
            procedure=_found(Procedure, data["procedure"], "procedure"),
            documents=documents,
            now=timezone.now(),
        )
        tender = selectors.careteam_tender(tender_id=tender.pk)
        return Response(TenderSerializer(tender, context={"request": request}).data, status=status.HTTP_201_CREATED)


class TenderAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: TenderSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer})
    def get(self, request, tender_id: int):
        _require_careteam(request)
        tender = selectors.careteam_tender(tender_id=tender_id)
        return Response(TenderSerializer(tender, context={"request": request}).data)


class TenderComparisonAPI(APIView):
    """Send the patient the side-by-side comparison of the quotes received (e-mail and page)."""

    @extend_schema(tags=TAGS, request=None, responses={200: TenderSerializer, 403: ApiErrorSerializer, **ERRORS})
    def post(self, request, tender_id: int):
        _require_careteam(request)
        tender = selectors.careteam_tender(tender_id=tender_id)
        services.tender_comparison_send(tender=tender, actor=request.user, now=timezone.now())
        tender = selectors.careteam_tender(tender_id=tender_id)
        return Response(TenderSerializer(tender, context={"request": request}).data)
