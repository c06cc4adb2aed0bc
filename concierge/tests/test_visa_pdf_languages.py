"""The visa letter's PDF in each of the site's languages: its first page in the patient's language
(an English page follows for the consulate), without a string its catalogue translates left in
English, and every letter printable (docs/decisions.md, "Languages")."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter

from concierge.models import VisaPerson
from concierge.tests.visa_support import issued_letters, price_list
from concierge.visa_pdf import visa_letter_pdf
from providers.tests.factories import LocationFactory, ProviderFactory
from tests.test_render_languages import PDF_LANGUAGES, english_left, pdf_problems, squeeze

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(stripe_emulator, patient):
    provider = ProviderFactory(name="Dr Anna Weber")
    location = LocationFactory(provider=provider, country="DE", city="Berlin", timezone="Europe/Berlin")
    price_list(city="Berlin", country="DE")
    order = issued_letters(stripe_emulator, patient, provider=provider, location=location, title="Consultation")
    return order.visa_letters.get(person=VisaPerson.PATIENT)


@pytest.mark.parametrize("language", PDF_LANGUAGES)
def test_the_visa_letter_renders_first_in_the_patients_language(letter, language):
    pdf = visa_letter_pdf(letter=letter, verify_url="https://example.test/v/", patient_language=language)
    first = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert pdf_problems(pdf, "en") == []  # the English page for the consulate prints too
    if language != "en":
        # only the first page: the English one after it is meant to be in English
        writer = PdfWriter()
        writer.add_page(PdfReader(io.BytesIO(pdf)).pages[0])
        buffer = io.BytesIO()
        writer.write(buffer)
        assert pdf_problems(buffer.getvalue(), language) == []
        if english_left(language):
            assert "Visa invitation letter" not in squeeze(first)
