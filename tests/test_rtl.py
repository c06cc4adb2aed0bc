"""Right to left without a browser: `<html lang dir>` on the pages, the e-mails and the data
export; a stylesheet without a physical side; pointing arrows that flip; e-mail addresses and
phone numbers isolated left to right (core/templatetags/bidi.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = ROOT / "static" / "css" / "site.css"


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("en", "ltr"), ("fr", "ltr")])
def test_a_page_names_its_language_and_direction(client, language, direction):
    client.cookies["django_language"] = language

    response = client.get("/search/", headers={"accept-language": language})

    assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_is_english_left_to_right(client):
    client.cookies["django_language"] = "xx"

    response = client.get("/", headers={"accept-language": "xx"})

    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.content.decode()


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("de", "ltr")])
def test_the_email_layout_carries_the_recipients_direction(language, direction):
    with translation.override(language):
        html = render_to_string("notifications/email_base.html", {})

    assert f'<html lang="{language}" dir="{direction}">' in html
    assert f'<body dir="{direction}"' in html


def test_the_data_export_page_carries_the_direction():
    import datetime as dt

    context = {"sections": {}, "schema": "v1", "generated_at": dt.datetime.now(dt.UTC)}
    with translation.override("ar"):
        html = render_to_string("privacy/export_summary.html", context)

    assert '<html lang="ar" dir="rtl">' in html


def test_the_stylesheet_names_no_physical_side():
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:|"
        r"(?:text-align|float|clear)\s*:\s*(?:left|right)\b",
        css,
    )

    assert physical == []


def test_the_stylesheet_flips_pointing_icons_in_rtl():
    css = STYLESHEET.read_text()

    assert re.search(r'\[dir="rtl"\] \.icon-flip \{[^}]*transform: scaleX\(-1\)', css)


def _templates():
    for path in ROOT.glob("*/templates/**/*.html"):
        # E-mails written per language (notifications/<event>/<language>/) keep their own text.
        if "/notifications/" in path.as_posix() or ".venv" in path.parts:
            continue
        yield path
    yield from (ROOT / "templates").glob("**/*.html")


def test_every_arrow_in_a_page_is_a_flipping_icon():
    bare = []
    for path in _templates():
        text = path.read_text()
        for match in re.finditer(r"[←→]", text):
            before = text[max(0, match.start() - 45) : match.start()]
            if not before.endswith('<span class="icon-flip" aria-hidden="true">'):
                bare.append(f"{path.relative_to(ROOT)}: {text[match.start() - 20 : match.end() + 20]}")

    assert bare == []


def test_ltr_isolates_and_escapes_a_value():
    template = Template("{% load bidi %}[{{ phone|ltr }}][{{ empty|ltr }}][{{ email|ltr }}]")

    html = template.render(Context({"phone": "+33 1 23 45 67 89", "empty": "", "email": "<a@b.test>"}))

    assert html == '[<bdi dir="ltr">+33 1 23 45 67 89</bdi>][][<bdi dir="ltr">&lt;a@b.test&gt;</bdi>]'


def test_ltr_inside_a_translated_sentence_keeps_the_message_id():
    template = Template(
        "{% load i18n bidi %}{% blocktranslate with email=address|ltr %}In the hands of {{ email }}."
        "{% endblocktranslate %}"
    )

    html = template.render(Context({"address": "nadia@example.test"}))

    assert html == 'In the hands of <bdi dir="ltr">nadia@example.test</bdi>.'
