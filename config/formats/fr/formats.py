"""French date styles: one for every page, e-mail and PDF (core/when.py uses them)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
