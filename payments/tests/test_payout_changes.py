"""Where a provider is paid changes with four eyes (security issue, finding 7): one finance member
proposes, a second, different one approves, both audited, with the password asked again. (The
admin shows payout accounts read-only: test_admin.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import StaffGroup
from accounts.tests.factories import PASSWORD, UserFactory
from bookings.tests.support import NOW
from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditEvent
from payments.models import PayoutAccount, PayoutChange, PayoutChangeStatus
from payments.services.payout_changes import (
    payout_change_approve,
    payout_change_approve_check,
    payout_change_propose,
    payout_change_propose_check,
    payout_change_reject,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_finance(db):
    return UserFactory(email="felix@example.test", is_staff=True, groups=[StaffGroup.FINANCE])


def _propose(clinic, finance, **changes):
    arguments = {
        "provider": clinic,
        "actor": finance,
        "stripe_account_id": "acct_newbank",
        "auto_release": True,
        "note": "The clinic moved to another bank (letter of 2 March).",
        "now": NOW,
    }
    arguments.update(changes)
    return payout_change_propose(**arguments)


def test_a_change_applies_only_when_a_second_finance_member_approves_it(clinic, finance, second_finance):
    PayoutAccount.objects.create(
        provider=clinic, stripe_account_id="acct_old", payouts_enabled=True, transfers_active=True
    )
    change = _propose(clinic, finance)

    account = PayoutAccount.objects.get(provider=clinic)
    assert (account.stripe_account_id, account.auto_release) == ("acct_old", False)  # nothing yet
    refusal = payout_change_approve_check(change=change, actor=finance).refusal
    assert refusal is not None
    assert refusal.code == "payout_change_own_proposal"
    with pytest.raises(Conflict):
        payout_change_approve(change=change, actor=finance, now=NOW)

    payout_change_approve(change=change, actor=second_finance, now=NOW)

    account.refresh_from_db()
    assert (account.stripe_account_id, account.auto_release) == ("acct_newbank", True)
    assert not account.can_receive_transfers  # until Stripe says the new account can take transfers
    change.refresh_from_db()
    assert (change.status, change.decided_by) == (PayoutChangeStatus.APPROVED, second_finance)
    proposed = AuditEvent.objects.get(action="payments.payout_change.proposed")
    approved = AuditEvent.objects.get(action="payments.payout_change.approved")
    assert (proposed.actor_id, approved.actor_id) == (finance.pk, second_finance.pk)


def test_only_finance_proposes_one_change_at_a_time_and_bad_input_is_refused(clinic, finance, careteam, second_finance):
    assert payout_change_propose_check(provider=clinic, actor=careteam).refusal is not None
    with pytest.raises(Forbidden):
        _propose(clinic, careteam)
    with pytest.raises(ValidationFailed) as bad:
        _propose(clinic, finance, stripe_account_id="DE89 3704 0044")
    assert bad.value.code == "invalid_account_id"
    with pytest.raises(ValidationFailed):
        _propose(clinic, finance, note=" ")

    first = _propose(clinic, finance)
    with pytest.raises(Conflict) as open_one:
        _propose(clinic, second_finance, stripe_account_id="acct_other")
    assert open_one.value.code == "payout_change_open"

    payout_change_reject(change=first, actor=finance, reason="Typo in the account", now=NOW)  # withdrawn
    assert not PayoutAccount.objects.filter(provider=clinic, stripe_account_id="acct_newbank").exists()
    with pytest.raises(Conflict):
        payout_change_approve(change=first, actor=second_finance, now=NOW)
    assert PayoutChange.objects.get(pk=first.pk).status == PayoutChangeStatus.REJECTED


def test_the_pages_ask_for_the_password_again_and_refuse_the_proposer(client, clinic, finance, second_finance):
    client.force_login(finance)  # no recent password check in this session
    proposal = {"provider": clinic.pk, "stripe_account_id": "acct_newbank", "auto_release": "on", "note": "New bank"}

    asked = client.post(reverse("finance:payout_change_new"), proposal)

    assert asked.status_code == 302
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not PayoutChange.objects.exists()

    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("finance:payout_change_new"), proposal)
    change = PayoutChange.objects.get()
    page = client.get(reverse("finance:payout_accounts")).content.decode()
    assert "Another finance member must approve a change you proposed." in page
    client.post(reverse("finance:payout_change_approve", args=[change.pk]))
    assert PayoutChange.objects.get().status == PayoutChangeStatus.PROPOSED

    client.force_login(second_finance)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("finance:payout_change_approve", args=[change.pk]))

    assert PayoutChange.objects.get().status == PayoutChangeStatus.APPROVED
    assert PayoutAccount.objects.get(provider=clinic).stripe_account_id == "acct_newbank"


def test_nobody_outside_finance_sees_the_payout_pages(client, careteam):
    client.force_login(careteam)
    assert client.get(reverse("finance:payout_accounts")).status_code == 403
