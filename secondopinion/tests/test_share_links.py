"""Share links: the patient's doctor reads the opinion without an account, for 7 days, audited."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.errors import Conflict, NotFound, ValidationFailed
from core.models import AuditEvent
from secondopinion.models import ShareLink
from secondopinion.services import after
from secondopinion.tests.support_after import OPINION_TEXT, delivered_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(patient, cardiology, martin, martin_user, diagnosis, now):
    return delivered_case(
        patient=patient, specialty=cardiology, specialist=martin, signer=martin_user, diagnosis=diagnosis, now=now
    )


@pytest.fixture
def shared(case, patient, now):
    """A link Alice made for her cardiologist, and its token."""
    return after.share_link_create(case=case, actor=patient, recipient="Dr Dupont, my cardiologist", now=now)


def _url(token: str, pdf: bool = False) -> str:
    return reverse("secondopinion:after_shared_pdf" if pdf else "secondopinion:after_shared", args=[token])


def test_the_token_is_stored_nowhere_only_its_hash(shared):
    link, token = shared
    row = ShareLink.objects.filter(pk=link.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())
    assert len(token) >= 43
    assert link.expires_at - link.created_at == dt.timedelta(days=7)
    assert not AuditEvent.objects.filter(after__icontains=token).exists()


def test_a_live_link_opens_the_opinion_counted_and_audited_with_the_address(shared, case, now):
    link, token = shared
    with time_machine.travel(now + dt.timedelta(days=1), tick=False):
        response = Client(REMOTE_ADDR="203.0.113.9").get(_url(token))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Watchful waiting" in body
    assert "Dr Claire Martin" in body
    assert case.opinion.verification_code in body
    assert "Do I need surgery now?" in body
    assert _url(token, pdf=True) in body
    link.refresh_from_db()
    assert link.opened_count == 1
    event = AuditEvent.objects.get(action="secondopinion.share_link.opened")
    assert event.ip == "203.0.113.9"
    assert event.actor_id is None
    assert event.after == {"link": link.pk, "case": case.pk}
    assert token not in str(event.after)


def test_the_shared_page_is_private_to_caches_referrers_and_search_engines(shared, now):
    _link, token = shared
    with time_machine.travel(now, tick=False):
        for url in (_url(token), _url(token, pdf=True), _url("nope")):
            response = Client().get(url)
            assert response["Cache-Control"] == "no-store"
            assert response["Referrer-Policy"] == "no-referrer"
            assert response["X-Robots-Tag"] == "noindex, nofollow"
        page = Client().get(_url(token))
    assert '<meta name="robots" content="noindex, nofollow">' in page.content.decode()


def test_the_pdf_is_the_stored_opinion_and_its_read_is_audited_as_the_links(shared, case, now):
    link, token = shared
    with time_machine.travel(now, tick=False):
        response = Client(REMOTE_ADDR="203.0.113.9").get(_url(token, pdf=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert OPINION_TEXT.encode() in b"".join(response.streaming_content)
    read = AuditEvent.objects.get(action="documents.document.read", target_id=str(case.opinion.document_id))
    assert read.actor_id is None
    assert read.after == {"as": "share_link", "link": link.pk, "case": case.pk}
    assert read.ip == "203.0.113.9"


@pytest.mark.parametrize("ending", ["expired", "revoked"])
def test_an_expired_or_revoked_link_is_not_found(shared, patient, now, ending):
    link, token = shared
    when = now + dt.timedelta(days=7, seconds=1) if ending == "expired" else now + dt.timedelta(hours=1)
    if ending == "revoked":
        after.share_link_revoke(link=link, actor=patient, now=now)
    with time_machine.travel(when, tick=False):
        page = Client().get(_url(token))
        pdf = Client().get(_url(token, pdf=True))
    assert page.status_code == 404
    assert pdf.status_code == 404
    assert "Watchful" not in page.content.decode()
    link.refresh_from_db()
    assert link.opened_count == 0
    refused = AuditEvent.objects.filter(action="secondopinion.share_link.refused")
    assert refused.count() == 1  # the same address within a minute: one event
    assert refused.get().after == {"reason": ending}


def test_unknown_tokens_are_audited_once_a_minute_per_address(shared, now):
    for attempt in range(3):
        with pytest.raises(NotFound):
            after.share_link_open(token=f"guess-{attempt}", ip="198.51.100.7", now=now)
    with pytest.raises(NotFound):
        after.share_link_open(token="guess", ip="198.51.100.8", now=now)
    with pytest.raises(NotFound):
        after.share_link_open(token="guess", ip="198.51.100.7", now=now + dt.timedelta(minutes=1))
    events = AuditEvent.objects.filter(action="secondopinion.share_link.refused")
    assert sorted(events.values_list("ip", flat=True)) == ["198.51.100.7", "198.51.100.7", "198.51.100.8"]


def test_the_patient_revokes_a_link_audited_and_twice_is_no_change(shared, patient, now):
    link, _token = shared
    after.share_link_revoke(link=link, actor=patient, now=now)
    after.share_link_revoke(link=link, actor=patient, now=now + dt.timedelta(minutes=1))
    link.refresh_from_db()
    assert link.revoked_at == now
    assert AuditEvent.objects.filter(action="secondopinion.share_link.revoked", actor_id=patient.pk).count() == 1


def test_only_the_patient_makes_or_revokes_links(shared, case, martin_user, other_patient, now):
    link, _token = shared
    for stranger in (martin_user, other_patient):
        with pytest.raises(NotFound):
            after.share_link_create(case=case, actor=stranger, recipient="Me", now=now)
        with pytest.raises(NotFound):
            after.share_link_revoke(link=link, actor=stranger, now=now)


def test_at_most_ten_live_links(case, patient, now):
    links = [after.share_link_create(case=case, actor=patient, recipient=f"Dr {n}", now=now)[0] for n in range(10)]
    with pytest.raises(Conflict) as refused:
        after.share_link_create(case=case, actor=patient, recipient="Dr Eleven", now=now)
    assert refused.value.code == "share_link_limit"
    after.share_link_revoke(link=links[0], actor=patient, now=now)
    assert after.share_link_create(case=case, actor=patient, recipient="Dr Eleven", now=now)[0].pk


def test_a_link_needs_a_recipient(case, patient, now):
    with pytest.raises(ValidationFailed) as refused:
        after.share_link_create(case=case, actor=patient, recipient="  ", now=now)
    assert "recipient" in refused.value.details


def test_no_link_before_the_opinion(case, patient, now):
    case.status = "accepted"
    case.delivered_at = None
    case.save()
    with pytest.raises(Conflict):
        after.share_link_create(case=case, actor=patient, recipient="Dr Dupont", now=now)
