"""The case board's API, under /api/v1/concierge/board/: the open cases with the page's filters,
giving a case an owner, and adding a note. Careteam only (others 403); an unknown or closed case
is 404. Errors are the DomainError body `{code, message, details}`."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from careteam import selectors, services
from careteam.labels import QUEUE_LABELS
from core.checks import actions_payload
from core.errors import ValidationFailed
from core.serializers import ApiErrorSerializer, bounded_integer

TAGS = ["Case board"]
READ_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer}


class BoardQuerySerializer(serializers.Serializer):
    mine = serializers.BooleanField(required=False, default=False, help_text="Only the cases I own.")
    unassigned = serializers.BooleanField(required=False, default=False, help_text="Only the cases nobody owns.")
    late = serializers.BooleanField(required=False, default=False, help_text="Only the cases past their due date.")
    city = serializers.CharField(required=False, default="", allow_blank=True, max_length=120)
    queue = serializers.ChoiceField(required=False, default="", allow_blank=True, choices=list(QUEUE_LABELS))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()


class LinkSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class ActionStateSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)


class AvailableActionsSerializer(serializers.Serializer):
    assign = ActionStateSerializer()
    add_note = ActionStateSerializer()


class CaseSerializer(serializers.Serializer):
    key = serializers.CharField()
    queue = serializers.CharField()
    queue_label = serializers.CharField()
    stage = serializers.CharField()
    title = serializers.CharField()
    city = serializers.CharField(allow_blank=True)
    timezone = serializers.CharField(allow_blank=True, help_text="The place's IANA timezone; empty: unknown.")
    opened_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    days_late = serializers.IntegerField(
        allow_null=True, help_text="Whole days past due (0: less than a day); null: not late."
    )
    url = serializers.CharField(allow_blank=True, help_text="The page where the work is done; empty: the case page.")
    owner = PersonSerializer(allow_null=True)
    links = LinkSerializer(many=True)
    available_actions = AvailableActionsSerializer()


class CaseAssignInputSerializer(serializers.Serializer):
    owner = bounded_integer(min_value=1, allow_null=True, help_text="A careteam member's id; null: nobody.")


class NoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.NOTE_MAX_LENGTH)


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    author = PersonSerializer()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "email": user.email}


def _case(card: selectors.Card, actor: User) -> dict[str, Any]:
    item = card.item
    return {
        "key": item.key,
        "queue": item.queue,
        "queue_label": card.queue_name,
        "stage": item.stage,
        "title": item.title,
        "city": item.city,
        "timezone": item.timezone,
        "opened_at": item.opened_at,
        "due_at": item.due_at,
        "days_late": card.days_late,
        "url": item.url,
        "owner": _person(card.owner),
        "links": [{"title": link.label, "url": link.url} for link in item.links],
        "available_actions": actions_payload(
            {
                "assign": services.case_assign_check(actor=actor),
                "add_note": services.case_note_add_check(actor=actor),
            }
        ),
    }


class BoardAPI(APIView):
    @extend_schema(
        tags=TAGS, parameters=[BoardQuerySerializer], responses={200: CaseSerializer(many=True), **READ_ERRORS}
    )
    def get(self, request: Request) -> Response:
        """Every open case, oldest due date first, with the board page's filters."""
        query = BoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = selectors.BoardFilters(**query.validated_data)
        user = request.user
        assert isinstance(user, User)  # noqa: S101 -- IsAuthenticated ran first
        cards = selectors.board_cards(user=user, filters=filters, now=timezone.now())
        return Response(CaseSerializer([_case(card, user) for card in cards], many=True).data)


class AssignAPI(APIView):
    @extend_schema(tags=TAGS, request=CaseAssignInputSerializer, responses={200: CaseSerializer, **WRITE_ERRORS})
    def post(self, request: Request, key: str) -> Response:
        """Give the case to a careteam member, or to nobody (`owner: null`)."""
        user = request.user
        assert isinstance(user, User)  # noqa: S101 -- IsAuthenticated ran first
        selectors.require_careteam(user)
        body = CaseAssignInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        owner = None
        if body.validated_data["owner"] is not None:
            owner = User.objects.filter(pk=body.validated_data["owner"]).first()
            if owner is None:
                message = _("A case can only be given to a member of the careteam.")
                raise ValidationFailed(message, code="owner_not_careteam", details={"owner": [message]})
        now = timezone.now()
        services.case_assign(actor=user, key=key, owner=owner, now=now)
        return Response(CaseSerializer(_case(selectors.case_card(user=user, key=key, now=now), user)).data)


class NotesAPI(APIView):
    @extend_schema(tags=TAGS, request=NoteInputSerializer, responses={201: NoteSerializer, **WRITE_ERRORS})
    def post(self, request: Request, key: str) -> Response:
        """Add a note to the case."""
        user = request.user
        assert isinstance(user, User)  # noqa: S101 -- IsAuthenticated ran first
        selectors.require_careteam(user)
        body = NoteInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        note = services.case_note_add(actor=user, key=key, text=body.validated_data["text"], now=timezone.now())
        data = {
            "id": note.pk,
            "key": note.key,
            "author": _person(user),
            "text": note.text,
            "created_at": note.created_at,
        }
        return Response(NoteSerializer(data).data, status=status.HTTP_201_CREATED)
