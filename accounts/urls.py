from django.urls import path

from accounts import views

urlpatterns = [
    path("terms/accept/", views.terms_accept_view, name="accounts_terms_accept"),
]
