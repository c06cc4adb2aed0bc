"""Terms of use in the admin: a new version is published through `terms_publish` (audited); a
published version, and the acceptances that point at it, are never edited or deleted there."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import TermsAcceptance, TermsVersion
from accounts.selectors import terms_current
from accounts.tests.factories import UserFactory
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True)


@pytest.fixture
def root_client(root):
    client = Client()
    client.force_login(root)
    return client


def test_terms_published_in_the_admin_are_in_force_and_audited(root_client, root):
    before = timezone.now()

    response = root_client.post(
        reverse("admin:accounts_termsversion_add"), {"version": "2027-01", "summary": "Clearer refund rules."}
    )

    assert response.status_code == 302
    terms = TermsVersion.objects.get(version="2027-01")
    assert terms.summary == "Clearer refund rules."
    assert before <= terms.published_at <= timezone.now()
    assert terms_current(now=timezone.now()) == terms
    event = AuditEvent.objects.get(action="accounts.terms.published")
    assert (event.actor_id, event.target_type, event.target_id) == (root.pk, "accounts.termsversion", str(terms.pk))
    assert event.after == {"version": "2027-01"}


def test_terms_published_in_the_admin_send_users_to_accept_them(root_client, client, patient):
    root_client.post(reverse("admin:accounts_termsversion_add"), {"version": "2027-01", "summary": ""})
    client.force_login(patient)

    response = client.get(reverse("search"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts_terms_accept')}?next=/search/"


def test_a_version_already_published_is_refused_by_the_admin_form(root_client):
    existing = terms_current(now=timezone.now())

    response = root_client.post(reverse("admin:accounts_termsversion_add"), {"version": existing.version})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["version"]
    assert TermsVersion.objects.count() == 1
    assert not AuditEvent.objects.filter(action="accounts.terms.published").exists()


def test_published_terms_are_shown_but_not_edited_or_deleted_in_the_admin(root_client):
    terms = terms_current(now=timezone.now())
    change = reverse("admin:accounts_termsversion_change", args=[terms.pk])

    assert root_client.get(change).status_code == 200
    assert root_client.post(change, {"version": "edited", "summary": "edited"}).status_code == 403
    assert root_client.post(reverse("admin:accounts_termsversion_delete", args=[terms.pk])).status_code == 403
    terms.refresh_from_db()
    assert (terms.version, terms.summary) == ("2026-11", "First version.")


def test_acceptances_are_read_only_in_the_admin(root_client, patient):
    acceptance = TermsAcceptance.objects.get(user=patient)
    change = reverse("admin:accounts_termsacceptance_change", args=[acceptance.pk])

    assert root_client.get(change).status_code == 200
    assert root_client.post(change, {}).status_code == 403
    assert root_client.post(reverse("admin:accounts_termsacceptance_delete", args=[acceptance.pk])).status_code == 403
    assert root_client.get(reverse("admin:accounts_termsacceptance_add")).status_code == 403
    assert TermsAcceptance.objects.filter(pk=acceptance.pk).exists()
