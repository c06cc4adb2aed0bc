"""Small real files of each accepted kind, and the impostors that must be refused."""

from __future__ import annotations

import io
import struct

from PIL import Image
from PIL.PngImagePlugin import PngInfo


def pdf(text: str = "Blood test results") -> bytes:
    """A one-page PDF, uncompressed: `text` appears as is in the /Title and the page's content stream."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Title (" + text.encode() + b") >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "navy").save(buffer, format="JPEG")
    return buffer.getvalue()


def png(text: str = "") -> bytes:
    """A small PNG; `text`, when given, sits uncompressed in a tEXt chunk."""
    info = PngInfo()
    if text:
        info.add_text("Comment", text)
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), "teal").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def _element(group: int, element: int, vr: bytes, value: bytes) -> bytes:
    """One explicit-VR little-endian DICOM element."""
    if len(value) % 2:
        value += b"\0"
    tag = struct.pack("<HH", group, element)
    if vr in {b"OB", b"OW", b"SQ", b"UN", b"UT"}:
        return tag + vr + b"\0\0" + struct.pack("<I", len(value)) + value
    return tag + vr + struct.pack("<H", len(value)) + value


def dicom(preamble: bytes = b"\0" * 128) -> bytes:
    """A DICOM Part 10 file: preamble, "DICM", the file meta group, and a patient name."""
    meta = b"".join(
        [
            _element(0x0002, 0x0001, b"OB", b"\0\1"),
            _element(0x0002, 0x0002, b"UI", b"1.2.840.10008.5.1.4.1.1.7"),  # secondary capture
            _element(0x0002, 0x0003, b"UI", b"1.2.826.0.1.3680043.8.498.1"),
            _element(0x0002, 0x0010, b"UI", b"1.2.840.10008.1.2.1"),  # explicit VR little endian
        ]
    )
    group_length = _element(0x0002, 0x0000, b"UL", struct.pack("<I", len(meta)))
    dataset = _element(0x0010, 0x0010, b"PN", b"Test^Patient")
    return preamble.ljust(128, b"\0")[:128] + b"DICM" + group_length + meta + dataset


def windows_executable() -> bytes:
    """The start of a Windows PE file (DOS header and stub)."""
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\0" * 44 + b"\x80\x00\x00\x00"
    return header + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21This program cannot be run in DOS mode.\r\r\n$" + b"\0" * 64


def executable_dicom_polyglot() -> bytes:
    """A Windows executable whose first 128 bytes are also a DICOM preamble (CVE-2019-11687)."""
    return dicom(preamble=windows_executable()[:128])
