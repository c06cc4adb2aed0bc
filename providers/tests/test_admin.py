"""Providers in the admin: shown read-only (with their members); the careteam's verification decision
is an admin action calling the verification services; a contract version is published through
`contract_publish`."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffGroup
from accounts.tests.factories import UserFactory
from core.models import AuditEvent
from providers.models import (
    ContractKind,
    ContractVersion,
    MemberRole,
    Provider,
    VerificationStatus,
    VerificationStep,
)
from providers.services import contracts_current
from providers.tests.factories import (
    LocationFactory,
    MemberFactory,
    OfferingFactory,
    ProcedureFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db

CHECKED = "RPPS 10001234567 found in the register; name and specialty match."


@pytest.fixture
def root(db):
    """A superuser who is also in the careteam, the only staff the verification services accept."""
    return UserFactory(email="root@medibroker.test", is_staff=True, is_superuser=True, groups=[StaffGroup.CARETEAM])


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def root_client(root):
    return client_for(root)


@pytest.fixture
def pending(db):
    return ProviderFactory(name="Dr Ana Silva", status=VerificationStatus.PENDING, verified_at=None)


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def decide(client, provider, **fields):
    return client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "record_verification", ACTION_CHECKBOX_NAME: [provider.pk], **fields},
    )


# --- the provider and its members are read-only ----------------------------------------------------


def test_a_provider_and_its_members_are_shown_but_not_changed_in_the_admin(root_client, pending):
    member = MemberFactory(provider=pending, user__email="ana.silva@example.test", role=MemberRole.ADMIN)
    change = reverse("admin:providers_provider_change", args=[pending.pk])

    page = root_client.get(change)
    refused = root_client.post(
        change,
        {
            "name": "Renamed",
            "status": VerificationStatus.VERIFIED,
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-0-id": str(member.pk),
            "members-0-provider": str(pending.pk),
            "members-0-role": MemberRole.STAFF,
        },
    )

    assert page.status_code == 200
    assert "ana.silva@example.test" in page.content.decode()
    assert 'name="members-0-role"' not in page.content.decode()
    assert refused.status_code == 403
    pending.refresh_from_db()
    member.refresh_from_db()
    assert (pending.name, pending.status, member.role) == ("Dr Ana Silva", VerificationStatus.PENDING, MemberRole.ADMIN)


def test_a_provider_cannot_be_added_or_deleted_in_the_admin(root_client, pending):
    assert root_client.get(reverse("admin:providers_provider_add")).status_code == 403
    assert root_client.post(reverse("admin:providers_provider_delete", args=[pending.pk])).status_code == 403
    listing = root_client.get(reverse("admin:providers_provider_changelist")).content.decode()
    assert 'value="record_verification"' in listing
    assert 'value="delete_selected"' not in listing
    assert Provider.objects.filter(pk=pending.pk).exists()


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("location", lambda: LocationFactory()),
        ("offering", lambda: OfferingFactory()),
        ("procedure", lambda: ProcedureFactory()),
        ("specialty", lambda: ProcedureFactory().specialty),
    ],
)
def test_locations_offerings_and_the_catalogue_are_read_only_in_the_admin(root_client, name, make):
    obj = make()
    change = reverse(f"admin:providers_{name}_change", args=[obj.pk])

    assert root_client.get(change).status_code == 200
    assert root_client.post(change, {}).status_code == 403
    assert root_client.post(reverse(f"admin:providers_{name}_delete", args=[obj.pk])).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


# --- verification: an admin action calling the careteam's services --------------------------------


def test_the_verification_action_first_asks_what_was_checked(root_client, pending):
    response = decide(root_client, pending)

    assert response.status_code == 200
    assert "checked" in response.context["form"].fields
    assert pending.name in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING


def test_the_verification_action_records_the_decision_through_the_service(root_client, root, pending):
    response = decide(root_client, pending, apply="yes", decision="verify", checked=CHECKED, note="")

    assert response.status_code == 302
    assert "Decision recorded." in messages_of(response)
    pending.refresh_from_db()
    assert (pending.status, pending.verified_by) == (VerificationStatus.VERIFIED, root)
    step = VerificationStep.objects.get(provider=pending)
    assert (step.from_status, step.to_status, step.actor, step.checked) == (
        VerificationStatus.PENDING,
        VerificationStatus.VERIFIED,
        root,
        CHECKED,
    )
    event = AuditEvent.objects.get(action="providers.verification.verified")
    assert (event.actor_id, event.target_id) == (root.pk, str(pending.pk))


def test_the_verification_action_needs_what_was_checked(root_client, pending):
    response = decide(root_client, pending, apply="yes", decision="reject", checked="  ", note="")

    assert response.status_code == 200
    assert response.context["form"].errors["checked"]
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING
    assert not VerificationStep.objects.exists()


def test_the_verification_action_keeps_the_services_rules(root_client, pending):
    decide(root_client, pending, apply="yes", decision="reject", checked=CHECKED, note="Not in the register.")

    response = decide(root_client, pending, apply="yes", decision="verify", checked=CHECKED, note="")

    pending.refresh_from_db()
    assert pending.status == VerificationStatus.REJECTED
    assert "cannot become" in messages_of(response)
    assert not AuditEvent.objects.filter(action="providers.verification.verified").exists()


def test_a_superuser_outside_the_careteam_cannot_verify_through_the_admin(pending):
    superuser = UserFactory(email="boss@medibroker.test", is_staff=True, is_superuser=True)

    response = decide(client_for(superuser), pending, apply="yes", decision="verify", checked=CHECKED, note="")

    assert response.status_code == 302
    assert "Only the careteam" in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == VerificationStatus.PENDING
    assert not AuditEvent.objects.filter(action__startswith="providers.verification.").exists()


def test_the_verification_action_takes_one_provider_at_a_time(root_client, pending):
    other = ProviderFactory(status=VerificationStatus.PENDING, verified_at=None)

    response = root_client.post(
        reverse("admin:providers_provider_changelist"),
        {
            "action": "record_verification",
            ACTION_CHECKBOX_NAME: [pending.pk, other.pk],
            "apply": "yes",
            "decision": "verify",
            "checked": CHECKED,
        },
    )

    assert response.status_code == 302
    assert "Choose one provider" in messages_of(response)
    assert not VerificationStep.objects.exists()


# --- contracts: published through the service, never edited ----------------------------------------


def test_a_contract_published_in_the_admin_is_in_force_and_audited(root_client, root):
    response = root_client.post(
        reverse("admin:providers_contractversion_add"),
        {"kind": ContractKind.ETHICS, "version": "2027-01", "summary": "Advertising rules."},
    )

    assert response.status_code == 302
    contract = ContractVersion.objects.get(kind=ContractKind.ETHICS, version="2027-01")
    assert contracts_current(now=timezone.now())[ContractKind.ETHICS] == contract
    event = AuditEvent.objects.get(action="providers.contract.published")
    assert (event.actor_id, event.target_id, event.after) == (
        root.pk,
        str(contract.pk),
        {"kind": "ethics", "version": "2027-01"},
    )


def test_a_contract_version_already_published_is_refused_by_the_admin_form(root_client):
    response = root_client.post(
        reverse("admin:providers_contractversion_add"), {"kind": ContractKind.MEMBERSHIP, "version": "2026-11"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert ContractVersion.objects.filter(kind=ContractKind.MEMBERSHIP).count() == 1
    assert not AuditEvent.objects.filter(action="providers.contract.published").exists()


def test_a_published_contract_is_shown_but_not_edited_or_deleted_in_the_admin(root_client):
    contract = ContractVersion.objects.get(kind=ContractKind.MEMBERSHIP, version="2026-11")
    change = reverse("admin:providers_contractversion_change", args=[contract.pk])

    assert root_client.get(change).status_code == 200
    refused = root_client.post(change, {"kind": ContractKind.MEMBERSHIP, "version": "x", "summary": "edited"})
    assert refused.status_code == 403
    assert root_client.post(reverse("admin:providers_contractversion_delete", args=[contract.pk])).status_code == 403
    contract.refresh_from_db()
    assert contract.version == "2026-11"
