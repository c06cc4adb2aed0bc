"""A copy of everything held about a person (access and portability, GDPR art. 15 and 20).

Each app's declaration (`core.personal_data`) gives its part: a JSON section and the files that go
beside it. `export_build` (a Celery task) puts them in one ZIP — `data.json` (machine-readable),
`summary.html` (readable, self-contained) and the files — encrypts it with the document key ring
before it leaves the process, and saves it through Django's storage. The person downloads it once,
within PRIVACY_EXPORT_TTL_DAYS, with the link's token (only its SHA-256 is stored); the blob is
deleted after the download, and a periodic job deletes the blobs of links that expired unused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
import zipfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import ALLOWED, Check, refuse
from core.errors import Conflict, NotFound, ValidationFailed
from core.personal_data import declarations
from core.state import transition
from documents import crypto
from privacy.models import DataRequest, RequestKind, RequestStatus
from privacy.services.requests import REQUEST_MACHINE, request_open, request_start

SCHEMA = "medibroker.personal-data/1"
EXPORT_DIR = "exports"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ttl() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "PRIVACY_EXPORT_TTL_DAYS", 7)))


def _plain(value: Any) -> Any:
    """JSON-safe: dates as ISO strings, anything else unknown as its text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- collecting --------------------------------------------------------------------------------------


def export_collect(
    *, user: User, now: dt.datetime, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """Each declaration's section under its app label, and every file under `files/<app>/`.

    `progress(done, total)` is called after each declaration (the task's progress bar).
    """
    data: dict[str, Any] = {}
    files: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    found = declarations()
    for index, declaration in enumerate(found, start=1):
        data[declaration.app] = _plain(declaration.export(user, now) or {})
        for path, content in declaration.files(user, now) or []:
            name = f"files/{declaration.app}/{path.lstrip('/')}"
            while name in seen:  # two files of the same name: keep both
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}-{secrets.token_hex(2)}{dot}{ext}" if dot else f"{name}-{secrets.token_hex(2)}"
            seen.add(name)
            files.append((name, bytes(content)))
        if progress is not None:
            progress(index, len(found))
    return data, files


def _zip(*, user: User, data: dict[str, Any], files: list[tuple[str, bytes]], now: dt.datetime) -> bytes:
    document = {"schema": SCHEMA, "generated_at": now.isoformat(), "person": {"id": user.pk}, "sections": data}
    summary = render_to_string(
        "privacy/export_summary.html",
        {"generated_at": now, "sections": data, "files": [path for path, _content in files], "schema": SCHEMA},
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True))
        archive.writestr("summary.html", summary)
        for path, content in files:
            archive.writestr(path, content)
    return buffer.getvalue()


# --- asking ------------------------------------------------------------------------------------------


def export_request(*, user: User, now: dt.datetime) -> tuple[DataRequest, str]:
    """The person asks for a copy: their open export request (a new one, or the one running) and a
    fresh single-use token for its link, shown once (asking again replaces the token). The ZIP is
    built by a task once this commits."""
    from privacy.tasks import build_export

    with transaction.atomic():
        request = request_open(user=user, kind=RequestKind.EXPORT, now=now)
        request = DataRequest.objects.select_for_update().get(pk=request.pk)
        token = secrets.token_urlsafe(32)
        request.export_token_hash = _hash(token)
        request.save(update_fields=["export_token_hash"])
        if request.status == RequestStatus.RECEIVED:
            pk = request.pk
            transaction.on_commit(lambda: build_export.delay(pk))
    return request, token


def export_build(*, request_id: int, now: dt.datetime) -> DataRequest:
    """Build the export of request `request_id` (idempotent: a finished request is left as it is)."""
    request = DataRequest.objects.select_related("user").get(pk=request_id)
    if request.kind != RequestKind.EXPORT:
        raise ValidationFailed(_("This request is not a request for a copy."))
    if not request.is_open:
        return request
    request = request_start(request=request, now=now)

    def progress(done: int, total: int) -> None:
        value = min(90, int(90 * done / max(total, 1)))
        DataRequest.objects.filter(pk=request.pk).update(progress=value)

    data, files = export_collect(user=request.user, now=now, progress=progress)
    blob = crypto.encrypt(_zip(user=request.user, data=data, files=files, now=now))
    path = default_storage.save(f"{EXPORT_DIR}/{secrets.token_hex(16)}.bin", ContentFile(blob))
    with transaction.atomic():
        row = DataRequest.objects.select_for_update().get(pk=request.pk)
        if not row.is_open:  # withdrawn meanwhile: nothing to offer
            default_storage.delete(path)
            return row
        if row.export_path:
            default_storage.delete(row.export_path)
        moved = transition(
            machine=REQUEST_MACHINE,
            instance=row,
            target=RequestStatus.DONE,
            actor=None,
            action="privacy.export.built",
            now=now,
            fields={
                "export_path": path,
                "export_expires_at": now + _ttl(),
                "progress": 100,
                "completed_at": now,
            },
            audit_after={"files": len(files), "sections": len(data)},
            locked=True,
        )
    return moved.instance


# --- downloading ----------------------------------------------------------------------------------------


def export_download_check(*, request: DataRequest, now: dt.datetime) -> Check:
    if request.kind != RequestKind.EXPORT:
        return refuse(NotFound(_("You have no copy of your data with this number.")))
    if request.export_downloaded_at is not None:
        return refuse(Conflict(_("This copy was already downloaded once: ask for a new copy."), code="export_used"))
    if request.status != RequestStatus.DONE or not request.export_path:
        return refuse(Conflict(_("Your copy is not ready yet: this page shows its progress."), code="export_not_ready"))
    if request.export_expires_at is not None and now >= request.export_expires_at:
        return refuse(Conflict(_("This link has expired: ask for a new copy."), code="export_expired"))
    return ALLOWED


def export_download(*, request: DataRequest, token: str, user: User, now: dt.datetime) -> bytes:
    """The ZIP of `request`, decrypted, for its owner holding the link's token: once."""
    if not user.is_authenticated or request.user_id != user.pk:
        raise NotFound(_("You have no copy of your data with this number."))
    with transaction.atomic():
        row = DataRequest.objects.select_for_update().get(pk=request.pk)
        if not token or not row.export_token_hash or not hmac.compare_digest(_hash(token), row.export_token_hash):
            raise NotFound(_("This link is not valid: open it from your data page, or ask for a new copy."))
        export_download_check(request=row, now=now).enforce()
        blob = default_storage.open(row.export_path, "rb").read()
        content = crypto.decrypt(blob)
        path = row.export_path
        row.export_downloaded_at = now
        row.export_path = ""
        row.export_token_hash = ""
        row.save(update_fields=["export_downloaded_at", "export_path", "export_token_hash"])
        audit_record(actor=user, action="privacy.export.downloaded", target=row, now=now)
        transaction.on_commit(lambda: default_storage.delete(path))
    return content


def exports_expired_delete(*, now: dt.datetime) -> int:
    """Delete the blobs of export links that expired unused (beat, daily); the request row stays."""
    count = 0
    for request in DataRequest.objects.filter(export_expires_at__lte=now).exclude(export_path=""):
        export_blob_delete(request=request)
        audit_record(actor=None, action="privacy.export.expired", target=request, now=now)
        count += 1
    return count


def export_blob_delete(*, request: DataRequest) -> None:
    """Delete the stored ZIP of an export and its link (expired, or its person erased); the row stays."""
    if request.export_path:
        default_storage.delete(request.export_path)
    DataRequest.objects.filter(pk=request.pk).update(export_path="", export_token_hash="")
