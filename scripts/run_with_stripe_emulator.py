"""Run a command (`make run`: the development server) with the local Stripe emulator beside it.

Used by `make run`. Without a Stripe secret key in the settings (environment or .env), payments go
to localstripe at STRIPE_API_BASE (default http://127.0.0.1:8420):
1. start localstripe on its port in the background (scripts/localstripe_server.py: its objects in
   var/localstripe.pickle, this checkout's own; log in var/localstripe.log), unless something
   already answers there, and wait until it does;
2. point its webhooks at our endpoint (`/payments/stripe/webhook/` on SITE_URL), signed with
   STRIPE_WEBHOOK_SECRET;
3. run each `--before` command in turn (`make run`: the demo's seed, which pays its demo orders with
   the emulator's test card), stopping at the first that fails;
4. start each `--beside` command (`make run`: the periodic jobs, `manage.py run_periodic_jobs`) and
   the command; once the site answers, print the `--banner` file (`make run`: the demo's logins,
   written by the seed), so that it comes last on the console;
5. when the command ends (or on Ctrl-C), stop the `--beside` commands and the emulator we started.
With a real key, the emulator is left out and the rest is the same. What the seed paid stays in
var/localstripe.pickle for the next run (delete it with var/db.sqlite3 to start afresh).

    python scripts/run_with_stripe_emulator.py --site http://127.0.0.1:8000 -- python manage.py runserver 127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_ID = "medibroker"
VAR = ROOT / "var"


def _answers(base: str) -> bool:
    try:
        with urlopen(f"{base}/js.stripe.com/v3/", timeout=1) as response:  # noqa: S310 -- our local emulator
            return response.status == 200
    except (URLError, OSError):
        return False


def _register_webhook(base: str, url: str, secret: str) -> None:
    data = urlencode({"url": url, "secret": secret}).encode()
    request = Request(f"{base}/_config/webhooks/{WEBHOOK_ID}", data=data, method="POST")  # noqa: S310
    with urlopen(request, timeout=5):  # noqa: S310 -- our local emulator
        pass


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _stop(process: subprocess.Popen) -> None:
    """Ask a process to stop (SIGTERM), and kill it after 10 seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _print_when_up(site: str, banner: Path, server: subprocess.Popen) -> None:
    """Print `banner` once the site answers (its first page), so that it is the last thing shown."""
    deadline = time.monotonic() + 120
    while server.poll() is None and time.monotonic() < deadline:
        try:
            with urlopen(f"{site.rstrip('/')}/healthz", timeout=2):  # noqa: S310 -- our own local server
                break
        except HTTPError:
            break  # it answers, if not 200
        except (URLError, OSError):
            time.sleep(0.5)
    else:
        return
    if banner.exists():
        text = banner.read_text().rstrip()
        print(f"\n{text}\nThe site: {site.rstrip('/')}/ (Ctrl-C stops everything)", flush=True)


def _settings():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default="http://127.0.0.1:8000", help="where the site answers (for the webhook)")
    parser.add_argument(
        "--before", action="append", default=[], help="a command to run first, once the emulator answers (repeatable)"
    )
    parser.add_argument(
        "--beside", action="append", default=[], help="a command run beside the command, stopped with it (repeatable)"
    )
    parser.add_argument(
        "--emulator-dir", type=Path, default=VAR, help="where the emulator keeps its objects and log (default var/)"
    )
    parser.add_argument("--banner", type=Path, help="a file to print once the site answers (the demo's logins)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
    args.emulator_dir = args.emulator_dir.resolve()
    args.emulator_dir.mkdir(parents=True, exist_ok=True)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")

    settings = _settings()
    emulator = None
    if settings.STRIPE_EMULATED:
        base = settings.STRIPE_API_BASE.rstrip("/")
        port = urlsplit(base).port or 8420
        if _answers(base):
            print(f"Stripe emulator: already running at {base}")
        else:
            # A development tool (the `emulator` extra), never in a production install.
            if importlib.util.find_spec("localstripe") is None:
                print(
                    "Stripe emulator: localstripe is not installed (the `emulator` extra, which `make run` installs);"
                    " or set STRIPE_SECRET_KEY to use Stripe itself",
                    file=sys.stderr,
                )
                return 1
            state, log_path = args.emulator_dir / "localstripe.pickle", args.emulator_dir / "localstripe.log"
            log = log_path.open("a")
            server = [sys.executable, str(ROOT / "scripts" / "localstripe_server.py"), "--state", str(state)]
            emulator = subprocess.Popen(  # noqa: S603 -- a fixed command line of ours
                [*server, "--port", str(port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=args.emulator_dir,
            )
            deadline = time.monotonic() + 30
            while not _answers(base):
                if emulator.poll() is not None or time.monotonic() > deadline:
                    print(f"Stripe emulator did not start at {base}: see {_shown(log_path)}", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            print(
                f"Stripe emulator: localstripe at {base} (its objects in {_shown(state)}, log in {_shown(log_path)});"
                " test card 4242 4242 4242 4242"
            )
        webhook = f"{args.site.rstrip('/')}/payments/stripe/webhook/"
        _register_webhook(base, webhook, settings.STRIPE_WEBHOOK_SECRET)
        print(f"Stripe emulator: webhooks go to {webhook}")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    besides: list[subprocess.Popen] = []
    try:
        for before in args.before:
            finished = subprocess.run(shlex.split(before), check=False)  # noqa: S603 -- the command make passes
            if finished.returncode != 0:
                print(f"{before!r} failed (exit {finished.returncode})", file=sys.stderr)
                return finished.returncode
        for companion in args.beside:
            besides.append(subprocess.Popen(shlex.split(companion)))  # noqa: S603 -- the command make passes
        child = subprocess.Popen(command)  # noqa: S603 -- the command make passes
        if args.banner is not None:
            threading.Thread(target=_print_when_up, args=(args.site, args.banner, child), daemon=True).start()
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            try:
                return child.wait(timeout=10)
            except subprocess.TimeoutExpired:  # it ignores SIGINT (started in the background): SIGTERM
                _stop(child)
                return 130
    except KeyboardInterrupt:
        return 130
    finally:
        for companion in besides:
            _stop(companion)
        if emulator is not None:
            _stop(emulator)


if __name__ == "__main__":
    sys.exit(main())
