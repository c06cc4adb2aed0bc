"""What the storefront holds about a person (core/personal_data.py): nothing. Its search listing
copies the providers' public business details and the catalogue, for search to read in one table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.personal_data import Declaration, Subject


def export(person: Any, now: dt.datetime) -> dict[str, Any]:
    return {}


def erase(subject: Subject, now: dt.datetime) -> None:
    """Nothing to erase: the listing names providers and offerings, never a person."""


DECLARATION = Declaration(
    app="storefront",
    models={},
    not_personal={
        "storefront.Listing": _(
            "What search shows of a listed offering: the provider's public name, place and languages and "
            "the offering's catalogue details, copied from the providers' own records; no person in it."
        ),
    },
    export=export,
    erase=erase,
    erased=_("Nothing: search's listing names providers and offerings, never a person"),
)
