"""The signed opinion's PDF in each of the site's languages: the case's language (the patient chose
it when asking), without a string its catalogue translates left in English, and every letter
printable (docs/decisions.md, "Languages")."""

from __future__ import annotations

import pytest

from secondopinion.opinion_pdf import render
from secondopinion.services.specialists import opinion_sign
from secondopinion.tests.test_opinion_pdf import _draft, case  # noqa: F401 -- `case` is a fixture
from tests.test_render_languages import PDF_LANGUAGES, english_left, pdf_problems, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def opinion(case, martin_user, now):  # noqa: F811 -- the imported fixture
    _draft(case, martin_user, now)
    return opinion_sign(case=case, actor=martin_user, now=now)


@pytest.mark.parametrize("language", PDF_LANGUAGES)
def test_the_opinion_renders_in_each_language(opinion, language):
    opinion.case.language = language
    pdf = render(opinion)
    assert pdf.startswith(b"%PDF")
    assert pdf_problems(pdf, language) == []
    if language != "en" and english_left(language):
        assert "Second medical opinion" not in pdf_text(pdf)
