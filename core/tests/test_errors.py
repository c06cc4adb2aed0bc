"""Every API error has the body {"code", "message", "details"} and the status its kind calls for."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from knox.auth import TokenAuthentication
from rest_framework import exceptions as drf
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed, api_exception_handler
from core.money import parse_money


class Raising(APIView):
    """Raises whatever it is given, as a service called by a view would."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    exc: Exception | None = None

    def get(self, request):
        raise self.exc

    def post(self, request):
        Group.objects.create(name="written before the error")
        raise self.exc


class Private(APIView):
    """Uses the project's default authentication and permission classes."""

    def get(self, request):
        return Response({"secret": 42})


class TokenOnly(Private):
    authentication_classes = [TokenAuthentication]


class Quote(serializers.Serializer):
    email = serializers.EmailField()
    nights = serializers.IntegerField(min_value=1)


class QuoteAPI(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        Quote(data=request.data).is_valid(raise_exception=True)
        return Response(status=204)


class AmountAPI(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def post(self, request):
        amount = parse_money(request.data.get("amount", ""), "EUR", "en")
        return Response({"amount": amount.amount})


# Only for the rollback test, which needs Django's request handling (ATOMIC_REQUESTS) around the view.
urlpatterns = [path("raising", Raising.as_view())]

factory = APIRequestFactory()


def body(response) -> dict:
    response.render()
    return json.loads(response.content)


def raised(exc: Exception):
    return Raising.as_view(exc=exc)(factory.get("/"))


# --- domain errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (DomainError("No."), 400, "invalid"),
        (ValidationFailed("Check the date."), 400, "invalid"),
        (Forbidden("Only the care team can see this."), 403, "forbidden"),
        (NotFound("This quote does not exist."), 404, "not_found"),
        (Conflict("This deposit is already paid."), 409, "conflict"),
    ],
    ids=["domain-error", "validation-failed", "forbidden", "not-found", "conflict"],
)
def test_a_domain_error_gives_its_code_message_and_status(exc, status, code):
    response = raised(exc)

    assert response.status_code == status
    assert body(response) == {"code": code, "message": exc.message, "details": {}}


def test_a_domain_error_keeps_its_own_code_and_details():
    exc = ValidationFailed(
        "Enter your date of birth.", code="patient_incomplete", details={"date_of_birth": ["Enter your date of birth."]}
    )

    response = raised(exc)

    assert response.status_code == 400
    assert body(response) == {
        "code": "patient_incomplete",
        "message": "Enter your date of birth.",
        "details": {"date_of_birth": ["Enter your date of birth."]},
    }


def test_a_forbidden_error_with_its_own_code_keeps_the_403():
    response = raised(Forbidden("Verify your e-mail address first.", code="unverified"))

    assert response.status_code == 403
    assert body(response)["code"] == "unverified"


def test_an_amount_that_cannot_be_read_is_a_400_with_the_money_code():
    response = AmountAPI.as_view()(factory.post("/", {"amount": "-5"}, format="json"))

    assert response.status_code == 400
    assert body(response) == {"code": "negative_amount", "message": "The amount cannot be negative.", "details": {}}


# --- DRF's own errors -------------------------------------------------------------------------


def test_a_serializer_error_keeps_the_field_errors_and_leads_with_the_first():
    response = QuoteAPI.as_view()(factory.post("/", {"email": "not-an-address", "nights": 0}, format="json"))

    assert response.status_code == 400
    assert body(response) == {
        "code": "invalid",
        "message": "Enter a valid email address.",
        "details": {
            "email": ["Enter a valid email address."],
            "nights": ["Ensure this value is greater than or equal to 1."],
        },
    }


def test_a_nested_validation_error_leads_with_the_first_message_found():
    exc = drf.ValidationError({"travellers": [{}, {"passport": ["This passport has expired."]}]})

    response = raised(exc)

    assert response.status_code == 400
    assert body(response) == {
        "code": "invalid",
        "message": "This passport has expired.",
        "details": {"travellers": [{}, {"passport": ["This passport has expired."]}]},
    }


def test_a_validation_error_without_fields_is_filed_under_non_field_errors():
    response = raised(drf.ValidationError("The dates overlap another booking."))

    assert response.status_code == 400
    assert body(response) == {
        "code": "invalid",
        "message": "The dates overlap another booking.",
        "details": {"non_field_errors": ["The dates overlap another booking."]},
    }


def test_a_validation_error_without_any_message_gets_a_generic_one():
    response = raised(drf.ValidationError({}))

    assert response.status_code == 400
    assert body(response) == {"code": "invalid", "message": "The request is not valid.", "details": {}}


def test_an_anonymous_request_with_session_authentication_is_a_403_not_authenticated():
    response = Private.as_view()(factory.get("/"))

    assert response.status_code == 403
    assert body(response) == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "details": {},
    }


def test_an_anonymous_request_with_token_authentication_is_a_401_that_says_how_to_authenticate():
    response = TokenOnly.as_view()(factory.get("/"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert body(response)["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_bad_token_is_a_401_authentication_failed():
    response = TokenOnly.as_view()(factory.get("/", HTTP_AUTHORIZATION="Token nope"))

    assert response.status_code == 401
    assert body(response) == {"code": "authentication_failed", "message": "Invalid token.", "details": {}}


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (drf.PermissionDenied(), 403, "permission_denied", "You do not have permission to perform this action."),
        (drf.NotFound(), 404, "not_found", "Not found."),
        (drf.NotFound("No such provider."), 404, "not_found", "No such provider."),
        (drf.MethodNotAllowed("DELETE"), 405, "method_not_allowed", 'Method "DELETE" not allowed.'),
    ],
    ids=["permission-denied", "not-found", "not-found-with-message", "method-not-allowed"],
)
def test_drf_errors_get_the_same_three_keys(exc, status, code, message):
    response = raised(exc)

    assert response.status_code == status
    assert body(response) == {"code": code, "message": message, "details": {}}


def test_a_throttled_request_keeps_its_retry_after_header():
    response = raised(drf.Throttled(wait=30))

    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert body(response)["code"] == "throttled"


# --- Django's errors --------------------------------------------------------------------------


def test_a_django_validation_error_on_fields_keeps_the_field_errors():
    exc = DjangoValidationError({"travel_date": ["Pick a date after today."], "nights": ["Too many nights."]})

    response = raised(exc)

    assert response.status_code == 400
    assert body(response) == {
        "code": "invalid",
        "message": "Pick a date after today.",
        "details": {"travel_date": ["Pick a date after today."], "nights": ["Too many nights."]},
    }


def test_a_django_validation_error_without_fields_is_filed_under_non_field_errors():
    exc = DjangoValidationError("%(name)s is closed on Sundays.", code="closed", params={"name": "Clinique Lumière"})

    response = raised(exc)

    assert response.status_code == 400
    assert body(response) == {
        "code": "invalid",
        "message": "Clinique Lumière is closed on Sundays.",
        "details": {"non_field_errors": ["Clinique Lumière is closed on Sundays."]},
    }


def test_a_django_404_is_a_not_found_that_does_not_repeat_the_internal_message():
    response = raised(Http404("No Booking matches the given query."))

    assert response.status_code == 404
    assert body(response) == {"code": "not_found", "message": "Not found.", "details": {}}


def test_a_django_permission_denied_is_a_403():
    response = raised(DjangoPermissionDenied("internal reason"))

    assert response.status_code == 403
    assert body(response) == {
        "code": "permission_denied",
        "message": "You do not have permission to perform this action.",
        "details": {},
    }


# --- what the handler leaves alone -------------------------------------------------------------


def test_an_unexpected_exception_is_left_to_djangos_500_handling():
    assert api_exception_handler(RuntimeError("boom"), {}) is None
    with pytest.raises(RuntimeError, match="boom"):
        raised(RuntimeError("boom"))


@pytest.mark.django_db
@pytest.mark.urls("core.tests.test_errors")
@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (Conflict("This slot was just taken."), 409),
        (ValidationFailed("This slot was just taken."), 400),
        (drf.ValidationError("This slot was just taken."), 400),
        (DjangoValidationError("This slot was just taken."), 400),
    ],
    ids=["conflict", "validation-failed", "drf-validation-error", "django-validation-error"],
)
def test_writes_made_before_an_error_response_are_rolled_back(exc, status, client, monkeypatch):
    # ATOMIC_REQUESTS wraps the view in a transaction that only rolls back if the handler says so.
    monkeypatch.setattr(Raising, "exc", exc)

    response = client.post("/raising")

    assert response.status_code == status
    assert response.json()["message"] == "This slot was just taken."
    assert not Group.objects.filter(name="written before the error").exists()
