"""The translation catalogues (docs/decisions.md, "Languages"): one per language of
settings.LANGUAGES but English, complete (no empty, no fuzzy entry, plural forms included),
compiled in the repository, every translation keeping its msgid's placeholders, and every string
the code and the templates mark for translation in it.

A translation that drops or invents a placeholder would crash the page that formats it, or lose
the value it names: it fails here instead."""

from __future__ import annotations

import gettext as gnu_gettext
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]

# `%(name)s`, `%(count)d`, `%s`, `%d` (after `%%` is set aside) and `{name}` / `{0}`.
NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifrx]")
BRACED = re.compile(r"\{(\w*)\}")


def po_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


@cache
def catalogue(language: str) -> Catalog:
    with po_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


def entries(language: str) -> list[Message]:
    """The catalogue's messages, without its header and without obsolete entries."""
    return [message for message in catalogue(language) if message.id]


def in_use(message: Message) -> bool:
    """Whether compilemessages keeps `message`: translated and not fuzzy (the others are the
    empty-or-fuzzy test's)."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(forms) and all(forms) and not message.fuzzy


def label(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context + ' | ' if message.context else ''}{msgid[:80]!r}"


def placeholders(text: str) -> tuple[list[str], int, list[str]]:
    """The named, the number of positional and the braced placeholders of `text`."""
    text = text.replace("%%", "")
    named = sorted(NAMED.findall(text))
    positional = len(POSITIONAL.findall(NAMED.sub("", text)))
    return named, positional, sorted(BRACED.findall(text))


def placeholder_errors(message: Message) -> list[str]:
    if isinstance(message.id, tuple):  # plural: each form names what the plural names (the number too)
        singular, plural = (placeholders(text) for text in message.id)
        allowed = set(singular[0]) | set(plural[0])
        required = set(plural[0])
        errors = []
        for index, form in enumerate(message.string):
            named, positional, braced = placeholders(form or "")
            if not required <= set(named) <= allowed:
                errors.append(f"{label(message)} form {index}: {named} for {sorted(allowed)}")
            if positional not in (singular[1], plural[1]) or set(braced) - set(singular[2]) - set(plural[2]):
                errors.append(f"{label(message)} form {index}: {form!r}")
        return errors
    expected, found = placeholders(message.id), placeholders(message.string or "")
    if message.string and found != expected:
        return [f"{label(message)}: {found} for {expected}"]
    return []


# --- the catalogue of each language ----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_a_catalogue(language):
    assert po_path(language).is_file(), f"locale/{language}/LC_MESSAGES/django.po is missing"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_entry_is_empty_or_fuzzy(language):
    if not po_path(language).is_file():
        pytest.fail(f"locale/{language}/LC_MESSAGES/django.po is missing")
    empty, fuzzy = [], []
    for message in entries(language):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not forms or not all(forms):
            empty.append(label(message))
        if message.fuzzy:
            fuzzy.append(label(message))
    assert empty == [], f"{len(empty)} untranslated entries in {language}:\n  " + "\n  ".join(empty[:40])
    assert fuzzy == [], f"{len(fuzzy)} fuzzy entries in {language}:\n  " + "\n  ".join(fuzzy[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_holds_what_the_catalogue_says(language):
    """django.mo is committed and compiled from the current django.po: every translation of the
    .po reads the same from the .mo (a stale .mo shows yesterday's words)."""
    mo = po_path(language).with_suffix(".mo")
    if not mo.is_file():
        pytest.fail(f"locale/{language}/LC_MESSAGES/django.mo is missing: run compilemessages")
    with mo.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    stale = []
    for message in filter(in_use, entries(language)):
        context = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            for index, form in enumerate(message.string):
                if compiled._catalog.get((context + message.id[0], index)) != form:  # type: ignore[attr-defined]
                    stale.append(f"{label(message)} form {index}")
        elif compiled._catalog.get(context + message.id) != message.string:  # type: ignore[attr-defined]
            stale.append(label(message))
    assert stale == [], f"{len(stale)} entries differ in django.mo of {language}:\n  " + "\n  ".join(stale[:40])


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_its_placeholders(language):
    if not po_path(language).is_file():
        pytest.fail(f"locale/{language}/LC_MESSAGES/django.po is missing")
    errors = [error for message in filter(in_use, entries(language)) for error in placeholder_errors(message)]
    assert errors == [], f"{len(errors)} translations change their placeholders:\n  " + "\n  ".join(errors[:40])


def test_the_placeholder_check_sees_a_dropped_a_renamed_and_an_invented_placeholder():
    def message(msgid, msgstr):
        return Message(msgid, msgstr)

    assert placeholder_errors(message("Hello %(name)s", "Bonjour %(name)s")) == []
    assert placeholder_errors(message("100%% sure about %s", "Sûr à 100%% de %s")) == []
    assert placeholder_errors(message("Hello %(name)s", "Bonjour")) != []
    assert placeholder_errors(message("Hello %(name)s", "Bonjour %(nom)s")) != []
    assert placeholder_errors(message("Hello", "Bonjour %s")) != []
    assert placeholder_errors(message("Hi {name}", "Salut {nom}")) != []
    plural = Message(("One day", "%(count)s days"), ("%(count)s jour", "%(count)s jours"))
    assert placeholder_errors(plural) == []
    invented = Message(("One day", "%(count)s days"), ("%(n)s jour", "%(count)s jours"))
    assert placeholder_errors(invented) != []
    number_dropped = Message(("One day", "%(count)s days"), ("Un jour", "%(count)s jours"))
    assert placeholder_errors(number_dropped) != []


# --- every marked string is in the catalogue -------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """What `makemessages` finds in the code and the templates today, extracted in a copy of the
    repository (locale/ is never written)."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext (GNU gettext) is not installed")
    copy = tmp_path_factory.mktemp("messages") / "repo"
    ignore = shutil.ignore_patterns(".git", "locale", "var", ".venv", "node_modules", "__pycache__", "*.pyc")
    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    with (copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle)


def keys(found: Catalog) -> set[tuple[str | None, str]]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in found if m.id}


def test_every_string_of_the_code_and_the_templates_is_in_the_catalogue(extracted):
    missing = sorted(keys(extracted) - keys(catalogue("fr")), key=str)
    assert missing == [], (
        f"{len(missing)} strings marked for translation are not in locale/fr (run `make messages`, then "
        "translate them):\n  " + "\n  ".join(f"{context or ''} {msgid[:100]!r}" for context, msgid in missing[:60])
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_has_the_same_strings(language):
    if not po_path(language).is_file():
        pytest.fail(f"locale/{language}/LC_MESSAGES/django.po is missing")
    assert keys(catalogue(language)) ^ keys(catalogue("fr")) == set()
