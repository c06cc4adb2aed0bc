"""How an order's breakdown reads to the patient: the words for each kind of line (`pricing.Line.label_key`)
and its quantity, shared by the pages, the API and the messages so they all say the same."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from concierge.models import AddonKind

LINE_LABELS: dict[str, Promise] = {
    "interpreter_hours": _("Interpreter, hours"),
    "interpreter_hours_reduced": _("Interpreter, hours beyond 8 in the stay (reduced rate)"),
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
    """225 hours → "2 h 15"; 200 legs → "2"."""
    if unit == "hour":
        minutes = quantity_hundredths * 60 // 100
        return f"{minutes // 60} h {minutes % 60:02d}"
    whole, part = divmod(quantity_hundredths, 100)
    return str(whole) if not part else f"{quantity_hundredths / 100:g}"
