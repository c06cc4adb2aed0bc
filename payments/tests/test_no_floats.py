"""E6 (docs/decisions.md#payments-acceptance-list): no float where money flows. A static check of the source."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# payments/pdf.py lays out a page in points (floats are right there); its amounts come formatted.
MONEY_CODE = [
    *sorted(p for p in (ROOT / "payments").rglob("*.py") if p.name != "pdf.py"),
    ROOT / "bookings" / "policy.py",
    ROOT / "core" / "money.py",
    ROOT / "core" / "rates.py",
]
# A conversion, a float column, or a float annotation (`: float`, `-> float`); code that refuses
# floats (`isinstance(value, float)`) is fine.
FLOAT = re.compile(r"\bfloat\(|FloatField|(:|->)\s*float\b")


def test_no_float_in_the_code_that_moves_money():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in MONEY_CODE
        if "tests" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if FLOAT.search(line)
    ]
    assert offenders == []


def test_the_check_finds_a_float_when_there_is_one():
    assert FLOAT.search("amount = float(value)")
    assert FLOAT.search("price = models.FloatField()")
    assert FLOAT.search("def share(amount: float) -> int:")
    assert not FLOAT.search("if isinstance(value, bool | float):")
