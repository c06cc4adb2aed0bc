"""Provider endpoints: public reads (verified providers only) and management by a provider's members.

A member's provider is always found through `provider_for_member`, and everything under it
(locations, offerings, rules, members) is looked up filtered by that provider: another provider's
id is "not found", never "forbidden", so ids do not leak. Writes go through `providers.services`,
which check roles and rules; a DomainError becomes `{code, message, details}` in the global
exception handler, and ATOMIC_REQUESTS rolls the request back.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import NotFound
from core.idempotency import IDEMPOTENCY_PARAMETER, idempotent, non_atomic
from core.parsers import LimitedJSONParser, NulFreeFormParser, NulFreeMultiPartParser
from core.serializers import ApiErrorSerializer
from core.throttling import UserRateThrottle
from providers import services
from providers.availability import offering_free_slots
from providers.models import (
    AvailabilityException,
    Location,
    Offering,
    Procedure,
    Provider,
    ProviderInvitation,
    ProviderMember,
    Specialty,
    WeeklyRule,
)
from providers.selectors import (
    invitations_pending,
    offerings_public,
    provider_for_member,
    provider_public_get,
    providers_of_member,
    providers_public,
)
from providers.serializers import (
    DischargePackSettingSerializer,
    ExceptionSerializer,
    InvitationForInviteeSerializer,
    InvitationSerializer,
    LocationInputSerializer,
    LocationSerializer,
    MemberAddSerializer,
    MemberLanguagesSerializer,
    MemberSerializer,
    MyOfferingSerializer,
    MyProviderSerializer,
    OfferingInputSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    ProviderJoinSerializer,
    ProviderProfileSerializer,
    ProviderPublicSerializer,
    ProviderSummarySerializer,
    SlotRangeSerializer,
    SlotsSerializer,
    SpecialtyWithProceduresSerializer,
    WeeklyRuleSerializer,
)

PUBLIC = ["Providers (public)"]
MINE = ["Providers (members)"]
NOT_FOUND = {404: ApiErrorSerializer}
READ_ERRORS = {403: ApiErrorSerializer, 404: ApiErrorSerializer}
WRITE_ERRORS = {400: ApiErrorSerializer, 403: ApiErrorSerializer, 404: ApiErrorSerializer, 409: ApiErrorSerializer}


# --- public ---------------------------------------------------------------------------------------


class ProviderPagination(PageNumberPagination):
    page_size = 20


class ProviderListAPI(ListAPIView):
    """Verified providers, by name."""

    permission_classes = [AllowAny]
    serializer_class = ProviderSummarySerializer
    pagination_class = ProviderPagination
    filter_backends: list = []

    def get_queryset(self):
        return providers_public().prefetch_related("specialties").order_by("name", "pk")

    @extend_schema(tags=PUBLIC)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProviderPublicAPI(APIView):
    """A verified provider's public page: locations, offerings and prices, credentials."""

    permission_classes = [AllowAny]

    @extend_schema(tags=PUBLIC, responses={200: ProviderPublicSerializer, **NOT_FOUND})
    def get(self, request, slug: str):
        provider = provider_public_get(slug=slug)
        return Response(ProviderPublicSerializer(provider, context={"request": request}).data)


class OfferingSlotsAPI(APIView):
    """Free slots of a published offering of a verified provider, in the location's timezone."""

    permission_classes = [AllowAny]

    @extend_schema(
        tags=PUBLIC,
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, required=True, description="First day (YYYY-MM-DD)."),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                required=True,
                description=f"Last day (YYYY-MM-DD), at most {SlotRangeSerializer.MAX_DAYS} days after `from`.",
            ),
        ],
        responses={200: SlotsSerializer, 400: ApiErrorSerializer, **NOT_FOUND},
    )
    def get(self, request, offering_id: int):
        offering = offerings_public().select_related("location").filter(pk=offering_id).first()
        if offering is None:
            raise NotFound(_("No published offering has this id."))
        query = SlotRangeSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slots = offering_free_slots(
            offering=offering,
            first_day=query.validated_data["from"],
            last_day=query.validated_data["to"],
            now=timezone.now(),
        )
        body = {"offering": offering.pk, "timezone": offering.location.timezone, "slots": slots}
        return Response(SlotsSerializer(body).data)


class SpecialtyCatalogueAPI(APIView):
    """Specialties and their procedures, named in English and French."""

    permission_classes = [AllowAny]

    @extend_schema(tags=PUBLIC, responses=SpecialtyWithProceduresSerializer(many=True))
    def get(self, request):
        specialties = Specialty.objects.prefetch_related(
            Prefetch("procedures", queryset=Procedure.objects.order_by("name_en"))
        ).order_by("name_en")
        return Response(SpecialtyWithProceduresSerializer(specialties, many=True).data)


# --- members: lookups ------------------------------------------------------------------------------


def _location_of(provider: Provider, location_id: int) -> Location:
    location = Location.objects.filter(provider=provider, pk=location_id).first()
    if location is None:
        raise NotFound(_("This provider has no location with this id."))
    return location


def _offering_of(provider: Provider, offering_id: int) -> Offering:
    offering = (
        Offering.objects.filter(provider=provider, pk=offering_id)
        .select_related("location", "specialty", "procedure")
        .first()
    )
    if offering is None:
        raise NotFound(_("This provider has no offering with this id."))
    return offering


def _my_provider_body(request, provider: Provider) -> dict:
    roles = dict(ProviderMember.objects.filter(user=request.user).values_list("provider_id", "role"))
    return MyProviderSerializer(provider, context={"request": request, "roles": roles}).data


# --- members: profile and members ------------------------------------------------------------------


@non_atomic
class MyProviderListAPI(APIView):
    """The providers I work for, with my role and their verification status; POST: join as a new
    provider (the join page's form), its first administrator."""

    @extend_schema(tags=MINE, responses=MyProviderSerializer(many=True))
    def get(self, request):
        providers = providers_of_member(user=request.user).prefetch_related("specialties", "procedures")
        roles = dict(ProviderMember.objects.filter(user=request.user).values_list("provider_id", "role"))
        context = {"request": request, "roles": roles}
        return Response(MyProviderSerializer(providers.order_by("name", "pk"), many=True, context=context).data)

    @extend_schema(
        tags=MINE,
        request=ProviderJoinSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: MyProviderSerializer, **WRITE_ERRORS},
    )
    @idempotent
    def post(self, request):
        body = ProviderJoinSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        provider = services.provider_join(
            user=request.user,
            details=body.details(),
            registration=body.registration(),
            accepted_contracts=body.validated_data["accept_contracts"],
            now=timezone.now(),
        )
        return Response(_my_provider_body(request, provider), status=status.HTTP_201_CREATED)


class MyProviderAPI(APIView):
    """One of my providers' profile; administrators may change it."""

    @extend_schema(tags=MINE, responses={200: MyProviderSerializer, **READ_ERRORS})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        return Response(_my_provider_body(request, provider))

    @extend_schema(tags=MINE, request=ProviderProfileSerializer, responses={200: MyProviderSerializer, **WRITE_ERRORS})
    def patch(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        body = ProviderProfileSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        provider = services.provider_update(
            provider=provider,
            actor=request.user,
            details=body.details(provider),
            specialties=body.validated_data.get("specialties"),
            procedures=body.validated_data.get("procedures"),
            registration=body.registration(provider),
            now=timezone.now(),
        )
        return Response(_my_provider_body(request, provider))


class MyPhotoListAPI(APIView):
    """Add a photo to one of my providers' public page (its administrators, as the dashboard)."""

    # JSON too, so that a body without a file is refused as such (400) rather than as a media type
    parser_classes = [NulFreeMultiPartParser, NulFreeFormParser, LimitedJSONParser]

    @extend_schema(
        tags=MINE,
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer, **WRITE_ERRORS},
    )
    def post(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        body = PhotoUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        photo = services.photo_add(
            provider=provider,
            actor=request.user,
            upload=body.validated_data["image"],
            caption=body.validated_data["caption"],
            now=timezone.now(),
        )
        return Response(PhotoSerializer(photo, context={"request": request}).data, status=status.HTTP_201_CREATED)


class MyMemberListAPI(APIView):
    """The people who work for one of my providers; administrators invite colleagues by e-mail
    (POST: the same as POSTing to `invitations/` — nobody becomes a member without accepting)."""

    throttle_classes = [UserRateThrottle]
    throttle_scope = "invitations"

    @extend_schema(tags=MINE, responses={200: MemberSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        members = provider.members.select_related("user", "provider").order_by("added_at", "pk")
        return Response(MemberSerializer(members, many=True, context={"request": request}).data)

    @extend_schema(tags=MINE, request=MemberAddSerializer, responses={201: InvitationSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int):
        return _invite(request, provider_id)


def _invite(request, provider_id: int) -> Response:
    provider = provider_for_member(user=request.user, provider_id=provider_id)
    body = MemberAddSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    now = timezone.now()
    invitation, _token = services.invitation_create(
        provider=provider, actor=request.user, now=now, **body.validated_data
    )
    context = {"request": request, "now": now}
    return Response(InvitationSerializer(invitation, context=context).data, status=status.HTTP_201_CREATED)


class MyInvitationListAPI(APIView):
    """One of my providers' invitations awaiting an answer; administrators send them (docs/decisions.md#invitations)."""

    throttle_classes = [UserRateThrottle]
    throttle_scope = "invitations"

    @extend_schema(tags=MINE, responses={200: InvitationSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        now = timezone.now()
        invitations = invitations_pending(provider=provider, now=now)
        return Response(InvitationSerializer(invitations, many=True, context={"request": request, "now": now}).data)

    @extend_schema(tags=MINE, request=MemberAddSerializer, responses={201: InvitationSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int):
        return _invite(request, provider_id)


class MyInvitationAPI(APIView):
    @extend_schema(tags=MINE, responses={204: None, **WRITE_ERRORS})
    def delete(self, request, provider_id: int, invitation_id: int):
        """Withdraw an invitation: its link stops working."""
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        invitation = (
            ProviderInvitation.objects.filter(provider=provider, pk=invitation_id).select_related("provider").first()
        )
        if invitation is None:
            raise NotFound(_("This provider has no invitation with this id."))
        services.invitation_revoke(invitation=invitation, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the person invited ------------------------------------------------------------------------------


class InvitationAPI(APIView):
    """The invitation a link's token opens (anyone holding the link may read it; only the invited
    address's account may answer)."""

    permission_classes = [AllowAny]

    @extend_schema(tags=MINE, responses={200: InvitationForInviteeSerializer, **NOT_FOUND})
    def get(self, request, token: str):
        invitation = services.invitation_by_token(token=token)
        context = {"request": request, "now": timezone.now()}
        return Response(InvitationForInviteeSerializer(invitation, context=context).data)


class InvitationAcceptAPI(APIView):
    @extend_schema(tags=MINE, request=None, responses={201: MemberSerializer, **WRITE_ERRORS})
    def post(self, request, token: str):
        """Accept, signed in with the invited address: you become a member with the invitation's role."""
        invitation = services.invitation_by_token(token=token)
        member = services.invitation_accept(invitation=invitation, user=request.user, now=timezone.now())
        return Response(MemberSerializer(member, context={"request": request}).data, status=status.HTTP_201_CREATED)


class InvitationDeclineAPI(APIView):
    @extend_schema(tags=MINE, request=None, responses={204: None, **WRITE_ERRORS})
    def post(self, request, token: str):
        """Decline, signed in with the invited address: the link stops working."""
        invitation = services.invitation_by_token(token=token)
        services.invitation_decline(invitation=invitation, user=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyMemberAPI(APIView):
    @extend_schema(tags=MINE, request=MemberLanguagesSerializer, responses={200: MemberSerializer, **WRITE_ERRORS})
    def patch(self, request, provider_id: int, member_id: int):
        """Say which languages a member speaks (docs/decisions.md#matching-on-language)."""
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        member = provider.members.select_related("provider", "user").filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("This provider has no member with this id."))
        body = MemberLanguagesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.member_languages_set(
            member=member, actor=request.user, languages=body.validated_data["languages"], now=timezone.now()
        )
        return Response(MemberSerializer(member, context={"request": request}).data)

    @extend_schema(tags=MINE, responses={204: None, **WRITE_ERRORS})
    def delete(self, request, provider_id: int, member_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        member = provider.members.select_related("provider").filter(pk=member_id).first()
        if member is None:
            raise NotFound(_("This provider has no member with this id."))
        services.member_remove(member=member, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- members: locations and availability --------------------------------------------------------------


class MyLocationListAPI(APIView):
    @extend_schema(tags=MINE, responses={200: LocationSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        return Response(LocationSerializer(provider.locations.all(), many=True).data)

    @extend_schema(tags=MINE, request=LocationInputSerializer, responses={201: LocationSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        body = LocationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        location = services.location_save(
            provider=provider, actor=request.user, details=body.details(), now=timezone.now()
        )
        return Response(LocationSerializer(location).data, status=status.HTTP_201_CREATED)


class MyLocationAPI(APIView):
    @extend_schema(tags=MINE, responses={200: LocationSerializer, **READ_ERRORS})
    def get(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        return Response(LocationSerializer(_location_of(provider, location_id)).data)

    @extend_schema(tags=MINE, request=LocationInputSerializer, responses={200: LocationSerializer, **WRITE_ERRORS})
    def put(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        location = _location_of(provider, location_id)
        body = LocationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        location = services.location_save(
            provider=provider, actor=request.user, details=body.details(), location=location, now=timezone.now()
        )
        return Response(LocationSerializer(location).data)


class MyWeeklyRuleListAPI(APIView):
    """Weekly opening hours of a location, wall-clock in its timezone."""

    @extend_schema(tags=MINE, responses={200: WeeklyRuleSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        rules = _location_of(provider, location_id).weekly_rules.order_by("weekday", "start")
        return Response(WeeklyRuleSerializer(rules, many=True).data)

    @extend_schema(tags=MINE, request=WeeklyRuleSerializer, responses={201: WeeklyRuleSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        location = _location_of(provider, location_id)
        body = WeeklyRuleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rule = services.weekly_rule_add(
            location=location, actor=request.user, now=timezone.now(), **body.validated_data
        )
        return Response(WeeklyRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class MyWeeklyRuleAPI(APIView):
    @extend_schema(tags=MINE, responses={204: None, **WRITE_ERRORS})
    def delete(self, request, provider_id: int, location_id: int, rule_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        location = _location_of(provider, location_id)
        rule = WeeklyRule.objects.filter(location=location, pk=rule_id).select_related("location__provider").first()
        if rule is None:
            raise NotFound(_("This location has no weekly rule with this id."))
        services.weekly_rule_remove(rule=rule, actor=request.user, now=timezone.now())
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyExceptionListAPI(APIView):
    """Days a location is closed, or open extra hours."""

    @extend_schema(tags=MINE, responses={200: ExceptionSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        location = _location_of(provider, location_id)
        exceptions = AvailabilityException.objects.filter(location=location).order_by("date", "start")
        return Response(ExceptionSerializer(exceptions, many=True).data)

    @extend_schema(tags=MINE, request=ExceptionSerializer, responses={201: ExceptionSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int, location_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        location = _location_of(provider, location_id)
        body = ExceptionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exception = services.exception_add(
            location=location, actor=request.user, now=timezone.now(), **body.validated_data
        )
        return Response(ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)


# --- members: offerings ----------------------------------------------------------------------------------


class MyOfferingListAPI(APIView):
    """All offerings of one of my providers, published or not."""

    @extend_schema(tags=MINE, responses={200: MyOfferingSerializer(many=True), **READ_ERRORS})
    def get(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        offerings = provider.offerings.select_related("location", "specialty", "procedure").order_by("title", "pk")
        return Response(MyOfferingSerializer(offerings, many=True).data)

    @extend_schema(tags=MINE, request=OfferingInputSerializer, responses={201: MyOfferingSerializer, **WRITE_ERRORS})
    def post(self, request, provider_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        body = OfferingInputSerializer(data=request.data, context={"provider": provider})
        body.is_valid(raise_exception=True)
        offering = services.offering_save(
            provider=provider, actor=request.user, details=body.details(), now=timezone.now()
        )
        return Response(MyOfferingSerializer(offering).data, status=status.HTTP_201_CREATED)


class MyOfferingAPI(APIView):
    @extend_schema(tags=MINE, responses={200: MyOfferingSerializer, **READ_ERRORS})
    def get(self, request, provider_id: int, offering_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        return Response(MyOfferingSerializer(_offering_of(provider, offering_id)).data)

    @extend_schema(tags=MINE, request=OfferingInputSerializer, responses={200: MyOfferingSerializer, **WRITE_ERRORS})
    def put(self, request, provider_id: int, offering_id: int):
        provider = provider_for_member(user=request.user, provider_id=provider_id)
        offering = _offering_of(provider, offering_id)
        body = OfferingInputSerializer(data=request.data, context={"provider": provider})
        body.is_valid(raise_exception=True)
        offering = services.offering_save(
            provider=provider, actor=request.user, details=body.details(), offering=offering, now=timezone.now()
        )
        return Response(MyOfferingSerializer(offering).data)


# --- the careteam: a provider's aftercare setting (docs/decisions.md#discharge-pack) -----------------


class CareteamDischargePackAPI(APIView):
    def _provider(self, request, provider_id: int) -> Provider:
        services.provider_discharge_pack_set_check(provider=Provider(), actor=request.user).enforce()
        provider = Provider.objects.filter(pk=provider_id).first()
        if provider is None:
            raise NotFound(_("No provider has this id."))
        return provider

    @extend_schema(tags=["Providers"], responses={200: DischargePackSettingSerializer, 403: ApiErrorSerializer})
    def get(self, request, provider_id: int):
        """Careteam: whether the deposit of the provider's procedures waits for the discharge pack."""
        provider = self._provider(request, provider_id)
        return Response({"provider": provider.pk, "discharge_pack_required": provider.discharge_pack_required})

    @extend_schema(
        tags=["Providers"],
        request=DischargePackSettingSerializer,
        responses={200: DischargePackSettingSerializer, 400: ApiErrorSerializer, 403: ApiErrorSerializer},
    )
    def put(self, request, provider_id: int):
        """Careteam: set it (on by default; consultations never wait for the pack)."""
        provider = self._provider(request, provider_id)
        body = DischargePackSettingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        provider = services.provider_discharge_pack_set(
            provider=provider,
            actor=request.user,
            required=body.validated_data["discharge_pack_required"],
            now=timezone.now(),
        )
        return Response({"provider": provider.pk, "discharge_pack_required": provider.discharge_pack_required})
