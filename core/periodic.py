"""Celery beat's schedule run in one process, without a broker: the periodic jobs of `make run`.

The schedule is settings.CELERY_BEAT_SCHEDULE, the one `celery beat` reads: there is no second list.
Each entry's due time is computed by Celery's own schedule objects (`timedelta` every so often from
the start, `crontab` at its times), exactly as beat does (an interval job first runs one interval
after the start). A due job's task runs here, in-process and eagerly (`Task.apply`), one after the
other: a job never runs twice at once, and a failing job is logged and tried again at its next time.
With a broker (REDIS_URL), `manage.py run_periodic_jobs` starts a real worker with beat instead.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule, maybe_schedule
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)


@dataclass
class Job:
    """One entry of the beat schedule and when it last ran."""

    name: str
    task: str
    schedule: BaseSchedule
    last_run_at: dt.datetime
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    def is_due(self) -> tuple[bool, float]:
        """(due now, seconds until it should be checked again), as beat asks it."""
        due, next_in = self.schedule.is_due(self.last_run_at)
        return bool(due), float(next_in)


@dataclass(frozen=True)
class JobRun:
    """What one run of a job gave: the task's result, or the error it raised."""

    name: str
    task: str
    seconds: float
    result: Any = None
    error: str | None = None


def beat_jobs(beat_schedule: Mapping[str, Mapping[str, Any]], *, app: Celery) -> list[Job]:
    """The jobs of a beat schedule (settings.CELERY_BEAT_SCHEDULE), each last run now."""
    now = app.now()
    return [
        Job(
            name=name,
            task=entry["task"],
            schedule=maybe_schedule(entry["schedule"], app=app),
            last_run_at=now,
            args=tuple(entry.get("args", ())),
            kwargs=dict(entry.get("kwargs", {})),
        )
        for name, entry in beat_schedule.items()
    ]


def _fresh_connections() -> None:
    """Drop database connections that are too old or broken, as a worker does around each task;
    not inside a transaction (a test's), whose connection must stay open."""
    if not connection.in_atomic_block:
        close_old_connections()


def _task(app: Celery, name: str) -> Any:
    # A task is registered when its module is imported (`app.autodiscover_tasks` is lazy).
    importlib.import_module(name.rsplit(".", 1)[0])
    return app.tasks[name]


class PeriodicRunner:
    """Runs the due jobs of a beat schedule, one at a time, in this process."""

    def __init__(self, jobs: Iterable[Job], *, app: Celery, report: Callable[[list[JobRun]], None] | None = None):
        self.jobs = list(jobs)
        self.app = app
        self.report = report

    @classmethod
    def from_settings(cls, *, report: Callable[[list[JobRun]], None] | None = None) -> PeriodicRunner:
        from celery import current_app
        from django.conf import settings

        # The project's app (config/celery.py), current once Django is set up: core cannot import config.
        app = current_app._get_current_object()
        return cls(beat_jobs(settings.CELERY_BEAT_SCHEDULE, app=app), app=app, report=report)

    def run_job(self, job: Job, *, at: dt.datetime | None = None) -> JobRun:
        """Run `job` now, as if at `at` (the tick's moment, so that jobs due together stay together)."""
        started = time.monotonic()
        job.last_run_at = at or self.app.now()
        _fresh_connections()
        try:
            result = _task(self.app, job.task).apply(args=job.args, kwargs=job.kwargs, throw=True).get()
        except Exception as error:
            logger.exception("periodic job %s (%s) failed", job.name, job.task)
            return JobRun(job.name, job.task, time.monotonic() - started, error=f"{type(error).__name__}: {error}")
        finally:
            _fresh_connections()
        return JobRun(job.name, job.task, time.monotonic() - started, result=result)

    def tick(self, *, should_stop: Callable[[], bool] = lambda: False) -> float:
        """Run every job that is due; the seconds until one may be due again."""
        runs = []
        at = self.app.now()
        for job in [job for job in self.jobs if job.is_due()[0]]:
            if should_stop():
                break
            runs.append(self.run_job(job, at=at))
        if runs and self.report is not None:
            self.report(runs)
        return min(job.is_due()[1] for job in self.jobs) if self.jobs else 60.0

    def run_forever(self, stop: threading.Event) -> None:
        """Tick until `stop` is set (between two jobs: a running job is finished first)."""
        while not stop.is_set():
            next_in = self.tick(should_stop=stop.is_set)
            stop.wait(max(0.5, min(next_in, 60.0)))
