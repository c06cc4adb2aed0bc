"""What each app declares about the personal data it holds (`core.hooks.personal_data`).

Each app holding data about a person registers one `Declaration` in its `AppConfig.ready()`. The
privacy app reads them all to answer a person's rights (docs/decisions.md, "Personal data"):

- **access and portability**: `export(person, now)` gives the app's part of the export's JSON
  (plain values: str, int, bool, None, lists and dicts; dates as ISO strings), `files(person, now)`
  the files that go beside it in the ZIP (the person's decrypted medical documents, say);
- **erasure**: `blockers(person, now)` lists what must end before the person can be erased (a
  deposit held in trust, an appointment to come), `kept(person, now)` what the app must keep and
  why and until when, and `erase(subject, now)` erases the rest: personal fields replaced by the
  subject's pseudonym, free text that names the person redacted, files destroyed. `erase` is
  idempotent and safe to run again after being interrupted; it runs in `order` (lowest first), so
  that the account itself, which the others read the person's names from, goes last;
- **requests about data a provider holds**: `providers(person)` names the providers holding data
  about the person (their own medical records), to whom a request is forwarded.

`models` names each model ("app_label.ModelName") of the app that holds personal data, with what it
holds; `not_personal` names the models of the app that look personal (a foreign key to the user, a
field named like personal data) and are not, with why. `tests/test_personal_data.py` fails on a
model that is in neither.

Plain values only, so that neither side imports the other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.hooks import personal_data

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a str or a lazy translation


@dataclass(frozen=True)
class Subject:
    """The person being erased, as the erasure sees them (read before anything is erased).

    `strings` are the person's own words for themselves (full name, first and last name, e-mail
    address, phone number in the forms stored): free text elsewhere that contains one of them is
    redacted to the pseudonym. `pseudonym` replaces the person wherever a name must stay (the
    ledger, an invoice): "Erased person 3f9a…", the same for one person everywhere.
    """

    user_id: int
    pseudonym: str
    email: str
    strings: tuple[str, ...]


@dataclass(frozen=True)
class Kept:
    """Something an app keeps after an erasure, and why: shown to the person before they confirm."""

    what: str  # "Ledger entries and invoices of your payments, under a pseudonym"
    why: str  # the legal basis: "Accounting law: 10 years (French Commercial Code, L123-22)"
    until: dt.date | None = None  # when it goes; None when the date is not known yet


@dataclass(frozen=True)
class Blocker:
    """Something that must end before the person can be erased, and what they can do about it."""

    what: str  # "Booking MB-12 with Anadolu Hospital, 3 March 2027: €300 deposit held in trust"
    action: str  # "Cancel the booking: €200 is refunded, €100 is kept under the policy."
    url: str = ""  # the page where they can do it


def _nothing(*args: Any, **kwargs: Any) -> list[Any]:
    return []


@dataclass(frozen=True)
class Declaration:
    app: str  # the app's label
    models: Mapping[str, StrOrPromise]  # "app_label.ModelName" → what it holds about a person
    export: Callable[..., dict[str, Any]]  # (person, now) → the app's section of the export
    erase: Callable[..., None]  # (subject: Subject, now) → None; idempotent
    erased: StrOrPromise = ""  # what erasing removes, one sentence for the person ("Your quote requests' texts")
    not_personal: Mapping[str, StrOrPromise] = field(default_factory=dict)  # "app_label.ModelName" → why not
    files: Callable[..., Iterable[tuple[str, bytes]]] = _nothing  # (person, now) → (path in the ZIP, bytes)
    kept: Callable[..., list[Kept]] = _nothing  # (person, now) → what stays, why, until when
    blockers: Callable[..., list[Blocker]] = _nothing  # (person, now) → what must end first
    providers: Callable[..., list[int]] = _nothing  # (person) → ids of providers holding data on them
    order: int = 100  # erasure order, lowest first; the account goes last (1000)


def declare(declaration: Declaration) -> Declaration:
    """Register `declaration` (from an app's `ready()`); the same app twice is a bug."""
    for existing in personal_data:
        if existing.app == declaration.app and existing is not declaration:
            raise RuntimeError(f"personal_data: {declaration.app!r} is already declared")
    personal_data.register(declaration)
    return declaration


def declarations() -> list[Declaration]:
    """Every app's declaration, in erasure order."""
    return sorted(personal_data, key=lambda d: (d.order, d.app))


def redact(text: str, subject: Subject) -> str:
    """`text` with each of the subject's strings (case-insensitive) replaced by the pseudonym."""
    if not text:
        return text
    for string in sorted({s for s in subject.strings if s and len(s) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(string), subject.pseudonym, text, flags=re.IGNORECASE)
    return text
