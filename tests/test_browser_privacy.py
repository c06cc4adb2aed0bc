"""In a real Chromium: a patient takes a copy of her data (the page follows the task's progress and
offers the ZIP once), withdraws her consent to the processing of her health data, then erases her
data and closes her account, and can no longer sign in.

Set MEDIBROKER_SCREENSHOTS to a folder to keep a full-page picture of each step there."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest

from tests.test_browser import HAVE_CHROMIUM, REQUIRE_BROWSER, _sign_in, page  # noqa: F401 -- the page fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not HAVE_CHROMIUM and not REQUIRE_BROWSER, reason="chromium is not installed"),
]


def _shot(page, name: str) -> None:  # noqa: F811 -- `page` is the fixture's value here
    folder = os.environ.get("MEDIBROKER_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"privacy-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_patient_takes_a_copy_withdraws_a_consent_then_erases_her_data(
    live_server,
    page,  # noqa: F811 -- tests/test_browser.py's fixture, imported above
    patient,
    settings,
    tmp_path,
):
    from django.utils import timezone
    from playwright.sync_api import expect

    from accounts.models import ConsentPurpose, User
    from accounts.services import consent_give
    from accounts.tests.factories import PASSWORD
    from documents.models import MedicalDocument
    from documents.services import document_upload
    from documents.tests import samples
    from privacy.models import DataRequest, RequestKind, RequestStatus

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    now = timezone.now()
    consent_give(user=patient, purpose=ConsentPurpose.HEALTH_DATA, now=now)
    blood_test = b"Blood test: ferritin 12 ng/mL"
    document_upload(owner=patient, upload=io.BytesIO(samples.pdf(blood_test.decode())), title="Blood test", now=now)

    # A copy of her data: asked for, made by the task, downloaded once as a ZIP.
    _sign_in(page, live_server.url, patient.email, PASSWORD)
    page.goto(f"{live_server.url}/privacy/")
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    _shot(page, "home")
    page.get_by_role("button", name="Ask for a copy of my data").click()
    download_button = page.get_by_role("button", name="Download my data (ZIP)")
    expect(download_button).to_be_visible()
    _shot(page, "copy-ready")
    with page.expect_download() as download:
        download_button.click()
    with zipfile.ZipFile(download.value.path()) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("data.json"))
        assert "summary.html" in names
        inside = [archive.read(name) for name in names if name.endswith(".pdf")]
    assert data["sections"]["accounts"]["profile"]["first_name"] == patient.patient_profile.first_name
    assert any(blood_test in pdf for pdf in inside), names
    page.goto(f"{live_server.url}/privacy/")
    expect(page.get_by_text("Your last copy was downloaded on")).to_be_visible()
    assert not page.get_by_role("button", name="Download my data (ZIP)").is_visible()  # once only

    # She withdraws her consent to the processing of her health data; the page says what follows.
    page.goto(f"{live_server.url}/privacy/consents/")
    page.locator("details.confirm").first.locator("summary").click()
    _shot(page, "consent-withdraw")
    page.get_by_role("button", name="Yes, withdraw", exact=False).first.click()
    expect(page.get_by_text("withdrawn on", exact=False).first).to_be_visible()
    expect(page.get_by_text("While it is withdrawn we send nothing new to providers", exact=False)).to_be_visible()
    _shot(page, "consent-withdrawn")

    # Erasure: what goes, what stays and until when; confirmed; she ends signed out on the last page.
    page.goto(f"{live_server.url}/privacy/erase/")
    expect(page.get_by_role("heading", name="Kept, and why")).to_be_visible()
    _shot(page, "erasure")
    page.locator("details.confirm summary").click()
    page.get_by_role("button", name="Yes, erase my data and close my account").click()
    expect(page.get_by_text("Your data has been erased")).to_be_visible()
    _shot(page, "erased")

    request = DataRequest.objects.get(user_id=patient.pk, kind=RequestKind.ERASURE)
    assert request.status == RequestStatus.DONE
    account = User.objects.get(pk=patient.pk)
    assert not account.is_active
    assert account.email != "alice@example.test"
    assert MedicalDocument.objects.get(owner_id=patient.pk).shredded_at is not None

    # She cannot sign in any more.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('input[name="login"]', "alice@example.test")
    page.fill('input[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("not correct", exact=False).first).to_be_visible()
