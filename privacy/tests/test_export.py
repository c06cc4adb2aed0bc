"""The export: every declaration's section and files in one ZIP, encrypted in storage, downloaded
once by its owner with the link's token, before it expires."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.files.storage import default_storage

from core.audit import AuditEvent
from core.errors import Conflict, NotFound
from core.personal_data import declarations
from documents import crypto
from privacy.models import RequestStatus
from privacy.services.export import (
    SCHEMA,
    export_build,
    export_collect,
    export_download,
    export_request,
    exports_expired_delete,
)

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2027, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def built(patient, fake_declaration, commit):
    """The patient's copy, asked for and built (the task runs after the commit, at NOW)."""
    with time_machine.travel(NOW, tick=False):
        request, token = commit(lambda: export_request(user=patient, now=NOW))
    request.refresh_from_db()
    return request, token


def _unzip(content: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(content))


def test_collect_gives_each_declaration_its_section_and_files(patient, fake_declaration):
    data, files = export_collect(user=patient, now=NOW)

    assert set(data) == {declaration.app for declaration in declarations()}
    assert {"zzfake", "privacy"} <= set(data)
    assert data["zzfake"] == {"favourite": f"tea of {patient.pk}", "noted_at": "2026-01-02T03:04:00+00:00"}
    paths = [path for path, _content in files]
    assert paths[0] == "files/zzfake/note.txt"
    assert len(set(paths)) == len(paths) == 2  # the second note.txt kept under another name
    assert dict(files)["files/zzfake/note.txt"] == b"secret note contents"


def test_the_built_zip_has_data_json_a_summary_and_the_files(built, patient):
    request, token = built

    assert request.status == RequestStatus.DONE
    assert request.progress == 100
    assert request.export_expires_at == NOW + dt.timedelta(days=settings.PRIVACY_EXPORT_TTL_DAYS)
    archive = _unzip(export_download(request=request, token=token, user=patient, now=NOW))
    names = archive.namelist()
    assert {"data.json", "summary.html", "files/zzfake/note.txt"} <= set(names)
    document = json.loads(archive.read("data.json"))
    assert document["schema"] == SCHEMA
    assert document["generated_at"] == NOW.isoformat()
    assert document["sections"]["zzfake"]["favourite"] == f"tea of {patient.pk}"
    assert [r["kind"] for r in document["sections"]["privacy"]["requests"]] == ["export"]
    summary = archive.read("summary.html").decode()
    assert f"tea of {patient.pk}" in summary
    assert "Zzfake" in summary
    assert archive.read("files/zzfake/note.txt") == b"secret note contents"


def test_the_blob_in_storage_is_encrypted(built):
    request, _token = built
    raw = Path(settings.MEDIA_ROOT, request.export_path).read_bytes()

    assert request.export_path.startswith("exports/")
    assert b"secret note contents" not in raw
    assert b"data.json" not in raw
    assert not raw.startswith(b"PK")
    assert _unzip(crypto.decrypt(raw)).read("files/zzfake/note.txt") == b"secret note contents"


def test_the_link_works_once_and_the_blob_goes(built, patient, commit):
    request, token = built
    path = request.export_path

    commit(lambda: export_download(request=request, token=token, user=patient, now=NOW))

    assert not default_storage.exists(path)
    with pytest.raises((Conflict, NotFound)):
        export_download(request=request, token=token, user=patient, now=NOW)
    request.refresh_from_db()
    assert request.export_downloaded_at == NOW
    [event] = AuditEvent.objects.filter(action="privacy.export.downloaded", target_id=str(request.pk))
    assert event.actor_id == patient.pk


def test_someone_elses_copy_or_a_wrong_token_is_not_found(built, patient, other_patient):
    request, token = built

    with pytest.raises(NotFound):
        export_download(request=request, token=token, user=other_patient, now=NOW)
    with pytest.raises(NotFound):
        export_download(request=request, token=token + "x", user=patient, now=NOW)
    request.refresh_from_db()
    assert request.export_downloaded_at is None  # nothing used up


def test_an_expired_link_is_refused_with_what_to_do(built, patient):
    request, token = built

    with time_machine.travel(NOW + dt.timedelta(days=8), tick=False), pytest.raises(Conflict) as refused:
        export_download(request=request, token=token, user=patient, now=NOW + dt.timedelta(days=8))
    assert refused.value.message == "This link has expired: ask for a new copy."


def test_the_periodic_clean_up_deletes_expired_blobs_only(built, patient, other_patient, commit):
    request, _token = built
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        fresh, _ = commit(lambda: export_request(user=other_patient, now=NOW + dt.timedelta(days=5)))
    fresh.refresh_from_db()

    assert exports_expired_delete(now=NOW + dt.timedelta(days=7, seconds=1)) == 1

    request.refresh_from_db()
    assert request.export_path == ""
    assert default_storage.exists(fresh.export_path)


def test_asking_again_while_it_is_made_shows_the_same_request_with_a_new_token(patient, fake_declaration):
    first, first_token = export_request(user=patient, now=NOW)  # not committed: the task has not run
    again, again_token = export_request(user=patient, now=NOW)

    assert again.pk == first.pk
    assert again_token != first_token
    built = export_build(request_id=first.pk, now=NOW)
    with pytest.raises(NotFound):
        export_download(request=built, token=first_token, user=patient, now=NOW)
    assert export_download(request=built, token=again_token, user=patient, now=NOW)[:2] == b"PK"


def test_building_twice_changes_nothing(built):
    request, _token = built
    again = export_build(request_id=request.pk, now=NOW + dt.timedelta(hours=1))
    assert again.export_path == request.export_path
    assert again.export_expires_at == request.export_expires_at
