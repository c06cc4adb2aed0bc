"""Response headers every page sends: a strict Content-Security-Policy everywhere, Stripe's origins
only where Stripe.js takes a card, and `Cache-Control: private, no-store` on every answer to a
signed-in person (pages and API), while anonymous public pages keep normal caching."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.test_no_server_errors import PATHS, SKIP, _real_path, _routes, people, scene  # noqa: F401 -- fixtures

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
STRIPE = ("stripe.com", "127.0.0.1:8420")


def _policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy", "")
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in header.split(";")) if d}


def _strict(response) -> bool:
    """The required directives, exactly; on a Stripe.js page, script-src may add Stripe's origins."""
    policy = _policy(response)
    if "sandbox" in policy and policy.get("default-src") == "'none'":
        return True  # a file download's own policy (documents): stricter still, nothing runs or loads
    for name, value in REQUIRED.items():
        sources = policy.get(name, "").split()
        extra = [s for s in sources[1:] if not (name == "script-src" and any(h in s for h in STRIPE))]
        if not sources or sources[0] != value or extra:
            return False
    return True


def _private(response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return "no-store" in cache_control and "private" in cache_control


# --- Content-Security-Policy ---------------------------------------------------------------------


def test_every_route_sends_the_strict_policy_to_anyone():
    client = Client(raise_request_exception=False)
    missing = []
    for path in PATHS:
        response = client.get(path)
        if not _strict(response) or any(host in response["Content-Security-Policy"] for host in STRIPE):
            missing.append(f"{path} → {response.status_code} {response.get('Content-Security-Policy')!r}")
    assert missing == []


@pytest.mark.parametrize("who", ["patient", "careteam"])
def test_every_page_about_real_objects_sends_the_policy_and_is_never_cached(scene, people, who):  # noqa: F811
    client = Client(raise_request_exception=False)
    client.force_login(people[who])
    paths = sorted(
        {p for p in (_real_path(r, scene) for r in _routes()) if p is not None and not p.lstrip("/").startswith(SKIP)}
    )
    wrong = []
    for path in paths:
        response = client.get(path)
        if not _strict(response):
            wrong.append(f"CSP {path} → {response.status_code} {response.get('Content-Security-Policy')!r}")
        if not _private(response):
            wrong.append(f"Cache-Control {path} → {response.status_code} {response.get('Cache-Control')!r}")
    assert len(paths) > 50
    assert wrong == []


def test_the_deposit_page_allows_stripe_and_nothing_else_does(scene, people):  # noqa: F811
    client = Client()
    client.force_login(people["patient"])

    pay = client.get(f"/payments/bookings/{scene['booking_id']}/pay/")
    booking = client.get(f"/bookings/{scene['booking_id']}/")

    assert pay.status_code == 200
    policy = _policy(pay)
    assert "https://js.stripe.com" in policy["script-src"].split()
    assert "http://127.0.0.1:8420" in policy["script-src"].split()  # the emulator's Stripe.js stand-in
    assert "https://api.stripe.com" in policy["connect-src"].split()
    assert "https://hooks.stripe.com" in policy["frame-src"].split()
    assert _strict(pay)  # still no inline script, no framing, no plugin
    assert "stripe" not in booking["Content-Security-Policy"]


def test_the_api_docs_run_without_inline_script(client):
    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200
    assert _policy(page)["script-src"] == "'self'"
    assert "<script>" not in page.content.decode()
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


# Executable inline script: a <script> without src (JSON and JSON-LD data blocks are not run).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE = re.compile(r"\sstyle\s*=|<style", re.IGNORECASE)


def _templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    for app in ROOT.iterdir():
        if (app / "templates").is_dir() and app.name != ".venv":
            found += (app / "templates").rglob("*.html")
    return found


OFFLINE = {Path("privacy/templates/privacy/export_summary.html")}


def test_no_template_has_inline_script_handlers_or_styles():
    inline = []
    for template in _templates():
        text = template.read_text(encoding="utf-8")
        name = template.relative_to(ROOT)
        if INLINE_SCRIPT.search(text):
            inline.append(f"{name}: inline <script>")
        if HANDLER.search(text):
            inline.append(f"{name}: on…= handler")
        # E-mails are read in mail clients, which need inline styles and never see our policy; the
        # summary inside a data export's ZIP is a file opened from the person's disk, never served.
        if STYLE.search(text) and "/email" not in str(name) and "email_" not in template.name and name not in OFFLINE:
            inline.append(f"{name}: inline style")
    assert len(_templates()) > 50
    assert inline == []


# --- Cache-Control ----------------------------------------------------------------------------


def test_anonymous_public_pages_keep_normal_caching(client):
    for path in ["/", "/search/", "/legal/notice/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path


def test_the_same_public_pages_are_never_cached_for_a_signed_in_person(client, patient):
    client.force_login(patient)

    for path in ["/", "/search/", "/legal/notice/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _private(response), path


def test_the_api_answers_are_never_cached_whatever_the_authentication(patient):
    session = APIClient()
    session.force_login(patient)
    token = APIClient()
    _token, secret = api_token_create(user=patient, device="Test phone", now=timezone.now())
    token.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    forced = APIClient()
    forced.force_authenticate(patient)

    for client in (session, token, forced):
        for path in ["/api/v1/me", "/api/v1/bookings/", "/api/v1/search/"]:
            response = client.get(path)
            assert response.status_code == 200, (path, response.content)
            assert _private(response), path
    assert "no-store" not in APIClient().get("/api/v1/search/").get("Cache-Control", "")


def test_a_staff_health_report_is_never_cached(client, careteam):
    client.force_login(careteam)

    assert _private(client.get("/healthz"))


@pytest.mark.parametrize("who", ["anonymous", "patient", "careteam"])
def test_no_page_as_served_has_inline_script_handlers_or_styles(scene, people, who):  # noqa: F811
    """The rendered pages, third parties' templates (allauth, the admin) included."""
    client = Client(raise_request_exception=False)
    if people[who] is not None:
        client.force_login(people[who])
    paths = {
        p for p in (_real_path(r, scene) for r in _routes()) if p is not None and not p.lstrip("/").startswith(SKIP)
    }
    paths |= {"/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/accounts/email/", "/admin/"}
    paths |= {"/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/password/change/"}
    inline = []
    for path in sorted(paths):
        response = client.get(path)
        if "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for what, pattern in [("inline <script>", INLINE_SCRIPT), ("on…= handler", HANDLER), ("style", STYLE)]:
            if pattern.search(html):
                inline.append(f"{path}: {what}")
    assert inline == []
