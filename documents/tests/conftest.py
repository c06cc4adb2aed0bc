"""Fixtures of the document tests: storage in a temporary folder, keys, a clinic and its people."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from accounts.tests.factories import UserFactory
from documents.tests import samples
from documents.tests.helpers import upload_file
from providers.models import MemberRole
from providers.tests.factories import MemberFactory, ProviderFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored files go to a fresh folder, and documents are encrypted under a fresh key."""
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    return tmp_path


@pytest.fixture
def clinic(db):
    return ProviderFactory(name="Clinique du Lac", slug="clinique-du-lac")


@pytest.fixture
def clinic_member(clinic):
    return MemberFactory(provider=clinic, user=UserFactory(email="nurse@lac.test"), role=MemberRole.STAFF).user


@pytest.fixture
def rival(db):
    return ProviderFactory(name="Rival Hospital", slug="rival-hospital")


@pytest.fixture
def rival_member(rival):
    return MemberFactory(provider=rival, user=UserFactory(email="admin@rival.test"), role=MemberRole.ADMIN).user


@pytest.fixture
def pdf_bytes():
    return samples.pdf("Haemoglobin 13.5 g/dL")


@pytest.fixture
def document(patient, pdf_bytes):
    """Alice's blood test, a PDF, shared with nobody."""
    return upload_file(patient, pdf_bytes)
