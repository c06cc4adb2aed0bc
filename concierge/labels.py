"""How an order's breakdown reads to the patient: the words for each kind of line (`pricing.Line.label_key`)
and its quantity, shared by the pages, the API and the messages so they all say the same."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext_lazy as _

from concierge.models import AddonKind
from core.locales import babel_locale

LINE_LABELS: dict[str, Promise] = {
    "interpreter_hours": _("Interpreter, hours"),
    "interpreter_hours_reduced": _("Interpreter, hours beyond 8 in the stay (reduced rate)"),
    "interpreter_hours_extra": _("Interpreter, hours worked beyond the hours paid"),
    "transfer_legs": _("Transfer, legs"),
    "transfer_wheelchair": _("Wheelchair-accessible vehicle, supplement per leg"),
    "visa_letters": _("Visa invitation letters"),
}


def line_label(label_key: str, label: str = "") -> str | Promise:
    """The words for a line: its own text (a package item's), else its kind's."""
    if label:
        return label
    if label_key in LINE_LABELS:
        return LINE_LABELS[label_key]
    if label_key in AddonKind.values:
        return AddonKind(label_key).label
    return label_key


def quantity_text(unit: str, quantity_hundredths: int) -> str:
    """225 hundredths of an hour → "2 h 15" as the active language writes it ("2 ч 15"); 250 legs →
    "2.5" ("2,5" in French); 200 → "2"."""
    locale = babel_locale(get_language())
    if unit == "hour":
        minutes = quantity_hundredths * 60 // 100
        return pgettext("a duration in hours and minutes, e.g. 2 h 15", "%(hours)s h %(minutes)s") % {
            "hours": format_decimal(minutes // 60, locale=locale),
            "minutes": f"{minutes % 60:02d}",
        }
    return format_decimal(Decimal(quantity_hundredths) / 100, locale=locale)
