"""core.state: one transition helper for every stateful model, tried on a real one (a provider's
verification status), with a table of its own so the test does not depend on providers' rules."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict
from core.models import AuditEvent
from core.state import Machine, transition, transition_check
from providers.models import Provider, VerificationStatus
from providers.tests.factories import ProviderFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
TABLE = {
    VerificationStatus.PENDING: {VerificationStatus.VERIFIED, VerificationStatus.REJECTED},
    VerificationStatus.VERIFIED: {VerificationStatus.SUSPENDED},
    VerificationStatus.SUSPENDED: {VerificationStatus.VERIFIED},
    VerificationStatus.REJECTED: set(),
}
MACHINE = Machine(model=Provider, table=TABLE)


def events(provider: Provider) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(target_type="providers.provider", target_id=str(provider.pk)).order_by("pk"))


def test_an_allowed_move_saves_the_state_and_audits_actor_from_to_and_reason(careteam):
    provider = ProviderFactory(status=VerificationStatus.PENDING)

    moved = transition(
        machine=MACHINE,
        instance=provider,
        target=VerificationStatus.VERIFIED,
        actor=careteam,
        action="providers.provider.verified",
        now=NOW,
        reason="register checked",
    )

    assert moved.changed
    provider.refresh_from_db()
    assert provider.status == VerificationStatus.VERIFIED
    [event] = events(provider)
    assert event.actor_id == careteam.pk
    assert event.before == {"status": "pending"}
    assert event.after == {"status": "verified", "reason": "register checked"}


def test_a_move_the_table_does_not_allow_is_a_conflict_and_changes_nothing(careteam):
    provider = ProviderFactory(status=VerificationStatus.REJECTED)

    with pytest.raises(Conflict) as refused:
        transition(
            machine=MACHINE,
            instance=provider,
            target=VerificationStatus.VERIFIED,
            actor=careteam,
            action="providers.provider.verified",
            now=NOW,
        )

    assert refused.value.code == "invalid_transition"
    assert "Rejected" in refused.value.message
    assert "Verified" in refused.value.message
    provider.refresh_from_db()
    assert provider.status == VerificationStatus.REJECTED
    assert events(provider) == []


def test_running_a_move_twice_changes_nothing_the_second_time(careteam):
    provider = ProviderFactory(status=VerificationStatus.PENDING)
    args = {"machine": MACHINE, "target": VerificationStatus.VERIFIED, "actor": careteam, "now": NOW}

    first = transition(instance=provider, action="providers.provider.verified", **args)
    second = transition(instance=provider, action="providers.provider.verified", **args)

    assert (first.changed, second.changed) == (True, False)
    assert len(events(provider)) == 1


def test_a_machine_can_make_a_repeat_an_error_with_its_own_words(careteam):
    def refuse(current: str, target: str) -> Conflict:
        return Conflict(f"already {current}", code="already_done")

    strict = Machine(model=Provider, table=TABLE, refuse=refuse, repeat_is_noop=False)
    provider = ProviderFactory(status=VerificationStatus.VERIFIED)

    assert transition_check(machine=strict, instance=provider, target=VerificationStatus.VERIFIED).code == (
        "already_done"
    )
    with pytest.raises(Conflict) as refused:
        transition(
            machine=strict,
            instance=provider,
            target=VerificationStatus.VERIFIED,
            actor=careteam,
            action="providers.provider.verified",
            now=NOW,
        )
    assert refused.value.message == "already verified"


def test_the_check_reads_without_writing(careteam):
    provider = ProviderFactory(status=VerificationStatus.PENDING)

    assert transition_check(machine=MACHINE, instance=provider, target=VerificationStatus.VERIFIED) is None
    assert transition_check(machine=MACHINE, instance=provider, target=VerificationStatus.SUSPENDED).code == (
        "invalid_transition"
    )
    provider.refresh_from_db()
    assert provider.status == VerificationStatus.PENDING
    assert events(provider) == []


def test_the_move_reads_the_locked_row_not_the_callers_stale_copy(careteam):
    provider = ProviderFactory(status=VerificationStatus.PENDING)
    stale = Provider.objects.get(pk=provider.pk)
    Provider.objects.filter(pk=provider.pk).update(status=VerificationStatus.REJECTED)

    with pytest.raises(Conflict):
        transition(
            machine=MACHINE,
            instance=stale,
            target=VerificationStatus.VERIFIED,
            actor=careteam,
            action="providers.provider.verified",
            now=NOW,
        )
    provider.refresh_from_db()
    assert provider.status == VerificationStatus.REJECTED
