"""Consent to versioned terms: recorded with its time and version, asked again after a new version."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import TermsAcceptance
from accounts.selectors import user_must_accept_terms
from accounts.services import terms_accept, terms_publish
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def new_terms(careteam):
    return terms_publish(actor=careteam, version="2027-01", summary="Clearer refund rules.", now=timezone.now())


def test_an_up_to_date_patient_browses_freely(client, patient):
    client.force_login(patient)

    assert client.get(reverse("home")).status_code == 200


def test_publishing_new_terms_sends_a_signed_in_user_to_accept_them(client, patient, new_terms):
    client.force_login(patient)

    response = client.get(reverse("search"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts_terms_accept')}?next=/search/"


def test_accepting_the_new_terms_records_version_and_time_and_returns_to_the_page(client, patient, new_terms):
    client.force_login(patient)

    response = client.post(reverse("accounts_terms_accept"), {"accept": "on", "next": "/search/"})

    assert response.status_code == 302
    assert response["Location"] == "/search/"
    acceptance = TermsAcceptance.objects.get(user=patient, terms_version=new_terms)
    assert timezone.now() - acceptance.accepted_at < dt.timedelta(minutes=1)
    assert user_must_accept_terms(user=patient, now=timezone.now()) is None
    event = AuditEvent.objects.get(action="accounts.terms.accepted", actor=patient)
    assert event.after == {"version": "2027-01"}
    assert client.get(reverse("search")).status_code == 200


def test_not_ticking_the_box_explains_what_to_do_and_records_nothing(client, patient, new_terms):
    client.force_login(patient)

    response = client.post(reverse("accounts_terms_accept"), {"next": "/search/"})

    assert response.status_code == 200
    assert "Tick the box to accept the terms" in response.content.decode()
    assert not TermsAcceptance.objects.filter(terms_version=new_terms).exists()


def test_the_return_address_must_stay_on_this_site(client, patient, new_terms):
    client.force_login(patient)

    response = client.post(reverse("accounts_terms_accept"), {"accept": "on", "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_accepting_twice_keeps_the_first_time(patient, new_terms):
    first = terms_accept(user=patient, terms=new_terms, now=timezone.now())
    second = terms_accept(user=patient, terms=new_terms, now=timezone.now() + dt.timedelta(hours=1))

    assert second.pk == first.pk
    assert second.accepted_at == first.accepted_at
    assert TermsAcceptance.objects.filter(user=patient, terms_version=new_terms).count() == 1


def test_terms_published_for_a_later_date_are_not_yet_in_force(patient, careteam):
    later = timezone.now() + dt.timedelta(days=30)
    terms_publish(actor=careteam, version="2027-06", summary="", now=later)

    assert user_must_accept_terms(user=patient, now=timezone.now()) is None
    assert user_must_accept_terms(user=patient, now=later).version == "2027-06"


def test_the_api_tells_which_terms_are_still_to_accept_and_accepts_them(api_as, patient, new_terms):
    api = api_as(patient)

    assert api.get("/api/v1/me").json()["terms_to_accept"] == "2027-01"
    response = api.post("/api/v1/me/terms")

    assert response.status_code == 200
    assert response.json()["terms_to_accept"] is None
    assert TermsAcceptance.objects.filter(user=patient, terms_version=new_terms).exists()
