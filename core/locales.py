"""The site's languages: which code names one (`site_language`), and the Babel locale that formats
its dates and numbers (`babel_locale`).

- A language Babel does not know (or none) falls back to English: formatting never fails on input.
- Dates in English follow British English (`en_GB`: "9 December 2026", a 24-hour clock), the
  site's English since its first page; money keeps `en` (CLDR's "$" for dollars, where `en_GB`
  writes "US$"). docs/decisions.md, "Formats per locale".
- Digits are Latin in dates and money alike: Babel writes them so, and CLDR's default numbering
  system is Latin for each of the site's six languages, Arabic included (`ar`; regional locales such
  as `ar_EG` default to Arabic-Indic digits, which the site does not offer). `numbering_system` says
  which one a locale defaults to, so a test fails if a language whose default differs is added.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.conf import settings

_DATE_LOCALES = {"en": "en_GB"}


def site_language(code: str | None) -> str:
    """`code` when it names one of the site's languages (a region is dropped: "ar-EG" is "ar"), else ""."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in dict(settings.LANGUAGES) else ""


@cache
def babel_locale(language: str | None, *, for_dates: bool = False) -> Locale:
    """The Babel locale of a site language ("pt-br" and "pt_BR" alike); English when unknown."""
    code = (language or "en").replace("-", "_")
    if for_dates:
        code = _DATE_LOCALES.get(code.lower(), code)
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(_DATE_LOCALES["en"] if for_dates else "en")


def numbering_system(locale: Locale) -> str:
    """The locale's default numbering system ("latn", "arab", …)."""
    return str(locale.default_numbering_system or "latn")
