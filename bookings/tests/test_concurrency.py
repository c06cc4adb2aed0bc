"""PostgreSQL: quote bookings and direct holds race for one time; tasks run twice at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from accounts.tests.factories import PatientFactory
from bookings.models import Appointment, Booking, BookingStatus
from bookings.policy import Reason
from bookings.services import (
    booking_apply_evidence_deadlines,
    booking_cancel,
    booking_confirm_deposit,
    booking_expire_unpaid,
    booking_hold,
)
from bookings.tests.support import NOW, awaiting, bookable, paris
from core.errors import Conflict
from core.models import AuditEvent


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and SKIP LOCKED are PostgreSQL's")


def run_at_once(callables) -> list[str]:
    barrier = threading.Barrier(len(callables))
    results: list[str] = []

    def attempt(call):
        try:
            barrier.wait(timeout=30)
            value = call()
            results.append(f"ok:{value}" if isinstance(value, int) else "ok")
        except Conflict as error:
            results.append(f"conflict:{error.code}")
        except Exception as error:  # anything else is a failure the assertion shows
            results.append(f"error:{error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_quote_bookings_and_holds_racing_for_one_time_leave_exactly_one():
    require_postgresql()
    offering = bookable()
    patients = [PatientFactory() for _ in range(10)]
    slot = [(paris(10), paris(10, 30))]

    calls = [
        (lambda p=p: awaiting(p, offering.provider, slots=slot, payment_deadline=paris(9)))
        if index % 2
        else (lambda p=p: booking_hold(patient=p, offering=offering, start=paris(10), now=NOW))
        for index, p in enumerate(patients)
    ]
    results = run_at_once(calls)

    assert sorted(results) == ["conflict:slot_taken"] * 9 + ["ok"]
    assert Appointment.objects.filter(live=True).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_unpaid_expiry_and_evidence_deadline_tasks_run_twice_at_once_do_the_work_once():
    require_postgresql()
    offering = bookable()
    unpaid = [
        awaiting(
            PatientFactory(),
            offering.provider,
            slots=[(paris(h, day=dt.date(2030, 2, 4)), paris(h, 30, day=dt.date(2030, 2, 4)))],
        )
        for h in (9, 10, 11)
    ]
    patient = PatientFactory()
    cancelled = awaiting(
        patient, offering.provider, slots=[(paris(14, day=dt.date(2030, 2, 4)), paris(15, day=dt.date(2030, 2, 4)))]
    )
    booking_confirm_deposit(booking=cancelled, payment_reference="pi", paid_at=NOW, now=NOW)
    booking_cancel(booking=cancelled, actor=patient, reason=Reason.DEATH, now=NOW)
    later = NOW + dt.timedelta(days=15)

    expiry = run_at_once([lambda: booking_expire_unpaid(now=later)] * 2)
    deadlines = run_at_once([lambda: booking_apply_evidence_deadlines(now=later)] * 2)

    assert sum(int(r.split(":")[1]) for r in expiry) == 3, expiry
    assert sum(int(r.split(":")[1]) for r in deadlines) == 1, deadlines
    assert Booking.objects.filter(pk__in=[b.pk for b in unpaid], status=BookingStatus.EXPIRED).count() == 3
    assert AuditEvent.objects.filter(action="bookings.booking.expired").count() == 3
    assert AuditEvent.objects.filter(action="bookings.evidence.deadline_passed").count() == 1
