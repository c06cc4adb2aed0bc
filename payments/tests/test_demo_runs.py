"""The demo lives (`make run`): a cancelled booking's refund reaches the Stripe emulator through the
periodic jobs run beside the server (core/periodic.py), and the emulator as `make run` starts it
(scripts/localstripe_server.py) keeps its objects in the checkout's own file and takes a card
number as a person types it."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.utils import timezone

from bookings.services import booking_cancel
from core.periodic import PeriodicRunner
from payments.models import Refund, RefundStatus
from payments.tests.conftest import SECRET_KEY, _free_port
from payments.tests.support import paid_booking

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_a_cancelled_bookings_refund_reaches_the_emulator_at_the_next_minute_job(
    stripe_emulator, patient, clinic, django_capture_on_commit_callbacks
):
    now = timezone.now()
    booking = paid_booking(stripe_emulator, patient, clinic, now=now - dt.timedelta(hours=1))
    booking_cancel(booking=booking, actor=patient, reason="none", now=now)
    reports = []
    runner = PeriodicRunner.from_settings(report=reports.append)
    [settle] = [job for job in runner.jobs if job.name == "settle-cancellations"]
    # Within two minutes of the cancellation: the job is due at most one minute after its last run.
    assert settle.is_due()[1] <= 60

    with django_capture_on_commit_callbacks(execute=True):  # the refund goes to Stripe after commit
        runner.tick()
    assert not stripe_emulator.get("/v1/refunds")["data"]  # not due yet: nothing ran

    settle.last_run_at -= dt.timedelta(seconds=61)
    with django_capture_on_commit_callbacks(execute=True):
        runner.tick()

    [refund] = stripe_emulator.get("/v1/refunds")["data"]
    assert (refund["amount"], refund["status"]) == (50_000, "succeeded")
    assert refund["id"] == Refund.objects.get(booking=booking, status=RefundStatus.SUCCEEDED).stripe_refund_id
    [[run]] = reports
    assert (run.name, run.error) == ("settle-cancellations", None)
    assert run.result >= 1  # the refund created (and, the test's commit being late, submitted again)


def _start(state: Path, port: int, *extra: str) -> subprocess.Popen:
    script = [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--state", str(state)]
    process = subprocess.Popen(  # noqa: S603 -- our own script
        [*script, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=state.parent,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the emulator stopped"
        try:
            if requests.get(f"http://127.0.0.1:{port}/js.stripe.com/v3/", timeout=1).status_code == 200:
                return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("the emulator did not answer")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def _card(base: str, number: str) -> requests.Response:
    """What the emulator's card field sends (`stripe.confirmCardSetup` reduced to its PaymentMethod)."""
    return requests.post(
        f"{base}/v1/payment_methods",
        auth=(SECRET_KEY, ""),
        data={
            "type": "card",
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2034",
            "card[cvc]": "123",
        },
        timeout=10,
    )


def test_the_demo_emulator_keeps_its_objects_in_the_given_file_and_takes_card_numbers_as_typed(tmp_path):
    state = tmp_path / "var" / "localstripe.pickle"
    state.parent.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"

    emulator = _start(state, port, "--from-scratch")
    try:
        spaced = _card(base, "4242 4242 4242 4242")
        dashed = _card(base, "4000-0000-0000-0341")
        assert _card(base, "4242 4242 4242").status_code == 400  # still a card number's length
        # The card field moves on to the month after 16 digits, not after "4242 4242 4242 4".
        stripe_js = requests.get(f"{base}/js.stripe.com/v3/", timeout=10).text
    finally:
        _stop(emulator)

    assert "number.replace(/[\\s-]/g, '').length >= 16" in stripe_js
    assert "number.length >= 16" not in stripe_js
    assert spaced.status_code == 200, spaced.text
    assert spaced.json()["card"]["last4"] == "4242"
    assert dashed.status_code == 200, dashed.text
    with state.open("rb") as f:
        kept = pickle.load(f)  # noqa: S301 -- the file the test's emulator wrote
    assert f"payment_method:{spaced.json()['id']}" in kept

    emulator = _start(state, port)  # started again, it finds what it had
    try:
        again = requests.get(f"{base}/v1/payment_methods/{spaced.json()['id']}", auth=(SECRET_KEY, ""), timeout=10)
    finally:
        _stop(emulator)
    assert again.status_code == 200
    assert again.json()["card"]["last4"] == "4242"


BEFORE = """
import datetime as dt, os
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.conf import settings
from django.utils import timezone
from accounts.tests.factories import PatientFactory
from bookings.services import booking_cancel
from payments.tests.conftest import Emulator
from payments.tests.support import paid_booking
now = timezone.now()
patient = PatientFactory()
booking = paid_booking(Emulator(settings.STRIPE_API_BASE), patient, now=now - dt.timedelta(hours=1))
booking_cancel(booking=booking, actor=patient, reason="none", now=now)
print("CANCELLED", booking.pk, flush=True)
"""


def test_in_a_make_run_process_a_cancelled_bookings_refund_reaches_the_emulator_within_two_minutes(tmp_path):
    """`make run` as the Makefile has it (the wrapper, the emulator it starts, the periodic jobs beside
    the command), on a database of its own: a paid booking cancelled once the emulator answers (the
    `--before` step, where `make run` seeds) is refunded in the emulator within two minutes."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STRIPE_SECRET_KEY": "",  # the emulator, whatever a .env says
        "REDIS_URL": "",
        "STRIPE_API_BASE": base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("DJANGO_PRODUCTION", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    command = [
        python, "scripts/run_with_stripe_emulator.py", "--site", "http://127.0.0.1:9",
        "--emulator-dir", str(tmp_path / "var"),
        "--before", f"{python} -c {shlex.quote(BEFORE)}",
        "--beside", f"{python} manage.py run_periodic_jobs",
        "--", python, "-c", "import time; time.sleep(300)",
    ]  # fmt: skip
    wrapper = subprocess.Popen(  # noqa: S603 -- our own script, as the Makefile runs it
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: lines.extend((time.monotonic(), line) for line in wrapper.stdout))
    reader.start()
    refunds: list[dict] = []
    try:
        deadline = time.monotonic() + 200
        while time.monotonic() < deadline and wrapper.poll() is None:
            cancelled = [at for at, line in lines if line.startswith("CANCELLED")]
            if cancelled:
                refunds = requests.get(f"{base}/v1/refunds", auth=(SECRET_KEY, ""), timeout=5).json()["data"]
                if refunds:
                    refunded_after = time.monotonic() - cancelled[0]
                    break
            time.sleep(2)
    finally:
        wrapper.send_signal(signal.SIGINT)  # Ctrl-C
        wrapper.wait(timeout=60)
        reader.join(timeout=10)
    output = "".join(line for _at, line in lines)

    assert refunds, output
    assert refunded_after <= 120, output
    [refund] = refunds
    assert (refund["amount"], refund["status"]) == (50_000, "succeeded")
    assert "settle-cancellations 1" in output
    assert "Periodic jobs: stopped." in output  # stopped with the rest
    assert (tmp_path / "var" / "localstripe.pickle").exists()
    with pytest.raises(requests.ConnectionError):  # the emulator stopped too
        requests.get(f"{base}/js.stripe.com/v3/", timeout=1)
