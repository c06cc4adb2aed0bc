"""Where a provider is paid is read-only in the admin: its connected account, automatic releases and
commission decide where money goes, and no service behind the admin checks and audits them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from payments.models import PayoutAccount
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(db):
    client = Client()
    client.force_login(UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def payout(db):
    return PayoutAccount.objects.create(
        provider=ProviderFactory(), stripe_account_id="acct_original", auto_release=False, commission_bps=500
    )


def test_a_payout_account_is_shown_but_its_destination_and_terms_not_changed(root_client, payout):
    change = reverse("admin:payments_payoutaccount_change", args=[payout.pk])

    page = root_client.get(change)
    refused = root_client.post(
        change, {"provider": payout.provider_id, "stripe_account_id": "acct_elsewhere", "auto_release": "on"}
    )

    assert page.status_code == 200
    assert "acct_original" in page.content.decode()
    assert 'name="stripe_account_id"' not in page.content.decode()
    assert refused.status_code == 403
    payout.refresh_from_db()
    assert (payout.stripe_account_id, payout.auto_release, payout.commission_bps) == ("acct_original", False, 500)
    assert not AuditEvent.objects.exists()


def test_a_payout_account_cannot_be_added_or_deleted_in_the_admin(root_client, payout):
    assert root_client.get(reverse("admin:payments_payoutaccount_add")).status_code == 403
    assert root_client.post(reverse("admin:payments_payoutaccount_delete", args=[payout.pk])).status_code == 403
    assert PayoutAccount.objects.filter(pk=payout.pk).exists()
