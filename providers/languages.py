"""The languages people speak at a provider (docs/decisions.md#matching-on-language).

Providers declare them (the practice's own and each member's), and search matches a patient's
language against them. Names come from Babel's CLDR data in the viewer's language ("Arabic",
"arabe", "العربية"), so no list of language names needs translating by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.locales import babel_locale

# The languages patients of a medical-tourism broker speak, and those of the places they travel to.
SPOKEN_LANGUAGE_CODES = (
    *("en", "fr", "ar", "es", "de", "ru", "it", "pt", "nl", "pl", "ro", "el", "hu", "cs", "sv", "uk"),
    *("tr", "he", "fa", "ur", "hi", "bn", "th", "vi", "id", "ms", "zh", "ja", "ko"),
    *("az", "ka", "hy", "kk", "uz"),
)


def language_name(code: str, language: str | None = None) -> str:
    """`code`'s name in `language` (the active one by default), capitalised: "Arabic", "Arabe"."""
    name = babel_locale(language or get_language()).languages.get(code) or code.upper()
    return name[:1].upper() + name[1:]


def language_choices() -> list[tuple[str, str]]:
    """(code, name in the active language) for every spoken language, by name."""
    language = get_language() or "en"
    return sorted(((code, language_name(code, language)) for code in SPOKEN_LANGUAGE_CODES), key=lambda c: c[1])


def language_names(codes: Iterable[str]) -> list[str]:
    return [language_name(code) for code in codes]


def clean_language_codes(codes: Iterable[str], *, field: str = "languages") -> list[str]:
    """The codes lower-cased, without repeats, in the given order; a code that is not one of
    SPOKEN_LANGUAGE_CODES is refused with the field's error."""
    cleaned = list(dict.fromkeys(str(code or "").strip().lower() for code in codes if str(code or "").strip()))
    unknown = [code for code in cleaned if code not in SPOKEN_LANGUAGE_CODES]
    if unknown:
        message = _("Choose languages from the list (unknown: %(codes)s).") % {"codes": ", ".join(unknown[:5])}
        raise ValidationFailed(message, details={field: [message]})
    return cleaned
