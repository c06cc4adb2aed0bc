"""The periodic jobs of `make run` (core/periodic.py): Celery beat's own schedule, run in-process."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery import current_app
from celery.schedules import crontab
from celery.schedules import schedule as every
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from bookings.models import BookingStatus
from bookings.services import booking_hold
from bookings.tests.support import PARIS, bookable
from core.management.commands.run_periodic_jobs import lock_name
from core.periodic import Job, PeriodicRunner, beat_jobs


def _backdate(runner: PeriodicRunner, *names: str, by: dt.timedelta = dt.timedelta(minutes=2)) -> None:
    for job in runner.jobs:
        if job.name in names:
            job.last_run_at -= by


def test_the_runner_runs_the_beat_schedule_itself_same_tasks_same_intervals():
    runner = PeriodicRunner.from_settings()

    assert [job.name for job in runner.jobs] == list(settings.CELERY_BEAT_SCHEDULE)
    for job in runner.jobs:
        entry = settings.CELERY_BEAT_SCHEDULE[job.name]
        assert job.task == entry["task"]
        if isinstance(entry["schedule"], dt.timedelta):
            assert isinstance(job.schedule, every)
            assert job.schedule.run_every == entry["schedule"]
        else:
            assert isinstance(job.schedule, crontab)
            assert job.schedule == entry["schedule"]
        # Every task of the schedule exists: a misspelt name would never run, in beat or here.
        assert job.task in _registered(runner, job)


def _registered(runner: PeriodicRunner, job: Job) -> set[str]:
    from core.periodic import _task

    _task(runner.app, job.task)
    return set(runner.app.tasks)


def test_the_demo_jobs_the_issue_names_run_every_minute_or_so():
    minutes = {
        job.task: job.schedule.run_every
        for job in PeriodicRunner.from_settings().jobs
        if isinstance(job.schedule, every)
    }
    assert minutes["bookings.tasks.expire_held_bookings"] == dt.timedelta(minutes=1)
    assert minutes["payments.tasks.settle_cancellations"] == dt.timedelta(minutes=1)
    assert minutes["bookings.tasks.send_due_reminders"] <= dt.timedelta(minutes=15)


def test_like_beat_an_interval_job_is_due_one_interval_after_the_start_and_a_daily_one_at_its_time():
    app = current_app._get_current_object()
    jobs = {job.name: job for job in beat_jobs(settings.CELERY_BEAT_SCHEDULE, app=app)}

    assert not any(job.is_due()[0] for job in jobs.values())
    assert 0 < jobs["expire-held-bookings"].is_due()[1] <= 60

    jobs["expire-held-bookings"].last_run_at -= dt.timedelta(seconds=61)
    jobs["expire-unpaid-bookings"].last_run_at -= dt.timedelta(seconds=61)
    assert jobs["expire-held-bookings"].is_due()[0]
    assert not jobs["expire-unpaid-bookings"].is_due()[0]  # every five minutes


@pytest.mark.django_db
def test_one_tick_runs_the_due_jobs_only_and_an_expired_hold_expires(patient):
    offering = bookable()
    now = timezone.now()
    # A weekday morning in Paris two weeks on (open Monday to Friday, 09:00–17:00).
    day = (now + dt.timedelta(days=14)).date()
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    held = booking_hold(
        patient=patient,
        offering=offering,
        start=dt.datetime.combine(day, dt.time(10), tzinfo=PARIS),
        now=now - dt.timedelta(minutes=20),  # held 20 minutes ago: its 15 minutes are over
    )
    reports = []
    runner = PeriodicRunner.from_settings(report=reports.append)

    runner.tick()
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD  # nothing was due yet
    assert reports == []

    _backdate(runner, "expire-held-bookings")
    next_in = runner.tick()

    held.refresh_from_db()
    assert held.status == BookingStatus.EXPIRED
    [[run]] = reports
    assert (run.name, run.result, run.error) == ("expire-held-bookings", 1, None)
    assert 0 < next_in <= 60  # it is checked again within the minute


@pytest.mark.django_db
def test_a_failing_job_is_reported_and_the_others_still_run(monkeypatch):
    reports = []
    runner = PeriodicRunner.from_settings(report=reports.append)
    monkeypatch.setattr("bookings.tasks.booking_expire_holds", _boom)
    _backdate(runner, "expire-held-bookings", "settle-cancellations")

    runner.tick()

    [runs] = reports
    assert [(run.name, run.error) for run in runs] == [
        ("expire-held-bookings", "RuntimeError: the database is gone"),
        ("settle-cancellations", None),
    ]


def _boom(**kwargs):
    raise RuntimeError("the database is gone")


@pytest.mark.django_db
def test_run_forever_stops_when_asked_between_two_jobs():
    runner = PeriodicRunner.from_settings()
    stop = threading.Event()
    thread = threading.Thread(target=runner.run_forever, args=(stop,))
    thread.start()
    stop.set()
    thread.join(timeout=5)

    assert not thread.is_alive()


@pytest.mark.django_db
def test_the_command_runs_the_jobs_asked_once_and_says_so(capsys):
    call_command("run_periodic_jobs", "--once", "--job", "expire-held-bookings", "--job", "expire-quotes")

    out = capsys.readouterr().out
    assert "expire-held-bookings 0, expire-quotes 0" in out
    assert "settle-cancellations" not in out


@pytest.mark.django_db
def test_the_command_refuses_a_job_not_in_the_schedule():
    with pytest.raises(CommandError, match="Not in CELERY_BEAT_SCHEDULE: expire-everything"):
        call_command("run_periodic_jobs", "--once", "--job", "expire-everything")


@pytest.mark.django_db
def test_a_second_runner_of_the_same_database_stops_at_once(settings, tmp_path, capsys):
    import fcntl

    settings.VAR_DIR = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the runner of the embedded default (with a broker: a worker)
    with (tmp_path / lock_name(settings.DATABASES["default"])).open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        call_command("run_periodic_jobs")  # would run forever if it took the lock

    assert "already run by another process" in capsys.readouterr().err
