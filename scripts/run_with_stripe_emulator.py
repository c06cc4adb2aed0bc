"""Run a command (`make run`: the development server) with the local Stripe emulator beside it.

Used by `make run`. Without a Stripe secret key in the settings (environment or .env), payments go
to localstripe at STRIPE_API_BASE (default http://127.0.0.1:8420):
1. start `localstripe --port <its port>` in the background (log in var/localstripe.log), unless
   something already answers there, and wait until it does;
2. point its webhooks at our endpoint (`/payments/stripe/webhook/` on SITE_URL), signed with
   STRIPE_WEBHOOK_SECRET;
3. run each `--before` command in turn (`make run`: the demo's seed, which pays its demo orders with
   the emulator's test card), stopping at the first that fails;
4. run the command, and stop the emulator we started when the command ends (or on Ctrl-C).
With a real key, the commands simply run. localstripe keeps its objects in /tmp/localstripe.pickle
between runs, so what the seed paid is still there the next time.

    python scripts/run_with_stripe_emulator.py --site http://127.0.0.1:8000 -- python manage.py runserver 127.0.0.1:8000
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.error import URLError
from urllib.parse import urlencode, urlsplit
from urllib.request import Request, urlopen

ROOT = Path(__file__).resolve().parent.parent
WEBHOOK_ID = "medibroker"


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
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    args = parser.parse_args()
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
            beside_python = str(Path(sys.executable).parent)
            executable = shutil.which("localstripe", path=beside_python) or shutil.which("localstripe")
            if executable is None:
                print(
                    "Stripe emulator: localstripe is not installed (the `emulator` extra, which `make run` installs);"
                    " or set STRIPE_SECRET_KEY to use Stripe itself",
                    file=sys.stderr,
                )
                return 1
            log = (ROOT / "var" / "localstripe.log").open("a")
            emulator = subprocess.Popen(  # noqa: S603 -- a fixed command line of ours
                [executable, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT / "var"
            )
            deadline = time.monotonic() + 30
            while not _answers(base):
                if emulator.poll() is not None or time.monotonic() > deadline:
                    print(f"Stripe emulator did not start at {base}: see var/localstripe.log", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            print(f"Stripe emulator: localstripe at {base} (log in var/localstripe.log); test card 4242 4242 4242 4242")
        webhook = f"{args.site.rstrip('/')}/payments/stripe/webhook/"
        _register_webhook(base, webhook, settings.STRIPE_WEBHOOK_SECRET)
        print(f"Stripe emulator: webhooks go to {webhook}")

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        for before in args.before:
            finished = subprocess.run(shlex.split(before), check=False)  # noqa: S603 -- the command make passes
            if finished.returncode != 0:
                print(f"{before!r} failed (exit {finished.returncode})", file=sys.stderr)
                return finished.returncode
        child = subprocess.Popen(command)  # noqa: S603 -- the command make passes
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.send_signal(signal.SIGINT)
            return child.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if emulator is not None:
            emulator.terminate()
            try:
                emulator.wait(timeout=10)
            except subprocess.TimeoutExpired:
                emulator.kill()


if __name__ == "__main__":
    sys.exit(main())
