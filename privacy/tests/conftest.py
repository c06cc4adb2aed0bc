"""Shared fixtures of the privacy tests: a fake declaration registered for one test, storage in a
temporary folder, after-commit work run."""

from __future__ import annotations

import datetime as dt

import pytest

from core.hooks import personal_data
from core.personal_data import Declaration


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fake_declaration():
    """A small app that holds a favourite drink and a note file about each person, and names the
    providers given in `state["providers"]` as holding data on them."""
    state: dict = {"providers": [], "erased": []}

    def export(person, now):
        return {"favourite": f"tea of {person.pk}", "noted_at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)}

    def files(person, now):
        return [("note.txt", b"secret note contents"), ("note.txt", b"another note")]

    declaration = Declaration(
        app="zzfake",
        models={},
        export=export,
        erase=lambda subject, now: state["erased"].append(subject.user_id),
        files=files,
        providers=lambda person: state["providers"],
    )
    personal_data.register(declaration)
    try:
        yield state
    finally:
        personal_data._receivers.remove(declaration)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run `call()` and the work it registered for after the commit (tasks, messages)."""

    def go(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return go
