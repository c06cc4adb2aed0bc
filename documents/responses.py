"""The one way document bytes leave the server: as an attachment the browser must not interpret."""

from __future__ import annotations

import io

from django.http import FileResponse

from documents.models import MedicalDocument


def attachment_response(*, document: MedicalDocument, data: bytes) -> FileResponse:
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=document.download_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Opened in a tab anyway, the file runs no script and loads nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
