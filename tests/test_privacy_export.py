"""The export is complete (issue 16, "Done when"): for Zephyrine (tests/privacy_scenario.py), before
any erasure, `export_collect` holds every item of her record (the list below, one assertion message
each) and the files hold both documents' decrypted bytes; the ZIP `export_build` writes opens, with
data.json, summary.html and both documents inside, and the export is audited. The scenario itself
is checked by tests/test_privacy_scenario.py.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.storage import storages

from core.models import AuditEvent
from notifications.models import Message
from payments.models import Deposit
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from privacy.models import RequestKind, RequestStatus
from tests.privacy_scenario import (
    CANARY_BIRTH_DATE,
    CANARY_EMAIL,
    CANARY_FIRST_NAME,
    CANARY_LAST_NAME,
    CANARY_PASSPORT,
    CANARY_PHONE,
    CANARY_PHONE_E164,
    CONSENT_VERSION,
    Scenario,
    build_scenario,
    media_settings,
)

pytestmark = pytest.mark.django_db

RECTIFICATION_TEXT = "My nationality is New Zealand, not the one on my profile"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    media_settings(settings, tmp_path)
    return tmp_path


def _scalars(value: Any) -> list[Any]:
    """Every key and scalar value in the export's tree."""
    if isinstance(value, dict):
        return [*value.keys(), *(s for v in value.values() for s in _scalars(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _scalars(v)]
    return [value]


class Found:
    """The export's data, searched as a whole: an item is there when one of its forms is."""

    def __init__(self, data: dict[str, Any]):
        self.text = json.dumps(data, default=str, ensure_ascii=False).lower()
        self.scalars = _scalars(data)

    def any(self, *forms: Any) -> bool:
        for form in forms:
            if isinstance(form, int) and not isinstance(form, bool):
                if form in self.scalars or str(form) in self.text:
                    return True
            elif str(form).lower() in self.text:
                return True
        return False


def expected_items(scenario: Scenario) -> dict[str, tuple[Any, ...]]:
    """What the export of her record must hold: item → its forms (any one is enough)."""
    patient = scenario.patient
    deposit = Deposit.objects.get(booking=scenario.booking)
    messages = list(Message.objects.filter(recipient=patient).order_by("pk"))
    items: dict[str, tuple[Any, ...]] = {
        "profile: first name": (CANARY_FIRST_NAME,),
        "profile: last name": (CANARY_LAST_NAME,),
        "profile: e-mail": (CANARY_EMAIL,),
        "profile: phone": (CANARY_PHONE_E164, CANARY_PHONE, "06 47 29 18 53"),
        "profile: birth date": (CANARY_BIRTH_DATE.isoformat(),),
        "profile: nationality": ("NZ", "New Zealand"),
        "consent: health data": ("health_data",),
        "consent: marketing": ("marketing",),
        "consent: the version of the text she consented to": (CONSENT_VERSION,),
        "consent: when she gave it": ("2030-01-05T08:00", "2030-01-05 08:00"),
        "data request: the rectification she asked": (RECTIFICATION_TEXT,),
        "quote request: subject": (scenario.quote_request.subject,),
        "quote request: description": (scenario.quote_request.description,),
        "quote: the clinic's answer (its total)": (scenario.quote.total_amount, "4,000.00", "4000.00"),
        "quote: a line of it": ("Transoesophageal echo",),
        "booking: its appointment": ("2030-02-04",),
        "booking: its status": ("completed",),
        "booking: the clinic": (scenario.clinic.name,),
        "payment: the deposit's amount": (deposit.amount, "500.00"),
        "payment: the card payment's reference": (deposit.payment_intent_id or scenario.booking.payment_reference,),
        "add-on order: the visa letters (passport number)": (CANARY_PASSPORT,),
        "second opinion: the question asked": ("need the valve repaired now",),
        "second opinion: the signed opinion's recommendation": ("Watchful waiting with a check-up in 12 months",),
        "second opinion: her follow-up question": ("may I fly to Paris in June with this valve",),
        "documents: the first one's title": (scenario.documents[0].title,),
        "documents: the second one's title": (scenario.documents[1].title,),
        "audit: the clinic's nurse reading her documents (when)": ("2030-01-07T09:00", "2030-01-07 09:00"),
    }
    for message in messages:
        shown = message.subject or message.body.strip()[:60]
        items[f"message sent to her: {message.channel} {message.event} ({message.pk})"] = (shown,)
    return items


def _storage_bytes(path: str) -> bytes:
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue
        storage = storages[alias]
        if storage.exists(path):
            with storage.open(path, "rb") as handle:
                return handle.read()
    pytest.fail(f"the export's file {path!r} is in no storage")


def _zip_bytes(stored: bytes) -> bytes:
    """The ZIP as stored, or decrypted with the documents' keys when it is stored encrypted."""
    if zipfile.is_zipfile(io.BytesIO(stored)):
        return stored
    try:
        return MultiFernet([Fernet(key) for key in settings.DOCUMENT_KEYS]).decrypt(stored)
    except (InvalidToken, ValueError) as error:
        pytest.fail(f"the export's file is neither a ZIP nor encrypted with DOCUMENT_KEYS: {error}")


def test_the_export_holds_every_item_of_her_record_and_both_documents(stripe_emulator, twilio):  # noqa: F811
    from privacy.services.export import export_collect
    from privacy.services.requests import request_open

    scenario = build_scenario(emulator=stripe_emulator)
    patient, now = scenario.patient, scenario.erase_at
    request_open(user=patient, kind=RequestKind.RECTIFICATION, details=RECTIFICATION_TEXT, now=now)
    request_open(user=patient, kind=RequestKind.EXPORT, now=now)

    data, files = export_collect(user=patient, now=now)

    json.dumps(data)  # plain JSON values only (it raises otherwise)
    found = Found(data)
    missing = [item for item, forms in expected_items(scenario).items() if not found.any(*forms)]
    assert missing == [], f"the export lacks: {missing}"

    contents = [content for _path, content in files]
    for document in scenario.documents:
        assert scenario.document_bytes[str(document.pk)] in contents, f"document {document.pk} is not in the files"
    paths = [path for path, _content in files]
    assert len(paths) == len(set(paths)), f"two files share a path in the ZIP: {paths}"
    if scenario.opinion_document is not None:
        assert len(contents) >= 3, "the signed opinion's PDF (one of her documents) is not in the files"


def test_the_export_zip_opens_with_its_data_its_summary_and_her_documents(stripe_emulator, twilio):  # noqa: F811
    from privacy.services.export import export_build
    from privacy.services.requests import request_open

    scenario = build_scenario(emulator=stripe_emulator)
    patient, now = scenario.patient, scenario.erase_at
    audited = AuditEvent.objects.count()

    request = request_open(user=patient, kind=RequestKind.EXPORT, now=now)
    export_build(request_id=request.pk, now=now)
    request.refresh_from_db()

    assert request.status == RequestStatus.DONE
    assert request.progress == 100
    assert request.export_path
    assert request.export_expires_at is not None
    assert request.export_expires_at - now == dt.timedelta(days=7)
    with zipfile.ZipFile(io.BytesIO(_zip_bytes(_storage_bytes(request.export_path)))) as archive:
        names = archive.namelist()
        data_names = [name for name in names if name.rsplit("/", 1)[-1] == "data.json"]
        summary_names = [name for name in names if name.rsplit("/", 1)[-1] == "summary.html"]
        assert data_names, f"no data.json in {names}"
        assert summary_names, f"no summary.html in {names}"
        data = json.loads(archive.read(data_names[0]))
        summary = archive.read(summary_names[0]).decode()
        members = [archive.read(name) for name in names]
    assert Found(data).any(CANARY_EMAIL), "data.json does not hold her e-mail"
    assert CANARY_LAST_NAME in summary, "the summary does not name her"
    for document in scenario.documents:
        assert scenario.document_bytes[str(document.pk)] in members, f"document {document.pk} is not in the ZIP"
    # Every export is audited (ids only: the audit never holds her data).
    events = AuditEvent.objects.order_by("pk")[audited:]
    assert any("export" in event.action for event in events), [event.action for event in events]
    for event in events:
        assert CANARY_EMAIL not in json.dumps([event.before, event.after], default=str)
