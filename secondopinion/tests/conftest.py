"""Second-opinion test fixtures: a specialty, two verified specialists who give opinions (each a
practitioner with one member, MFA enrolled), a second coordinator, the price of an opinion, and a
patient's first-diagnosis PDF. `support.py` moves a case to any step through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from documents.tests import samples
from documents.tests.helpers import upload_file
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from providers.tests.factories import MemberFactory, ProviderFactory, SpecialtyFactory
from secondopinion.models import SpecialistProfile

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored files go to a fresh folder, and documents are encrypted under a fresh key."""
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    return tmp_path


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def cardiology(db):
    return SpecialtyFactory(code="cardiology", name_en="Cardiology", name_fr="Cardiologie")


def _specialist(*, name, slug, email, specialty, timezone="Europe/Paris", country="FR", price=45_000):
    provider = ProviderFactory(name=name, slug=slug, languages=["fr", "en"])
    provider.specialties.add(specialty)
    user = MemberFactory(provider=provider, user=UserFactory(email=email)).user
    profile = SpecialistProfile.objects.create(
        provider=provider,
        languages=["fr", "en"],
        price_amount=price,
        currency="EUR",
        weekly_capacity=5,
        timezone=timezone,
        country=country,
        created_at=NOW,
        updated_at=NOW,
    )
    profile.specialties.add(specialty)
    return profile, user


@pytest.fixture
def specialist_pair(cardiology):
    """Dr Martin (Paris) and Dr Yilmaz (Istanbul), both verified cardiologists giving opinions in EUR."""
    martin = _specialist(
        name="Dr Claire Martin", slug="dr-claire-martin", email="martin@opinions.test", specialty=cardiology
    )
    yilmaz = _specialist(
        name="Dr Emre Yilmaz",
        slug="dr-emre-yilmaz",
        email="yilmaz@opinions.test",
        specialty=cardiology,
        timezone="Europe/Istanbul",
        country="TR",
        price=40_000,
    )
    return martin, yilmaz


@pytest.fixture
def martin(specialist_pair):
    """Dr Martin's profile; `martin_user` is the member who signs in for her."""
    return specialist_pair[0][0]


@pytest.fixture
def martin_user(specialist_pair):
    return specialist_pair[0][1]


@pytest.fixture
def yilmaz(specialist_pair):
    return specialist_pair[1][0]


@pytest.fixture
def yilmaz_user(specialist_pair):
    return specialist_pair[1][1]


@pytest.fixture
def other_coordinator(db):
    return UserFactory(email="dr.other@example.test", is_staff=True, groups=[StaffGroup.MEDICAL_COORDINATOR])


@pytest.fixture
def diagnosis(patient):
    """Alice's first diagnosis by her cardiologist, a PDF in her documents."""
    return upload_file(patient, samples.pdf("Echocardiogram: mitral regurgitation, grade 2"), title="Diagnosis")
