"""Every page and every e-mail template renders in each of the site's six languages without a
server error and without a string of the catalogue left in English (docs/decisions.md, "Languages").

Pages: every route, with the ids of one world (tests/test_no_server_errors.py's scene), opened by
GET as the patient, the provider's member and the careteam, once per language. A page "left in
English" shows, verbatim, an English msgid of four words or more that the language's catalogue
translates otherwise (short words such as "Save" are also correct in other languages' pages:
brand names, codes).

E-mails: each message's parts (subject, text, HTML, SMS) rendered in each language must differ
from the English rendering: one that does not is English text sent to a reader of another language.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.services import user_language_set
from accounts.tests.factories import sign_in
from notifications.rendering import render_part
from tests.test_no_server_errors import OUTSIDE_SERVICE_DOWN, SKIP, _real_path, _routes, build_scene
from tests.test_translations import catalogue, po_path

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
MIN_WORDS = 4
TAGS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def squeeze(text: str) -> str:
    return " ".join(text.split())


def english_left(language: str) -> list[str]:
    """The msgids that `language` translates to something else, without placeholders, long enough
    not to be the same word in both languages by chance."""
    if language == "en" or not po_path(language).is_file():
        return []
    found = []
    for message in catalogue(language):
        if not message.id or isinstance(message.id, tuple) or not message.string:
            continue
        text = squeeze(message.id)
        if "%" in text or "{" in text or "<" in text or len(text.split()) < MIN_WORDS:
            continue
        if squeeze(message.string) != text:
            found.append(text)
    return found


def visible(content: bytes) -> str:
    return squeeze(html.unescape(TAGS.sub(" ", content.decode("utf-8", "replace"))))


@pytest.fixture
def scene(patient, careteam, settings, tmp_path):
    return build_scene(patient, settings, tmp_path)


def page_paths(scene) -> list[str]:
    return sorted(
        {p for p in (_real_path(r, scene) for r in _routes()) if p is not None and not p.lstrip("/").startswith(SKIP)}
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_renders_in_each_language_without_a_server_error_or_english_left(scene, patient, careteam, language):
    errors: list[str] = []
    english: dict[str, list[str]] = {}
    wanted = english_left(language)
    paths = page_paths(scene)
    checked = set()
    for who, user in [("anonymous", None), ("patient", patient), ("member", scene["member"]), ("careteam", careteam)]:
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        if user is not None:
            user_language_set(user=user, language=language, now=timezone.now())  # theirs wins on pages
            sign_in(client, user)
        for path in paths:
            if path.startswith("/api/") and who != "patient":
                continue  # JSON: once is enough to see a 5xx; its words are the API tests'
            response = client.get(path)
            if response.status_code >= 500 and response.status_code not in OUTSIDE_SERVICE_DOWN:
                errors.append(f"{who} GET {path} → {response.status_code}")
                continue
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            assert response["Content-Language"] == language, path
            checked.add(path)
            text = visible(response.content)
            for msgid in wanted:
                if msgid in text:
                    english.setdefault(msgid, []).append(f"{who} {path}")
    assert errors == []
    assert len(checked) > 50, f"only {len(checked)} pages answered 200: the world lacks objects"
    left = [f"{msgid!r} on {', '.join(sorted(set(where))[:3])}" for msgid, where in sorted(english.items())]
    assert left == [], f"{len(left)} strings left in English in {language}:\n  " + "\n  ".join(left[:40])


def test_the_sweep_sees_a_string_left_in_english():
    wanted = english_left("fr")
    assert wanted, "the French catalogue translates long strings"
    page = f"<main><p>{html.escape(wanted[0])}</p></main>".encode()
    assert wanted[0] in visible(page)


# --- e-mails ---------------------------------------------------------------------------------------

PARTS = ("subject.txt", "body.txt", "body.html", "sms.txt")


def notification_templates() -> list[tuple[str, str]]:
    """(message, part) for each part of each message an app sends, found in its English folder."""
    found = set()
    for directory in engines["django"].template_dirs:
        root = Path(directory) / "notifications"
        for path in root.glob("*/en/*") if root.is_dir() else ():
            if path.name in PARTS:
                found.add((path.parent.parent.name, path.name))
    return sorted(found)


def sample_context() -> dict:
    """The instants the templates format ({% when %}, {% appointment %}, {% day %}); any other
    name renders empty, which is enough to tell one language's words from another's."""
    now = timezone.now()
    return dict.fromkeys(
        ("pickup_at", "start", "when", "evidence_due_at", "due_at", "expires_at", "respond_by", "answer_due_at"), now
    )


def render(template: str, part: str, language: str) -> str:
    return squeeze(render_part(template=template, language=language, part=part, context=sample_context()))


TEMPLATES = notification_templates()


def test_the_e_mail_templates_are_found():
    assert len(TEMPLATES) > 100
    assert ("quote_accepted", "subject.txt") in TEMPLATES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_e_mail_renders_in_each_language_and_not_in_english(language):
    errors, english = [], []
    for template, part in TEMPLATES:
        try:
            text = render(template, part, language)
        except Exception as exc:
            errors.append(f"{template}/{language}/{part}: {exc!r}")
            continue
        if language != "en" and text and text == render(template, part, "en"):
            english.append(f"{template}/{part}")
    assert errors == []
    assert english == [], f"{len(english)} e-mail parts left in English in {language}:\n  " + "\n  ".join(english)


# --- documents -------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    return squeeze(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def pdf_problems(pdf: bytes, language: str) -> list[str]:
    """What is wrong with a PDF meant to be in `language`: English its catalogue translates, or
    letters the PDF's font could not print (folded to "?")."""
    text = pdf_text(pdf)
    problems = [f"left in English: {msgid!r}" for msgid in english_left(language) if msgid in text]
    if "???" in text:
        problems.append(f"letters the font cannot print: …{text[max(text.index('???') - 40, 0) :][:100]}…")
    return problems


# Each PDF in each language: core/pdf.py embeds fonts with Arabic and Cyrillic letters (a "?" would
# be a letter its font cannot print).
PDF_LANGUAGES = LANGUAGES


@pytest.mark.parametrize("language", PDF_LANGUAGES)
def test_the_payment_confirmation_renders_in_each_language(scene, patient, language):
    from bookings.models import Booking
    from bookings.services import booking_confirm_deposit
    from payments.models import Deposit, DepositStatus
    from payments.pdf import deposit_confirmation_pdf

    now = timezone.now()
    booking = Booking.objects.get(pk=scene["booking_id"])
    booking_confirm_deposit(booking=booking, payment_reference=f"pi_{booking.pk}", paid_at=now, now=now)
    deposit = Deposit.objects.create(
        booking=booking,
        amount=50_000,
        currency="EUR",
        status=DepositStatus.HELD,
        payment_intent_id=f"pi_{booking.pk}",
        charge_id=f"ch_{booking.pk}",
        paid_at=now,
        verification_code="LANG-0000-0001",
        created_at=now,
        updated_at=now,
    )
    user_language_set(user=patient, language=language, now=now)
    pdf = deposit_confirmation_pdf(deposit=deposit, verify_url="https://example.test/v/LANG-0000-0001/")
    assert pdf.startswith(b"%PDF")
    assert pdf_problems(pdf, language) == []
    if language != "en" and english_left(language):
        assert "Payment confirmation" not in pdf_text(pdf)  # in the patient's language, not the asker's
