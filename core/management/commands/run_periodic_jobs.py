"""`manage.py run_periodic_jobs`: the periodic jobs of Celery beat's schedule, beside the demo's server.

`make run` starts it beside `runserver` (scripts/run_with_stripe_emulator.py --beside) and stops it
with the server. Without a broker (the embedded default: no REDIS_URL, tasks eager) the jobs run
in this process (core/periodic.py), one line on the console per round of due jobs. With a broker it
becomes a Celery worker with beat (`celery -A config worker --beat`), the jobs going through Redis.
Only one runs per database: a second one finds its lock in var/ taken and stops at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import logging
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.periodic import JobRun, PeriodicRunner


def lock_name(database: dict[str, Any]) -> str:
    """The lock file of the periodic jobs of one database (var/periodic-jobs.<digest>.lock)."""
    where = f"{database.get('ENGINE')}|{database.get('HOST')}|{database.get('PORT')}|{database.get('NAME')}"
    return f"periodic-jobs.{hashlib.sha256(where.encode()).hexdigest()[:12]}.lock"


def _summary(result: Any) -> str:
    return "" if result is None else f" {result}"


class Command(BaseCommand):
    help = "Run Celery beat's schedule (in-process without a broker, a worker with beat with one); Ctrl-C stops."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs once, now, and stop")
        parser.add_argument(
            "--job", action="append", default=[], help="with --once: only this job of the schedule (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_TASK_ALWAYS_EAGER and not options["once"]:
            # A broker (REDIS_URL): a real worker that also runs beat, its schedule file in var/.
            # `--once` runs the jobs here whatever the setting: "now" needs no worker.
            command = [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel=info",
                f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
            ]  # fmt: skip
            self.stdout.write("Periodic jobs: a Celery worker with beat (REDIS_URL is set).")
            self.stdout.flush()
            os.execv(sys.executable, command)  # noqa: S606 -- a fixed command line of ours

        # One runner per database: the lock's name is the database's.
        lock_path = settings.VAR_DIR / lock_name(settings.DATABASES["default"])
        lock = lock_path.open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.stderr.write(f"Periodic jobs: already run by another process for this database ({lock_path}).")
            return

        # One line per round (below) rather than Celery's line per task; its errors still show.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        runner = PeriodicRunner.from_settings(report=self._report)
        if options["once"]:
            unknown = set(options["job"]) - {job.name for job in runner.jobs}
            if unknown:
                raise CommandError(f"Not in CELERY_BEAT_SCHEDULE: {', '.join(sorted(unknown))}.")
            jobs = [job for job in runner.jobs if not options["job"] or job.name in options["job"]]
            self._report([runner.run_job(job) for job in jobs])
            return

        stop = threading.Event()

        def ask_to_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGINT, ask_to_stop)
        signal.signal(signal.SIGTERM, ask_to_stop)
        every = [label for _seconds, label in sorted({self._every(job.schedule) for job in runner.jobs})]
        self.stdout.write(
            f"Periodic jobs: the {len(runner.jobs)} jobs of CELERY_BEAT_SCHEDULE run here ({', '.join(every)}); "
            "one line each time some run."
        )
        runner.run_forever(stop)
        self.stdout.write("Periodic jobs: stopped.")

    @staticmethod
    def _every(schedule: object) -> tuple[float, str]:
        seconds = getattr(schedule, "seconds", None)
        if seconds is None:
            return (float("inf"), "others at set times of day")
        minutes = int(seconds // 60)
        return (seconds, f"every {minutes} min" if minutes < 60 else f"every {minutes // 60} h")

    def _report(self, runs: list[JobRun]) -> None:
        moment = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
        parts = [
            f"{run.name} FAILED ({run.error})" if run.error else f"{run.name}{_summary(run.result)}" for run in runs
        ]
        line = f"[periodic {moment} UTC] " + ", ".join(parts)
        self.stdout.write(self.style.ERROR(line) if any(run.error for run in runs) else line)
        self.stdout.flush()
