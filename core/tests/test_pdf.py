"""core/pdf.py: a PDF in Arabic embeds a font that shapes Arabic and runs right to left; Russian
prints Cyrillic; the Latin-1 languages keep the built-in font and fold the rest."""

from __future__ import annotations

from core.pdf import LRI, PDI, LocalizedPDF, base_language, fold_latin1
from core.tests.pdf_support import fonts_of, glyph_names, plain, reader, texts

PHONE = "+33 1 23 45 67 89"


def _document(language: str, *, ltr: bool = True) -> bytes:
    pdf = LocalizedPDF(language)
    pdf.add_page()
    pdf.line("تأكيد الدفع" if language == "ar" else "Подтверждение оплаты", size=15, style="B")
    arabic = language == "ar"
    pdf.field("الهاتف" if arabic else "Телефон", PHONE, ltr=ltr)
    pdf.field("المريض" if arabic else "Пациент", "Ahmed Ali")
    return bytes(pdf.output())


def test_arabic_embeds_noto_naskh_and_its_letters_are_shaped():
    page = reader(_document("ar")).pages[0]

    assert {"NotoNaskhArabic", "NotoNaskhArabicBold"} <= fonts_of(page)
    assert "Helvetica" not in fonts_of(page)
    # ت of تأكيد is joined to the next letter: its initial form, chosen by HarfBuzz.
    assert "uniFE97" in glyph_names(page, "NotoNaskhArabicBold")
    assert "تأكيد الدفع" in plain(page.extract_text())


def test_an_arabic_field_puts_its_label_on_the_right_and_its_value_to_the_left():
    page = reader(_document("ar")).pages[0]
    at = dict(texts(page))

    assert at["الهاتف"] > 400  # the label starts in the right third of the A4 page (595 points)
    assert at["Ahmed"] < at["المريض"]
    assert at["تأكيد الدفع"] > 300  # the title is aligned right


def test_latin_words_inside_arabic_keep_their_letters_in_order():
    pdf = LocalizedPDF("ar")
    pdf.add_page()
    pdf.line("تحقق Verification: http://testserver/verify/", style="B")

    assert "Verification: http://testserver/verify" in plain(reader(bytes(pdf.output())).pages[0].extract_text())


def test_a_phone_number_keeps_its_order_inside_arabic_only_when_isolated():
    isolated = plain(reader(_document("ar")).pages[0].extract_text())
    bare = plain(reader(_document("ar", ltr=False)).pages[0].extract_text())

    assert PHONE in isolated
    # Without the isolation, the bidi algorithm lays the digit groups out right to left.
    assert PHONE not in bare
    assert "89 67 45 23 1 33" in bare


def test_russian_prints_cyrillic_left_to_right_with_noto_sans():
    page = reader(_document("ru")).pages[0]

    assert fonts_of(page) == {"NotoSans", "NotoSansBold"}
    assert "Подтверждение оплаты" in plain(page.extract_text())
    at = dict(texts(page))
    assert at["Подтверждение оплаты"] < 100  # starts at the left margin
    assert at["Телефон"] < at["Ahmed Ali"]


def test_latin1_languages_keep_helvetica_and_fold_what_it_cannot_print():
    pdf = LocalizedPDF("fr")
    pdf.add_page()
    pdf.line(f"Cœur – {pdf.ltr(PHONE)}")
    page = reader(bytes(pdf.output())).pages[0]

    assert fonts_of(page) == {"Helvetica"}
    assert "C?ur - +33 1 23 45 67 89" in plain(page.extract_text())
    assert pdf.ltr(PHONE) == PHONE  # no isolates in a left-to-right document


def test_one_document_changes_language_between_pages():
    pdf = LocalizedPDF("ar")
    pdf.add_page()
    pdf.line("رسالة دعوة")
    pdf.set_language("en")
    pdf.add_page()
    pdf.line("Visa invitation letter")
    first, second = reader(bytes(pdf.output())).pages

    assert "NotoNaskhArabic" in fonts_of(first)
    assert fonts_of(second) == {"Helvetica"}
    assert dict(texts(second))["Visa invitation letter"] < 100


def test_an_unknown_or_regional_language_code_falls_back():
    assert base_language("ar-EG") == "ar"
    assert base_language("xx") == "en"
    assert base_language(None) == "en"
    assert not LocalizedPDF("xx").rtl
    assert LocalizedPDF("ar-SA").rtl


def test_folding_drops_the_isolates():
    assert fold_latin1(f"{LRI}+33{PDI} œ") == "+33 ?"
