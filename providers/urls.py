from django.urls import path

from providers import views

# Included by config.urls in the "providers" namespace, with the public page (storefront.urls) after these.
app_name = "providers"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("dashboard/", views.dashboard_index, name="dashboard_index"),
    path("dashboard/<int:provider_id>/", views.dashboard, name="dashboard"),
    path("dashboard/<int:provider_id>/profile/", views.profile_edit, name="profile_edit"),
    path("dashboard/<int:provider_id>/members/add/", views.member_add, name="member_add"),
    path(
        "dashboard/<int:provider_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("dashboard/<int:provider_id>/photos/add/", views.photo_add, name="photo_add"),
    path("dashboard/<int:provider_id>/members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "dashboard/<int:provider_id>/members/<int:member_id>/languages/",
        views.member_languages,
        name="member_languages",
    ),
    path("dashboard/<int:provider_id>/locations/new/", views.location_edit, name="location_new"),
    path("dashboard/<int:provider_id>/locations/<int:location_id>/", views.location_edit, name="location_edit"),
    path(
        "dashboard/<int:provider_id>/locations/<int:location_id>/availability/",
        views.availability,
        name="availability",
    ),
    path("dashboard/<int:provider_id>/offerings/new/", views.offering_edit, name="offering_new"),
    path("dashboard/<int:provider_id>/offerings/<int:offering_id>/", views.offering_edit, name="offering_edit"),
    path("careteam/verification/", views.verification_queue, name="verification_queue"),
    path("careteam/verification/<int:provider_id>/", views.verification_review, name="verification_review"),
    # Aftercare: whether the deposit of the provider's procedures waits for the discharge pack.
    path(
        "careteam/verification/<int:provider_id>/discharge-pack/",
        views.discharge_pack_setting,
        name="discharge_pack_setting",
    ),
]
