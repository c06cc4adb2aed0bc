from django.urls import path

from accounts import views

urlpatterns = [
    path("profile/", views.profile_view, name="accounts_profile"),
    path("terms/accept/", views.terms_accept_view, name="accounts_terms_accept"),
    path("tokens/", views.api_tokens_view, name="accounts_api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="accounts_api_token_revoke"),
    path("tokens/revoke-all/", views.api_tokens_revoke_all_view, name="accounts_api_tokens_revoke_all"),
]
