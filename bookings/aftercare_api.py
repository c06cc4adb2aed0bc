"""Aftercare endpoints: a booking's discharge pack (its checklist, the provider's uploads) and the
patient's links for their home doctor (docs/decisions.md#discharge-pack).

Another person's booking is "not found". Creating a link has no `Idempotency-Key`: a replayed
answer would have to store the link's token, which is stored nowhere (as second-opinion links).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings import services
from bookings.models import Booking, DischargeItemKind, PackShareLink
from bookings.selectors import booking_of_patient, booking_visible_to
from core.checks import actions_payload
from core.errors import Forbidden
from core.serializers import ApiErrorSerializer
from providers.services.permissions import member_role

TAGS = ["Bookings"]
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


class DischargeItemSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=DischargeItemKind.choices, help_text="The checklist's item.")
    name = serializers.CharField(help_text="The item as the pages name it, in the reader's language.")
    state = serializers.ChoiceField(choices=["missing", "uploaded", "not_applicable"])
    accepts = serializers.CharField(help_text="The file types the item takes, read from the bytes.")
    document = serializers.UUIDField(allow_null=True, help_text="Download it from /api/v1/documents/<id>/download/.")
    uploaded_at = serializers.DateTimeField(allow_null=True)


class PackLinkSerializer(serializers.ModelSerializer):
    live = serializers.SerializerMethodField()

    class Meta:
        model = PackShareLink
        fields = ["id", "recipient", "email", "created_at", "expires_at", "revoked_at", "opened_count", "live"]

    def get_live(self, link: PackShareLink) -> bool:
        return link.revoked_at is None and link.expires_at > timezone.now()


class DischargePackSerializer(serializers.Serializer):
    booking = serializers.IntegerField()
    required_for_release = serializers.BooleanField()
    complete = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    items = DischargeItemSerializer(many=True)
    links = PackLinkSerializer(many=True, help_text="The patient's links (empty for anyone else).")
    available_actions = serializers.DictField()


class DischargeItemInputSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=DischargeItemKind.choices, help_text="The checklist's item.")
    file = serializers.FileField(required=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    not_applicable = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("not_applicable"):
            message = _(
                "Send the file, or set not_applicable to true for an item that may not apply (implants, translation)."
            )
            raise serializers.ValidationError({"file": [message]})
        return attrs


class PackLinkInputSerializer(serializers.Serializer):
    recipient = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)


class PackLinkCreatedSerializer(PackLinkSerializer):
    url = serializers.SerializerMethodField()

    class Meta(PackLinkSerializer.Meta):
        fields = [*PackLinkSerializer.Meta.fields, "url"]

    def get_url(self, link: PackShareLink) -> str:
        return self.context["request"].build_absolute_uri(reverse("bookings:pack_shared", args=[self.context["token"]]))


def _pack(request, booking: Booking, *, status_code: int = status.HTTP_200_OK) -> Response:
    now = timezone.now()
    lines = services.discharge_pack(booking)
    is_patient = booking.patient_id == request.user.pk
    checks = {
        "add_to_discharge_pack": services.discharge_item_upload_check(booking=booking, actor=request.user, now=now),
        "share_discharge_pack": services.pack_link_create_check(booking=booking, actor=request.user, now=now),
    }
    data = {
        "booking": booking.pk,
        "required_for_release": services.discharge_pack_required(booking),
        "complete": all(line.done for line in lines),
        "missing": [line.kind for line in lines if not line.done],
        "items": [
            {
                "item": line.kind,
                "name": line.label,
                "state": "missing"
                if line.item is None
                else ("not_applicable" if line.item.not_applicable else "uploaded"),
                "accepts": line.accepts,
                "document": line.item.document_id if line.item is not None else None,
                "uploaded_at": line.item.uploaded_at if line.item is not None else None,
            }
            for line in lines
        ],
        "links": list(services.pack_links_of(booking=booking)) if is_patient else [],
        "available_actions": actions_payload(checks),
    }
    return Response(DischargePackSerializer(data).data, status=status_code)


class DischargePackAPI(APIView):
    @extend_schema(tags=TAGS, responses={200: DischargePackSerializer, 404: ApiErrorSerializer})
    def get(self, request, booking_id: int):
        """The booking's discharge pack: each item of the checklist, what is missing, and whether the
        deposit's release waits for it (the patient and the provider's members)."""
        return _pack(request, booking_visible_to(user=request.user, booking_id=booking_id))


class DischargeItemsAPI(APIView):
    @extend_schema(
        tags=TAGS, request=DischargeItemInputSerializer, responses={201: DischargePackSerializer, **WRITE_ERRORS}
    )
    def post(self, request, booking_id: int):
        """Provider's member: upload one item (multipart `file`), replacing the current one, or state
        that it does not apply (`not_applicable`, implant details and translation only). A file of
        a type the item does not take is refused (400 `wrong_document_type`); outside the pack's
        window 409."""
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
        if member_role(user=request.user, provider=booking.provider) is None:
            raise Forbidden(_("Only the provider's members can add to the discharge pack."))
        body = DischargeItemInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("not_applicable"):
            services.discharge_item_not_applicable(
                booking=booking, actor=request.user, kind=data["item"], now=timezone.now()
            )
        else:
            services.discharge_item_upload(
                booking=booking,
                actor=request.user,
                kind=data["item"],
                upload=data["file"],
                title=data.get("title", ""),
                now=timezone.now(),
            )
        booking.refresh_from_db()
        return _pack(request, booking, status_code=status.HTTP_201_CREATED)


class PackLinksAPI(APIView):
    @extend_schema(
        tags=TAGS, request=PackLinkInputSerializer, responses={201: PackLinkCreatedSerializer, **WRITE_ERRORS}
    )
    def post(self, request, booking_id: int):
        """Patient: a 7-day link for one recipient (their doctor) to read the pack without an account;
        with an `email`, the link is e-mailed to it. The `url` is in this answer only."""
        booking = booking_of_patient(user=request.user, booking_id=booking_id)
        body = PackLinkInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        link, token = services.pack_link_create(
            booking=booking,
            actor=request.user,
            recipient=body.validated_data["recipient"],
            email=body.validated_data.get("email", ""),
            now=timezone.now(),
        )
        response = Response(
            PackLinkCreatedSerializer(link, context={"request": request, "token": token}).data,
            status=status.HTTP_201_CREATED,
        )
        response["Cache-Control"] = "no-store"
        return response


class PackLinkAPI(APIView):
    @extend_schema(tags=TAGS, responses={204: None, 404: ApiErrorSerializer})
    def delete(self, request, booking_id: int, link_id: int):
        """Patient: revoke a link now; revoking one that no longer works changes nothing."""
        booking = booking_of_patient(user=request.user, booking_id=booking_id)
        link = services.pack_link_of(booking=booking, link_id=link_id)
        services.pack_link_revoke(link=link, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)
