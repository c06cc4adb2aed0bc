"""Provider API routes, included under "api/v1/" by the project's urls."""

from django.urls import path

from core.db import replica_view
from providers import api, verification_api

urlpatterns = [
    # Public reads.
    path("providers/", replica_view(api.ProviderListAPI.as_view()), name="api_providers"),
    path("providers/<slug:slug>/", replica_view(api.ProviderPublicAPI.as_view()), name="api_provider"),
    path("offerings/<int:offering_id>/slots/", replica_view(api.OfferingSlotsAPI.as_view()), name="api_offering_slots"),
    path("catalogue/specialties/", replica_view(api.SpecialtyCatalogueAPI.as_view()), name="api_catalogue_specialties"),
    # A member's own providers.
    path("my/providers/", api.MyProviderListAPI.as_view(), name="api_my_providers"),
    path("my/providers/<int:provider_id>/", api.MyProviderAPI.as_view(), name="api_my_provider"),
    path("my/providers/<int:provider_id>/photos/", api.MyPhotoListAPI.as_view(), name="api_my_photos"),
    path("my/providers/<int:provider_id>/members/", api.MyMemberListAPI.as_view(), name="api_my_members"),
    path(
        "my/providers/<int:provider_id>/members/<int:member_id>/",
        api.MyMemberAPI.as_view(),
        name="api_my_member",
    ),
    path("my/providers/<int:provider_id>/invitations/", api.MyInvitationListAPI.as_view(), name="api_my_invitations"),
    path(
        "my/providers/<int:provider_id>/invitations/<int:invitation_id>/",
        api.MyInvitationAPI.as_view(),
        name="api_my_invitation",
    ),
    # The person invited, through the link's token.
    path("invitations/<str:token>/", api.InvitationAPI.as_view(), name="api_invitation"),
    path("invitations/<str:token>/accept/", api.InvitationAcceptAPI.as_view(), name="api_invitation_accept"),
    path("invitations/<str:token>/decline/", api.InvitationDeclineAPI.as_view(), name="api_invitation_decline"),
    path("my/providers/<int:provider_id>/locations/", api.MyLocationListAPI.as_view(), name="api_my_locations"),
    path(
        "my/providers/<int:provider_id>/locations/<int:location_id>/",
        api.MyLocationAPI.as_view(),
        name="api_my_location",
    ),
    path(
        "my/providers/<int:provider_id>/locations/<int:location_id>/rules/",
        api.MyWeeklyRuleListAPI.as_view(),
        name="api_my_rules",
    ),
    path(
        "my/providers/<int:provider_id>/locations/<int:location_id>/rules/<int:rule_id>/",
        api.MyWeeklyRuleAPI.as_view(),
        name="api_my_rule",
    ),
    path(
        "my/providers/<int:provider_id>/locations/<int:location_id>/exceptions/",
        api.MyExceptionListAPI.as_view(),
        name="api_my_exceptions",
    ),
    path("my/providers/<int:provider_id>/offerings/", api.MyOfferingListAPI.as_view(), name="api_my_offerings"),
    path(
        "my/providers/<int:provider_id>/offerings/<int:offering_id>/",
        api.MyOfferingAPI.as_view(),
        name="api_my_offering",
    ),
    # The careteam: a provider's aftercare setting.
    path(
        "careteam/providers/<int:provider_id>/discharge-pack/",
        api.CareteamDischargePackAPI.as_view(),
        name="api_careteam_provider_discharge_pack",
    ),
    # The careteam: verifying providers.
    path(
        "careteam/providers/verification/",
        verification_api.VerificationQueueAPI.as_view(),
        name="api_careteam_verification_queue",
    ),
    path(
        "careteam/providers/<int:provider_id>/verification/",
        verification_api.VerificationReviewAPI.as_view(),
        name="api_careteam_provider_verification",
    ),
]
