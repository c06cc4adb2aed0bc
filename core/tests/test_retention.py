"""Retention of Idempotency-Key records (docs/decisions.md, "Retention"), with frozen time."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from core.models import IdempotencyRecord
from core.tasks import purge_idempotency_records

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 1, 4, 5, tzinfo=dt.UTC)


def _record(user, key, created_at):
    return IdempotencyRecord.objects.create(
        user=user, key=key, method="POST", path="/api/v1/x/", fingerprint="f" * 64, created_at=created_at
    )


def test_records_go_after_seven_days_not_before(patient, settings):
    assert settings.RETENTION_IDEMPOTENCY_DAYS == 7
    old = _record(patient, "old", NOW - dt.timedelta(days=7, seconds=1))
    young = _record(patient, "young", NOW - dt.timedelta(days=7) + dt.timedelta(seconds=1))

    with time_machine.travel(NOW, tick=False):
        assert purge_idempotency_records.apply().get() == 1
        assert purge_idempotency_records.apply().get() == 0  # idempotent

    assert not IdempotencyRecord.objects.filter(pk=old.pk).exists()
    assert IdempotencyRecord.objects.filter(pk=young.pk).exists()


def test_a_run_takes_at_most_a_batch(patient, settings):
    settings.RETENTION_BATCH_SIZE = 2
    for n in range(3):
        _record(patient, f"k{n}", NOW - dt.timedelta(days=30))
    with time_machine.travel(NOW, tick=False):
        assert purge_idempotency_records.apply().get() == 2
        assert purge_idempotency_records.apply().get() == 1
    assert not IdempotencyRecord.objects.exists()
