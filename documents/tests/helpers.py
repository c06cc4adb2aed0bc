from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import services
from documents.models import MedicalDocument


def upload_file(
    owner, data: bytes, *, name: str = "report.pdf", title: str = "Blood test, March 2025"
) -> MedicalDocument:
    return services.document_upload(
        owner=owner,
        upload=SimpleUploadedFile(name, data, content_type="application/pdf"),
        title=title,
        now=timezone.now(),
    )


def stored_files(root: Path) -> list[Path]:
    """Every file under the storage root."""
    return sorted(path for path in Path(root).rglob("*") if path.is_file())
