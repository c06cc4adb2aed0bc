"""A local S3-compatible server for the storage tests: moto's, from PyPI (moto[server]).

CI starts one on 127.0.0.1:5100 and says so with MEDIBROKER_TEST_S3_ENDPOINT (.ci/run); otherwise
the tests start their own on a free port. When none can be reached the storage tests are skipped,
or fail when MEDIBROKER_REQUIRE_S3=1 (as in CI).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REGION = "eu-west-3"
ACCESS_KEY = "medibroker-test"
SECRET_KEY = "medibroker-test-secret"  # moto accepts any credentials


def answers(endpoint: str, *, timeout: float = 1.0) -> bool:
    """Whether an HTTP server answers at `endpoint` (any status counts: S3 says 403 to strangers)."""
    try:
        urllib.request.urlopen(endpoint, timeout=timeout)  # noqa: S310 -- http://127.0.0.1 only
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def s3_server() -> Iterator[str | None]:
    """The endpoint of an S3-compatible server, or None when none is configured and moto's cannot start."""
    configured = os.environ.get("MEDIBROKER_TEST_S3_ENDPOINT", "").strip()
    if configured:
        yield configured if answers(configured, timeout=5) else None
        return
    port = _free_port()
    try:
        process = subprocess.Popen(  # noqa: S603 -- moto from our own environment, fixed arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        yield None
        return
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and process.poll() is None and not answers(endpoint):
            time.sleep(0.2)
        yield endpoint if process.poll() is None and answers(endpoint) else None
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def storage_options(endpoint: str, bucket: str) -> dict[str, Any]:
    """The S3Storage options STORAGE_URL would give for this bucket, with the test credentials."""
    from config.storage import storage_from_url

    url = f"s3://{ACCESS_KEY}:{SECRET_KEY}@{bucket}?endpoint_url={endpoint}&region_name={REGION}&addressing_style=path"
    return storage_from_url(url)


def new_bucket(endpoint: str) -> str:
    """A fresh, empty bucket on the server."""
    import boto3

    name = f"medibroker-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name
