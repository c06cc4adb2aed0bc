"""Helpers for the notification tests, and for the senders' tests: a fixed time, calls run at once
(PostgreSQL).

The fixture `twilio` (Twilio configured against a recording stub) is in the root `conftest.py`;
a confirmed booking comes from `bookings.tests.support` (`booked`, `confirm`).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

NOW = dt.datetime(2030, 1, 7, 6, 0, tzinfo=dt.UTC)  # bookings.tests.support's NOW: Monday 07:00 in Paris


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency are PostgreSQL's")


def run_at_once(callables) -> list:
    barrier = threading.Barrier(len(callables))
    results: list = []

    def attempt(call):
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except Exception as error:  # the assertion shows it
            results.append(f"error:{error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(c,)) for c in callables]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results
