"""Fixtures of the document tests: storage in a temporary folder, keys, a document (the clinic, the
rival and their people are the root conftest's personas)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from documents.tests import samples
from documents.tests.helpers import upload_file


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Stored files go to a fresh folder, and documents are encrypted under a fresh key."""
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    return tmp_path


@pytest.fixture
def pdf_bytes():
    return samples.pdf("Haemoglobin 13.5 g/dL")


@pytest.fixture
def document(patient, pdf_bytes):
    """Alice's blood test, a PDF, shared with nobody."""
    return upload_file(patient, pdf_bytes)
