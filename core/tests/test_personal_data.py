"""The kernel's part of the privacy rights: the person's own audit events exported, their stored
API answers deleted, the admin log's descriptions of them redacted, the audit trail kept."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from accounts.services import erasure_subject
from accounts.tests.factories import PatientFactory
from core.audit import audit_record
from core.models import AuditEvent, IdempotencyRecord
from core.personal_data import redact
from core.personal_data_declaration import erase, export, kept

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def alice(db):
    return PatientFactory(email="alice.martin@example.test", profile__first_name="Alice", profile__last_name="Martin")


def _record(user, key):
    return IdempotencyRecord.objects.create(
        user=user,
        key=key,
        method="POST",
        path="/api/v1/quotes/requests/",
        fingerprint="f" * 64,
        status="done",
        response_status=201,
        response_body={"patient": "Alice Martin"},
        created_at=NOW,
    )


def test_the_export_holds_the_persons_own_actions_and_no_one_elses(alice, other_patient):
    audit_record(actor=alice, action="accounts.settings.updated", target=alice, after={"timezone": "UTC"}, now=NOW)
    audit_record(actor=other_patient, action="accounts.settings.updated", target=other_patient, now=NOW)
    _record(alice, "k1")

    section = export(alice, NOW)
    json.dumps(section)

    assert section["audit_events_by_you"] == [
        {
            "action": "accounts.settings.updated",
            "target_type": "accounts.user",
            "target_id": str(alice.pk),
            "at": NOW.isoformat(),
        }
    ]
    assert section["idempotent_requests_on_record"] == 1


def test_erasure_deletes_stored_answers_redacts_the_admin_log_and_keeps_the_trail(alice, other_patient, careteam):
    audit_record(actor=alice, action="accounts.settings.updated", target=alice, now=NOW)
    _record(alice, "k1")
    theirs = _record(other_patient, "k1")
    entry = LogEntry.objects.create(
        user_id=careteam.pk,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(alice.pk),
        object_repr=alice.email,
        action_flag=CHANGE,
        change_message="Changed phone of Alice Martin",
    )
    subject = erasure_subject(alice)

    erase(subject, NOW)
    erase(subject, NOW)  # idempotent

    assert not IdempotencyRecord.objects.filter(user=alice).exists()
    assert IdempotencyRecord.objects.filter(pk=theirs.pk).exists()
    entry.refresh_from_db()
    assert entry.object_repr == subject.pseudonym
    assert entry.change_message == f"Changed phone of {subject.pseudonym}"
    assert AuditEvent.objects.filter(actor_id=alice.pk).count() == 1  # append-only: it stays


def test_kept_is_the_audit_trail_by_id(alice, settings):
    [item] = kept(alice, NOW)
    assert "by number only" in item.what
    assert item.until is None  # its period is the data-protection officer's to set

    settings.AUDIT_RETENTION_YEARS = 2
    audit_record(actor=alice, action="accounts.settings.updated", target=alice, now=NOW)
    [item] = kept(alice, NOW)
    assert "2 years" in item.why
    assert item.until == (NOW + dt.timedelta(days=2 * 365 + 2)).date()


def test_redact_replaces_every_string_case_insensitively(alice):
    subject = erasure_subject(alice)
    assert redact("ALICE MARTIN wrote to alice.martin@example.test", subject) == (
        f"{subject.pseudonym} wrote to {subject.pseudonym}"
    )
