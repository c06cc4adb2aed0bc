"""Helpers shared by tests of different apps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from marketplace.env import OUR_PREFIXES

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run `manage.py` in a fresh process (settings are read once per process) with only `env`
    among MediBroker's own variables, so that the caller's configuration does not leak in."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OUR_PREFIXES)}
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "marketplace.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
