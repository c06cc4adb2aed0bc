"""Provider pages: joining, the dashboard (own provider only), bad input, careteam queue (the public page:
storefront/tests/test_provider_page.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory, enroll_mfa
from providers.models import (
    ContractAcceptance,
    Offering,
    Provider,
    ProviderMember,
    VerificationStatus,
    WeeklyRule,
)
from providers.tests.factories import LocationFactory, OfferingFactory, open_weekdays

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic_with_offering(clinic):
    """The root's Clinique du Lac, open on weekdays at one location, with one offering."""
    location = LocationFactory(provider=clinic)
    open_weekdays(location)
    OfferingFactory(provider=clinic, location=location, title="First consultation", price_min=12000)
    return clinic


@pytest.fixture
def rival_with_offering(rival):
    """The root's Rival Hospital, with a location in Lyon and an offering of its own."""
    location = LocationFactory(provider=rival, city="Lyon")
    OfferingFactory(provider=rival, location=location, title="Rival consultation")
    return rival


def join_data(**overrides):
    data = {
        "kind": "practitioner",
        "name": "Dr Ana Ribeiro",
        "register": "national",
        "register_country": "PT",
        "registration_number": "OM-55123",
        "default_currency": "EUR",
        "languages": ["pt", "en"],
        "accept_contracts": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- joining --------------------------------------------------------------------------------------


def test_a_practitioner_joins_and_lands_on_a_pending_dashboard(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("providers:join"), join_data())

    provider = Provider.objects.get(name="Dr Ana Ribeiro")
    assert response.status_code == 302
    assert response["Location"] == reverse("providers:dashboard", kwargs={"provider_id": provider.pk})
    assert provider.status == VerificationStatus.PENDING
    assert ProviderMember.objects.get(provider=provider).user == user
    assert ContractAcceptance.objects.filter(provider=provider).count() == 2
    # A provider member must use a second factor: the next page is its set-up (docs/decisions.md).
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")
    enroll_mfa(user)
    page = client.get(response["Location"]).content.decode()
    assert "Patients cannot see you or book yet" in page


def test_joining_without_accepting_the_contracts_is_explained_and_creates_nothing(client):
    client.force_login(UserFactory())

    response = client.post(reverse("providers:join"), join_data(accept_contracts=None))

    assert response.status_code == 200
    assert "Accept the membership contract and the code of ethics" in response.content.decode()
    assert not Provider.objects.exists()


# --- one's own provider only ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["dashboard", "profile_edit", "location_new", "offering_new"],
)
def test_a_member_of_another_provider_cannot_open_its_dashboard_pages(client, clinic_with_offering, rival_member, name):
    client.force_login(rival_member)

    response = client.get(reverse(f"providers:{name}", kwargs={"provider_id": clinic_with_offering.pk}))

    assert response.status_code == 404


def test_a_member_of_another_provider_cannot_change_its_offering_even_with_a_valid_form(
    client, clinic_with_offering, rival_with_offering, rival_member
):
    offering = clinic_with_offering.offerings.get()
    client.force_login(rival_member)

    # Its own provider id with the other provider's offering id, and the other way round.
    mixed = reverse(
        "providers:offering_edit", kwargs={"provider_id": rival_with_offering.pk, "offering_id": offering.pk}
    )
    foreign = reverse(
        "providers:offering_edit", kwargs={"provider_id": clinic_with_offering.pk, "offering_id": offering.pk}
    )

    assert client.post(mixed, {"title": "Hijacked"}).status_code == 404
    assert client.post(foreign, {"title": "Hijacked"}).status_code == 404
    assert Offering.objects.get(pk=offering.pk).title == "First consultation"


def test_the_dashboard_shows_only_the_members_own_providers(
    client, clinic_with_offering, rival_with_offering, clinic_admin
):
    client.force_login(clinic_admin)

    page = client.get(reverse("providers:dashboard", kwargs={"provider_id": clinic_with_offering.pk})).content.decode()

    assert "First consultation" in page
    assert "Rival consultation" not in page


def test_staff_members_cannot_edit_the_profile(client, clinic_with_offering, clinic_member):
    client.force_login(clinic_member)

    response = client.post(
        reverse("providers:profile_edit", kwargs={"provider_id": clinic_with_offering.pk}),
        {"name": "Renamed", "default_currency": "EUR"},
    )

    assert response.status_code == 403
    assert Provider.objects.get(pk=clinic_with_offering.pk).name == "Clinique du Lac"


# --- bad input on the pages ----------------------------------------------------------------------


def offering_form(clinic, **overrides):
    offering = clinic.offerings.get()
    data = {
        "title": "First consultation",
        "kind": "consultation",
        "location": offering.location_id,
        "specialty": offering.specialty_id,
        "currency": "EUR",
        "price": "120.00",
        "deposit_percent": "30",
        "duration_minutes": "30",
        "slot_minutes": "30",
        "booking_mode": "online",
        "cancellation_policy": "platform_default",
        "min_notice_hours": "48",
        "horizon_days": "90",
        "is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_price_typed_the_french_way_is_read_in_french(client, clinic_with_offering, clinic_admin):
    offering = clinic_with_offering.offerings.get()
    client.force_login(clinic_admin)
    url = reverse(
        "providers:offering_edit", kwargs={"provider_id": clinic_with_offering.pk, "offering_id": offering.pk}
    )

    response = client.post(url, offering_form(clinic_with_offering, price="1 234,50"), HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 302
    offering.refresh_from_db()
    assert offering.price_min == 123450


def test_saving_an_offering_says_so_once(client, clinic_with_offering, clinic_admin):
    offering = clinic_with_offering.offerings.get()
    client.force_login(clinic_admin)
    url = reverse(
        "providers:offering_edit", kwargs={"provider_id": clinic_with_offering.pk, "offering_id": offering.pk}
    )
    response = client.post(url, offering_form(clinic_with_offering), follow=True)
    assert response.content.decode().count("The offering is saved.") == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "-5"}, "The amount cannot be negative."),
        ({"price": "12.345"}, "EUR amounts have at most 2 decimal places."),
        ({"currency": "JPY", "price": "1500.5"}, "JPY amounts have no decimal places."),
        ({"price": "abc"}, "is not an amount"),
        ({"deposit_percent": None, "deposit_fixed": "500"}, "The deposit cannot be larger than the price."),
        ({"deposit_fixed": "10"}, "Give the deposit as a percentage or as an amount, not both."),
        ({"price_upper": "100"}, "The upper price must not be below the lower price."),
    ],
)
def test_bad_prices_are_explained_on_the_form_and_nothing_changes(
    client, clinic_with_offering, clinic_admin, overrides, message
):
    offering = clinic_with_offering.offerings.get()
    client.force_login(clinic_admin)
    url = reverse(
        "providers:offering_edit", kwargs={"provider_id": clinic_with_offering.pk, "offering_id": offering.pk}
    )

    response = client.post(url, offering_form(clinic_with_offering, **overrides))

    assert response.status_code == 200
    assert message in response.content.decode()
    offering.refresh_from_db()
    assert (offering.price_min, offering.currency, offering.deposit_fixed) == (12000, "EUR", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"weekday": "0", "start": "10:00", "end": "12:00"},
            "These hours overlap the hours already set on Monday, 09:00–17:00.",
        ),
        ({"weekday": "5", "start": "12:00", "end": "09:00"}, "The closing time must be after the opening time."),
        ({"weekday": "9", "start": "09:00", "end": "12:00"}, "Select a valid choice"),
    ],
)
def test_bad_opening_hours_are_explained_and_nothing_is_saved(
    client, clinic_with_offering, clinic_admin, data, message
):
    location = clinic_with_offering.locations.get()
    client.force_login(clinic_admin)
    url = reverse("providers:availability", kwargs={"provider_id": clinic_with_offering.pk, "location_id": location.pk})

    response = client.post(url, {"form": "rule", **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert WeeklyRule.objects.filter(location=location).count() == 5


def test_an_unknown_timezone_is_explained(client, clinic_with_offering, clinic_admin):
    client.force_login(clinic_admin)

    response = client.post(
        reverse("providers:location_new", kwargs={"provider_id": clinic_with_offering.pk}),
        {"name": "Annex", "country": "FR", "city": "Nice", "address": "1 quai", "timezone": "Europe/Atlantis"},
    )

    assert response.status_code == 200
    assert "“Europe/Atlantis” is not a timezone" in response.content.decode()
    assert clinic_with_offering.locations.count() == 1


def test_a_location_keeps_its_arrival_instructions(client, clinic_with_offering, clinic_admin):
    client.force_login(clinic_admin)
    url = reverse("providers:location_new", kwargs={"provider_id": clinic_with_offering.pk})

    form = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "name": "Annex",
            "country": "FR",
            "city": "Nice",
            "address": "1 quai",
            "timezone": "Europe/Paris",
            "arrival_instructions": "Report to the second floor; bring your scans.",
        },
    )

    assert 'name="arrival_instructions"' in form
    assert response.status_code == 302
    annex = clinic_with_offering.locations.get(name="Annex")
    assert annex.arrival_instructions == "Report to the second floor; bring your scans."


def test_the_week_preview_shows_free_slots_in_the_locations_time(client, clinic_with_offering, clinic_admin):
    location = clinic_with_offering.locations.get()
    client.force_login(clinic_admin)

    page = client.get(
        reverse("providers:availability", kwargs={"provider_id": clinic_with_offering.pk, "location_id": location.pk})
    ).content.decode()

    assert "Times are wall-clock times in Europe/Paris." in page
    assert "09:00" in page  # Paris opening time, not its UTC instant
    assert "16:30" in page
    assert "17:00</li>" not in page


# --- careteam ---------------------------------------------------------------------------------------


def test_the_careteam_sees_pending_providers_with_their_evidence_and_verifies_one(
    client, careteam, clinic_with_offering
):
    Provider.objects.filter(pk=clinic_with_offering.pk).update(status=VerificationStatus.PENDING)
    client.force_login(careteam)

    queue = client.get(reverse("providers:verification_queue")).content.decode()
    review_url = reverse("providers:verification_review", kwargs={"provider_id": clinic_with_offering.pk})
    review = client.get(review_url).content.decode()
    response = client.post(review_url, {"decision": "verify", "checked": "RPPS entry matches.", "note": ""})

    assert "Clinique du Lac" in queue
    assert clinic_with_offering.registration_number in review
    assert response.status_code == 302
    clinic_with_offering.refresh_from_db()
    assert clinic_with_offering.status == VerificationStatus.VERIFIED
    assert clinic_with_offering.verified_by == careteam


def test_a_refused_transition_is_explained_on_the_review_page(client, careteam, clinic_with_offering):
    Provider.objects.filter(pk=clinic_with_offering.pk).update(status=VerificationStatus.REJECTED)
    client.force_login(careteam)

    response = client.post(
        reverse("providers:verification_review", kwargs={"provider_id": clinic_with_offering.pk}),
        {"decision": "verify", "checked": "Checked again."},
    )

    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    assert Provider.objects.get(pk=clinic_with_offering.pk).status == VerificationStatus.REJECTED


@pytest.mark.parametrize("persona", ["patient", "finance", "coordinator"])
def test_only_the_careteam_reaches_the_verification_pages(request, client, clinic_with_offering, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("providers:verification_queue")).status_code == 403
    assert (
        client.post(
            reverse("providers:verification_review", kwargs={"provider_id": clinic_with_offering.pk}),
            {"decision": "suspend", "checked": "x"},
        ).status_code
        == 403
    )
    assert Provider.objects.get(pk=clinic_with_offering.pk).status == VerificationStatus.VERIFIED


def test_a_member_adds_a_photo_that_the_public_page_shows(
    client, clinic_with_offering, clinic_member, settings, tmp_path
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    client.force_login(clinic_member)

    response = client.post(
        reverse("providers:photo_add", kwargs={"provider_id": clinic_with_offering.pk}),
        {"image": SimpleUploadedFile("front.png", buffer.getvalue(), "image/png"), "caption": "Front desk"},
    )

    assert response.status_code == 302
    photo = clinic_with_offering.photos.get()
    assert photo.image.name.endswith(".jpg")
    assert (
        photo.image.url
        in client.get(reverse("providers:public", kwargs={"slug": clinic_with_offering.slug})).content.decode()
    )


def test_a_file_that_is_not_an_image_is_refused_with_a_message(
    client, clinic_with_offering, clinic_member, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(clinic_member)

    response = client.post(
        reverse("providers:photo_add", kwargs={"provider_id": clinic_with_offering.pk}),
        {"image": SimpleUploadedFile("front.png", b"MZ\x90\x00 not an image", "image/png")},
        follow=True,
    )

    assert "Not a JPEG, PNG or WebP image." in response.content.decode()
    assert not clinic_with_offering.photos.exists()
