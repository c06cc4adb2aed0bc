"""Reading back what a PDF prints: its fonts, the glyphs it embeds, where its texts and images stand."""

from __future__ import annotations

import io
import re

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from core.pdf import LRI, PDI


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def fonts_of(page) -> set[str]:
    """The base names of the page's fonts, without the subset prefix ("NotoNaskhArabic")."""
    return {str(font["/BaseFont"]).split("+")[-1].lstrip("/") for font in page["/Resources"]["/Font"].values()}


def glyph_names(page, font_name: str) -> set[str]:
    """The glyphs embedded for `font_name` on the page: an Arabic letter in its joined form is
    a presentation form (uniFExx), which only a shaping engine picks."""
    names: set[str] = set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        if font_name not in str(font["/BaseFont"]):
            continue
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        names |= set(TTFont(io.BytesIO(descriptor["/FontFile2"].get_data())).getGlyphOrder())
    return names


def texts(page) -> list[tuple[str, float]]:
    """Each text the page shows, with the x where it starts (points from the left edge)."""
    found: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((text.strip(), tm[4]))

    page.extract_text(visitor_text=visit)
    return found


def plain(text: str) -> str:
    """The page's text with whitespace folded and the bidi isolates removed."""
    return " ".join(text.replace(LRI, "").replace(PDI, "").split())


def image_xs(page) -> list[float]:
    """The x of every image drawn on the page (fpdf2 draws `w 0 0 h x y cm /I… Do`)."""
    content = page.get_contents().get_data().decode("latin-1")
    return [float(x) for x in re.findall(r"[\d.]+ 0 0 [\d.]+ ([\d.]+) [\d.]+ cm /I\w* Do", content)]
