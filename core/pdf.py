"""A PDF in a person's language (fpdf2): the one place that knows fonts, direction and shaping.

The payment confirmation (payments/pdf.py), the visa invitation letter (concierge/visa_pdf.py)
and the second opinion (secondopinion/opinion_pdf.py) are written through `LocalizedPDF`:

- English, French, Spanish and German print with the PDF's built-in Helvetica, which covers
  Latin-1 only: other characters are folded to their closest Latin-1 form (`fold_latin1`).
- Any other language (Arabic, Russian) embeds Noto fonts shipped in core/fonts/ (open licences,
  see core/fonts/README.md): Noto Sans for Latin and Cyrillic, Noto Naskh Arabic for Arabic with
  Noto Sans as its fallback for Latin words (a provider's name, an address).
- A right-to-left language (settings.LANGUAGES_BIDI) turns on fpdf2's text shaping (HarfBuzz,
  through the `uharfbuzz` package): Arabic letters join, lines run right to left and are aligned
  right, a field's label stands on the right of its value and the QR code on the right of its
  caption. Values that read left to right (a phone number, a reference, a web address, an amount)
  are isolated (`ltr`) so the bidi algorithm does not reorder their parts ("+33 1 23" would
  otherwise print as "23 1 +33").

One document may change language between pages (the visa letter: the patient's language, then
English): `set_language` before each page.
"""

from __future__ import annotations

import logging
import unicodedata
from io import BytesIO
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

from core.locales import site_language

# fontTools, which fpdf2 uses to keep only the glyphs a document prints, logs every table at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONTS = Path(__file__).resolve().parent / "fonts"
# The languages the built-in fonts print without loss (Latin-1).
LATIN1_LANGUAGES = frozenset({"en", "fr", "es", "de"})
# Unicode's isolates: left-to-right isolate … pop directional isolate.
LRI = "\u2066"
PDI = "\u2069"
_FOLDS = {"\u2013": "-", "\u2014": "-", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}


def fold_latin1(text: str) -> str:
    """`text` as the PDF's built-in fonts can print it: Latin-1 kept, the rest folded or '?'."""
    out = []
    for char in str(text):
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            if char in (LRI, PDI):
                continue
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(folded or _FOLDS.get(char, "?"))
    return "".join(out)


def base_language(code: str | None) -> str:
    """`ar-EG` → `ar`; a language the site does not offer → English."""
    return site_language(code) or "en"


def is_rtl(language: str) -> bool:
    return base_language(language) in {code.split("-")[0] for code in settings.LANGUAGES_BIDI}


class LocalizedPDF(FPDF):
    """An A4 page writer whose text follows the language set last (`set_language`)."""

    def __init__(self, language: str = "en") -> None:
        super().__init__(format="A4")
        self._unicode_fonts = False
        self.language = "en"
        self.rtl = False
        self.set_language(language)

    # Language, fonts, direction

    def set_language(self, language: str) -> None:
        self.language = base_language(language)
        self.rtl = is_rtl(self.language)
        if self.unicode:
            self._add_unicode_fonts()
        if self.rtl:
            self.set_fallback_fonts(["notosans"], exact_match=False)
            # The paragraph runs right to left; HarfBuzz guesses each run's script. Forcing the
            # Arabic script would shape Latin words with it too ("verify" printed "verfiy").
            self.set_text_shaping(use_shaping_engine=True, direction="rtl")
        else:
            self.set_fallback_fonts([])
            self.set_text_shaping(use_shaping_engine=False)

    @property
    def unicode(self) -> bool:
        return self.language not in LATIN1_LANGUAGES

    @property
    def family(self) -> str:
        if not self.unicode:
            return "helvetica"
        return "naskh" if self.rtl else "notosans"

    @property
    def align(self) -> str:
        return "R" if self.rtl else "J"

    def _add_unicode_fonts(self) -> None:
        if self._unicode_fonts:
            return
        self.add_font("notosans", "", FONTS / "NotoSans-Regular.ttf")
        self.add_font("notosans", "B", FONTS / "NotoSans-Bold.ttf")
        self.add_font("naskh", "", FONTS / "NotoNaskhArabic-Regular.ttf")
        self.add_font("naskh", "B", FONTS / "NotoNaskhArabic-Bold.ttf")
        self._unicode_fonts = True

    def font(self, style: str = "", size: float = 11) -> None:
        self.set_font(self.family, style=style, size=size)

    def text_of(self, text: str) -> str:
        """`text` as this language's font prints it."""
        return str(text) if self.unicode else fold_latin1(text)

    def ltr(self, text: str) -> str:
        """`text` kept left to right inside right-to-left text (a phone number, a code, a URL)."""
        return f"{LRI}{text}{PDI}" if self.rtl and text else str(text)

    def set_title(self, title: str) -> None:
        super().set_title(self.text_of(title))

    # Blocks shared by the documents

    # A paragraph, not FPDF's stroke between two points (which the documents never draw).
    def line(  # type: ignore[override]
        self, text: str, *, size: float = 11, style: str = "", gap: float = 6
    ) -> None:
        """A paragraph across the page."""
        self.font(style, size)
        self.multi_cell(self.epw, gap, self.text_of(text), align=self.align, new_x="LMARGIN", new_y="NEXT")

    def field(
        self,
        label: str,
        value: str,
        *,
        label_width: float = 55,
        height: float = 7,
        size: float = 11,
        ltr: bool = False,
    ) -> None:
        """A label and its value side by side: the label at the line's start (left, or right in
        RTL), both wrapping in their own column, the next field below the taller of the two."""
        value = self.ltr(value) if ltr else value
        width = self.epw - label_width
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
        top = self.get_y()
        label_x, value_x = (
            (self.l_margin + width, self.l_margin) if self.rtl else (self.l_margin, self.l_margin + label_width)
        )
        side = "R" if self.rtl else "L"
        self.font("B", size)
        self.set_xy(label_x, top)
        self.multi_cell(label_width - 2, height, self.text_of(label), align=side, new_x="LMARGIN", new_y="NEXT")
        label_end, label_page = self.get_y(), self.page
        self.font("", size)
        self.set_xy(value_x, top)
        self.multi_cell(width, height, self.text_of(value), align=side, new_x="LMARGIN", new_y="NEXT")
        if self.page == label_page:
            self.set_y(max(self.get_y(), label_end))

    def verification(
        self, *, png: BytesIO, url: str, code: str, caption: str, size: float, code_size: float = 14, after: float = 2
    ) -> None:
        """The QR code of `url` beside the verification `code` and its `caption` (which names the
        URL), at the line's start; on a new page when it does not fit."""
        top = self.get_y()
        if top + size > self.h - self.b_margin:
            self.add_page()
            top = self.get_y()
        beside = self.epw - size - 6
        qr_x = self.l_margin + beside + 6 if self.rtl else self.l_margin
        text_x = self.l_margin if self.rtl else self.l_margin + size + 6
        self.image(png, x=qr_x, y=top, w=size, h=size, alt_text=url)
        self.set_xy(text_x, top + 2)
        self.font("B", code_size)
        self.cell(beside, 8, self.text_of(self.ltr(code)), align="R" if self.rtl else "L")
        self.set_xy(text_x, top + 10)
        self.font("", 10)
        self.multi_cell(beside, 5, self.text_of(caption), align="R" if self.rtl else "L", new_x="LMARGIN", new_y="NEXT")
        self.set_y(max(self.get_y(), top + size) + after)
