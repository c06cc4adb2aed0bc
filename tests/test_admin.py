"""The admin: every registered model's list and detail open for a superuser, and what only the
services may write cannot be added, changed or deleted there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from core.admin import ReadOnlyAdmin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model_admin", admin.site._registry.values(), ids=lambda a: f"{a.model._meta.app_label}.{a.model._meta.model_name}"
)
def test_every_admin_list_opens(superuser_client, model_admin):
    meta = model_admin.model._meta
    response = superuser_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    assert response.status_code == 200


READ_ONLY = [a for a in admin.site._registry.values() if isinstance(a, ReadOnlyAdmin)]


@pytest.mark.parametrize(
    "model_admin", READ_ONLY, ids=lambda a: f"{a.model._meta.app_label}.{a.model._meta.model_name}"
)
def test_records_only_services_write_cannot_be_added_there(superuser_client, model_admin):
    meta = model_admin.model._meta
    assert superuser_client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403


def test_money_and_audit_records_are_read_only_in_the_admin():
    from bookings.models import Booking
    from core.models import AuditEvent
    from payments.models import Deposit, LedgerEntry, LedgerTransaction, Refund, Release

    for model in (AuditEvent, Booking, Deposit, Refund, Release, LedgerTransaction):
        assert isinstance(admin.site._registry[model], ReadOnlyAdmin), model
    assert LedgerEntry not in admin.site._registry  # shown inside its transaction only
