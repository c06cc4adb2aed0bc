"""Joining as a provider and adding a photo through the API: the join page's and the dashboard's
rules, through the same services."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import UserFactory, enroll_mfa
from providers.models import ContractAcceptance, MemberRole, Provider, ProviderMember, VerificationStatus

pytestmark = pytest.mark.django_db
URL = "/api/v1/my/providers/"


def join_body(**overrides):
    body = {
        "kind": "practitioner",
        "name": "Dr Ana Ribeiro",
        "register": "national",
        "register_country": "PT",
        "registration_number": " OM-55123 ",
        "default_currency": "EUR",
        "languages": ["pt", "en"],
        "accept_contracts": True,
    }
    return {**body, **overrides}


def test_a_practitioner_joins_pending_as_its_only_administrator(api_as, anonymous):
    user = UserFactory()

    assert anonymous.post(URL, join_body(), format="json").status_code in {401, 403}
    response = api_as(user).post(URL, join_body(), format="json")

    assert response.status_code == 201
    provider = Provider.objects.get(name="Dr Ana Ribeiro")
    assert response.json()["id"] == provider.pk
    assert provider.status == VerificationStatus.PENDING
    assert provider.registration_number == "OM-55123"
    assert ProviderMember.objects.get(provider=provider).user == user
    assert ProviderMember.objects.get(provider=provider).role == MemberRole.ADMIN
    assert ContractAcceptance.objects.filter(provider=provider).count() == 2
    # a provider's member must use a second factor before reading anything (docs/decisions.md)
    assert api_as(user).get(URL).status_code == 403
    enroll_mfa(user)
    assert [row["id"] for row in api_as(user).get(URL).json()] == [provider.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"accept_contracts": False}, "accept_contracts"),
        ({"name": ""}, "name"),
        ({"register_country": "XX"}, "register_country"),
    ],
)
def test_joining_with_a_missing_or_bad_field_is_refused_naming_it_and_creates_nothing(api_as, changes, field):
    response = api_as(UserFactory()).post(URL, join_body(**changes), format="json")

    assert response.status_code == 400
    assert field in response.json()["details"]
    assert not Provider.objects.exists()


def test_a_retried_join_with_the_same_key_creates_one_provider(api_as):
    user = UserFactory()
    enroll_mfa(user)  # a member must use a second factor: without one the retry would be refused
    api = api_as(user)

    first = api.post(URL, join_body(), format="json", HTTP_IDEMPOTENCY_KEY="join-1")
    second = api.post(URL, join_body(), format="json", HTTP_IDEMPOTENCY_KEY="join-1")

    assert (first.status_code, second.status_code) == (201, 201)
    assert second["Idempotent-Replayed"] == "true"
    assert Provider.objects.count() == 1


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile("front.png", buffer.getvalue(), "image/png")


def test_a_member_adds_a_photo_stored_as_jpeg(api_as, clinic, clinic_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = api_as(clinic_member).post(
        f"{URL}{clinic.pk}/photos/", {"image": _png(), "caption": "Front desk"}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["caption"] == "Front desk"
    photo = clinic.photos.get()
    assert photo.image.name.endswith(".jpg")


def test_a_photo_that_is_not_an_image_or_for_another_provider_is_refused(
    api_as, clinic, clinic_member, rival_member, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    text = SimpleUploadedFile("notes.png", b"not an image", "image/png")

    refused = api_as(clinic_member).post(f"{URL}{clinic.pk}/photos/", {"image": text}, format="multipart")
    assert refused.status_code == 400
    assert "image" in refused.json()["details"]
    without_file = api_as(clinic_member).post(f"{URL}{clinic.pk}/photos/", {"caption": "x"}, format="json")
    assert without_file.status_code == 400
    assert "image" in without_file.json()["details"]
    stranger = api_as(rival_member).post(f"{URL}{clinic.pk}/photos/", {"image": _png()}, format="multipart")
    assert stranger.status_code == 404
    assert not clinic.photos.exists()
