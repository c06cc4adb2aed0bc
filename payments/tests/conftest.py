"""The local Stripe emulator (localstripe) as a fixture, and helpers that act as Stripe.js would.

One emulator per test session, on a free port, started `--from-scratch`; each test that asks for
`stripe_emulator` gets it emptied (`DELETE /_config/data`) with the settings pointed at it.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import stripe

from payments import gateway

PUBLISHABLE_KEY = "pk_test_medibroker_tests"
SECRET_KEY = "sk_test_medibroker_tests"
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000002"  # refused while the card is collected (SetupIntent)
CARD_DECLINED_ON_CHARGE = "4000000000000341"  # collected fine, refused when charged
CARD_3DS = "4000002760003184"  # the bank asks for 3-D Secure


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"localstripe exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{base}/js.stripe.com/v3/", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(f"localstripe did not answer at {base} within {timeout:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def stripe_emulator_base(tmp_path_factory):
    """Start `localstripe --port <free port>` for the session; its address."""
    workdir = tmp_path_factory.mktemp("localstripe")
    log = workdir / "localstripe.log"
    port = _free_port()
    executable = shutil.which("localstripe", path=str(Path(sys.executable).parent))
    if executable:
        command = [executable]
    elif importlib.util.find_spec("localstripe"):
        command = [sys.executable, "-m", "localstripe"]
    else:
        pytest.fail("localstripe is not installed: the payment tests need the `emulator` extra (make test installs it)")
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 -- a fixed command line of ours
            [*command, "--port", str(port), "--from-scratch"],
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Emulator:
    """The emulator of one test, and what Stripe.js does against it in a browser."""

    base: str

    def confirm_card_setup(self, client_secret: str, number: str) -> requests.Response:
        """`stripe.confirmCardSetup(clientSecret, {payment_method: {card}})`: the card goes
        straight from the browser to Stripe, never through our server."""
        setup_intent = client_secret.split("_secret_")[0]
        return requests.post(
            f"{self.base}/v1/setup_intents/{setup_intent}/confirm",
            data={
                "key": PUBLISHABLE_KEY,
                "client_secret": client_secret,
                "use_stripe_sdk": "true",
                "payment_method_data[type]": "card",
                "payment_method_data[card][number]": number,
                "payment_method_data[card][exp_month]": "12",
                "payment_method_data[card][exp_year]": "2034",
                "payment_method_data[card][cvc]": "123",
            },
            timeout=10,
        )

    def collect_card(self, client_secret: str, number: str) -> str:
        """The PaymentMethod a SetupIntent collected (completing 3-D Secure when asked)."""
        response = self.confirm_card_setup(client_secret, number)
        body = response.json()
        if response.status_code == 200 and body.get("status") == "requires_action":
            setup_intent = client_secret.split("_secret_")[0]
            body = requests.post(
                f"{self.base}/v1/setup_intents/{setup_intent}/confirm",
                data={"key": PUBLISHABLE_KEY, "client_secret": client_secret, "use_stripe_sdk": "true"},
                timeout=10,
            ).json()
        if "payment_method" in body:
            return body["payment_method"]
        setup_intent = client_secret.split("_secret_")[0]
        return requests.get(f"{self.base}/v1/setup_intents/{setup_intent}", auth=(SECRET_KEY, ""), timeout=10).json()[
            "payment_method"
        ]

    def authenticate(self, client_secret: str, *, success: bool = True) -> dict:
        """`stripe.confirmCardPayment(clientSecret)`: the patient completes (or fails) 3-D Secure."""
        payment_intent = client_secret.split("_secret_")[0]
        return requests.post(
            f"{self.base}/v1/payment_intents/{payment_intent}/_authenticate",
            params={"success": "true" if success else "false"},
            data={"key": PUBLISHABLE_KEY, "client_secret": client_secret},
            timeout=10,
        ).json()

    def confirm_payment(self, payment_intent: str, number: str) -> dict:
        """What Stripe's mobile or web SDK does with a PaymentIntent our API opened: the card goes to
        Stripe (a PaymentMethod), is attached to the PaymentIntent, which is confirmed. The emulator
        does not take a card on `confirm` itself, so this goes through Stripe's own client library
        in three calls; the PaymentIntent as Stripe has it after, `requires_action` asking 3-D Secure
        (then `authenticate` with its client secret)."""
        sdk = stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.base})
        card = {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}
        method = sdk.v1.payment_methods.create(params={"type": "card", "card": card})
        sdk.v1.payment_intents.update(payment_intent, params={"payment_method": method.id})
        try:
            return sdk.v1.payment_intents.confirm(payment_intent).to_dict()
        except stripe.StripeError:  # a decline: the PaymentIntent waits for another card
            return sdk.v1.payment_intents.retrieve(payment_intent).to_dict()

    def get(self, path: str) -> dict:
        return requests.get(f"{self.base}{path}", auth=(SECRET_KEY, ""), timeout=10).json()


@pytest.fixture
def stripe_emulator(stripe_emulator_base, settings):
    """The session's emulator, emptied, with the settings pointed at it."""
    requests.delete(f"{stripe_emulator_base}/_config/data", timeout=10).raise_for_status()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_API_BASE = stripe_emulator_base
    settings.STRIPE_JS_URL = f"{stripe_emulator_base}/js.stripe.com/v3/"
    gateway._client.cache_clear()
    yield Emulator(stripe_emulator_base)
    gateway._client.cache_clear()


@pytest.fixture
def stripe_stub(settings):
    """An HTTP stub of Stripe's refunds and transfers that honours `Idempotency-Key`
    (payments/tests/stripe_stub.py), with the settings pointed at it."""
    from payments.tests.stripe_stub import StripeStub

    stub = StripeStub().start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_API_BASE = stub.base
    gateway._client.cache_clear()
    yield stub
    stub.stop()
    gateway._client.cache_clear()
