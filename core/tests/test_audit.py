"""The audit trail: what `audit_record` writes, and the database refusing to change it afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, connection, transaction

from core.audit import audit_record
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
only_on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite lets DELETE through so that Django can empty tables"
)


@pytest.fixture
def event(patient, careteam):
    return audit_record(
        actor=careteam,
        action="accounts.patient.reviewed",
        target=patient.patient_profile,
        before={"status": "pending"},
        after={"status": "verified"},
        now=NOW,
    )


def refused():
    return pytest.raises(IntegrityError, match="append-only")


# --- writing ----------------------------------------------------------------------------------


def test_an_audit_record_keeps_who_did_what_to_which_object_when(event, patient, careteam):
    stored = AuditEvent.objects.get(pk=event.pk)

    assert stored.actor_id == careteam.pk
    assert stored.action == "accounts.patient.reviewed"
    assert stored.target_type == "accounts.patientprofile"
    assert stored.target_id == str(patient.patient_profile.pk)
    assert stored.before == {"status": "pending"}
    assert stored.after == {"status": "verified"}
    assert stored.at == NOW


def test_an_audit_record_without_a_time_is_stamped_now(patient):
    with time_machine.travel(NOW, tick=False):
        event = audit_record(actor=patient, action="accounts.terms.accepted", target=patient)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.at == NOW
    assert (stored.target_type, stored.target_id) == ("accounts.user", str(patient.pk))
    assert stored.before is None
    assert stored.after is None


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["system", "anonymous"])
def test_an_action_by_nobody_signed_in_is_recorded_without_an_actor(actor, patient):
    event = audit_record(actor=actor, action="accounts.signup.attempted", target=patient, now=NOW)

    assert AuditEvent.objects.get(pk=event.pk).actor_id is None


def test_the_actor_is_kept_after_the_account_is_deleted(event, careteam):
    careteam_id = careteam.pk

    careteam.delete()

    assert AuditEvent.objects.get(pk=event.pk).actor_id == careteam_id


@pytest.mark.parametrize(
    "action",
    [
        "accepted",
        "Accounts.terms.accepted",
        "accounts.",
        ".accepted",
        "accounts..accepted",
        "accounts.terms accepted",
        "",
    ],
)
def test_an_action_not_in_dotted_form_is_refused(action, patient):
    with pytest.raises(ValueError, match="dotted form"):
        audit_record(actor=patient, action=action, target=patient, now=NOW)

    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ["accounts.terms.accepted", "payments.deposit_2.paid", "a.b"])
def test_an_action_in_dotted_form_is_recorded(action, patient):
    audit_record(actor=patient, action=action, target=patient, now=NOW)

    assert list(AuditEvent.objects.values_list("action", flat=True)) == [action]


def test_events_are_listed_newest_first(patient):
    older = audit_record(actor=patient, action="accounts.terms.accepted", target=patient, now=NOW)
    newer = audit_record(actor=patient, action="accounts.terms.accepted", target=patient, now=NOW + dt.timedelta(1))
    same_time = audit_record(actor=patient, action="accounts.terms.accepted", target=patient, now=NOW)

    assert list(AuditEvent.objects.all()) == [newer, same_time, older]


# --- the database refuses changes ---------------------------------------------------------------


def test_the_database_refuses_a_queryset_update_of_an_audit_event(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="accounts.patient.rejected")

    assert AuditEvent.objects.get(pk=event.pk).action == "accounts.patient.reviewed"


def test_the_database_refuses_saving_a_changed_audit_event(event):
    event.after = {"status": "rejected"}

    with refused(), transaction.atomic():
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).after == {"status": "verified"}


def test_the_database_refuses_an_update_in_raw_sql(event):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE marketplace_auditevent SET actor_id = NULL WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).actor_id == event.actor_id


@only_on_postgresql
def test_the_database_refuses_deleting_audit_events(event):
    with refused(), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with refused(), transaction.atomic():
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


@only_on_postgresql
def test_the_database_refuses_a_delete_in_raw_sql(event):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM marketplace_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_new_events_can_still_be_appended_after_a_refused_change(event, patient):
    with refused(), transaction.atomic():
        AuditEvent.objects.update(action="accounts.patient.rejected")

    audit_record(actor=patient, action="accounts.terms.accepted", target=patient, now=NOW)

    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "accounts.patient.reviewed",
        "accounts.terms.accepted",
    ]
