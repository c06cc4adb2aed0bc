"""What a file is, read from its first bytes only: its name and the browser's Content-Type are ignored.

Accepted: PDF ("%PDF-" at 0), JPEG (FF D8 FF at 0), PNG (the 8-byte signature at 0), and DICOM
Part 10 ("DICM" at offset 128, after a 128-byte preamble). Everything else is refused.

The DICOM preamble is free for applications to fill, which is what makes a Windows executable that
is also a valid DICOM file possible (CVE-2019-11687): a preamble that starts like an executable or
an archive is refused.
"""

from __future__ import annotations

from documents.models import DocumentKind

# How many bytes the check needs: the DICOM preamble and its "DICM" marker.
HEAD_BYTES = 132

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_DICOM_MARKER = b"DICM"
_DICOM_OFFSET = 128

# Starts of executables, scripts and archives: never at the start of anything we accept.
_EXECUTABLE_OR_ARCHIVE = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"#!",  # scripts
    b"PK\x03\x04",  # zip, docx, jar, apk
)


def sniff(head: bytes) -> DocumentKind | None:
    """The kind of a file whose first bytes are `head` (at least HEAD_BYTES when the file is that long)."""
    if head.startswith(_EXECUTABLE_OR_ARCHIVE):
        return None
    if head.startswith(_PDF):
        return DocumentKind.PDF
    if head.startswith(_JPEG):
        return DocumentKind.JPEG
    if head.startswith(_PNG):
        return DocumentKind.PNG
    if head[_DICOM_OFFSET : _DICOM_OFFSET + len(_DICOM_MARKER)] == _DICOM_MARKER:
        return DocumentKind.DICOM
    return None
