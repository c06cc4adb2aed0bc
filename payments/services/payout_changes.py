"""Changing where and how a provider is paid, with four eyes (docs/decisions.md#payout-changes).

A provider's payout account says where its releases go (`stripe_account_id`, its Stripe connected
account) and whether they go without finance (`auto_release`). Changing either moves money, so it
is never edited directly (the admin shows payout accounts read-only):

1. A finance member proposes the change (`payout_change_propose`), with why; one open proposal per
   provider. Nothing changes yet.
2. A second, different finance member approves it (`payout_change_approve`), and only then the
   payout account changes; or rejects it with a reason (`payout_change_reject`; the proposer may
   withdraw their own this way).

Both steps are audited with the account before and after. A new connected account is not trusted
to receive transfers until Stripe says so (`account.updated`, or the refresh after approval):
releases wait for a wire meanwhile. The pages ask for the password again (re-authentication)
before proposing or approving. Checks: `payout_change_propose_check`, `payout_change_approve_check`
(refusing the proposer), `payout_change_reject_check`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.audit import audit_record
from core.checks import ALLOWED, Check, first_refusal, refuse
from core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from core.state import Machine, transition, transition_check
from payments.models import PAYOUT_CHANGE_TRANSITIONS, PayoutAccount, PayoutChange, PayoutChangeStatus
from payments.services.payouts import payout_account_refresh
from providers.models import Provider

logger = logging.getLogger(__name__)

# Stripe's connected account ids; blank means "pay by bank wire".
_ACCOUNT_ID = re.compile(r"^acct_[A-Za-z0-9]{1,64}$")


def _refuse_change(current: str, target: str) -> Conflict:
    return Conflict(
        _("This payout change is already %(status)s.") % {"status": PayoutChangeStatus(current).label.lower()},
        code="payout_change_decided",
    )


PAYOUT_CHANGE = Machine(
    model=PayoutChange, table=PAYOUT_CHANGE_TRANSITIONS, refuse=_refuse_change, repeat_is_noop=False
)


def _finance(actor: User) -> Check:
    if getattr(actor, "is_authenticated", False) and actor.in_group(StaffGroup.FINANCE):
        return ALLOWED
    return refuse(Forbidden(_("Only finance can change where providers are paid.")))


# --- checks -----------------------------------------------------------------------------------------


def payout_change_propose_check(*, provider: Provider, actor: User) -> Check:
    """May `actor` propose a change of `provider`'s payout account: finance, and no proposal open."""
    finance = _finance(actor)
    if not finance.allowed:
        return finance
    if PayoutChange.objects.filter(provider=provider, status=PayoutChangeStatus.PROPOSED).exists():
        return refuse(
            Conflict(
                _("A change of this provider's payout account is already waiting for approval."),
                code="payout_change_open",
            )
        )
    return ALLOWED


def payout_change_approve_check(*, change: PayoutChange, actor: User) -> Check:
    """May `actor` approve `change`: finance, not its proposer (four eyes), and still proposed."""
    finance = _finance(actor)
    if not finance.allowed:
        return finance
    if change.proposed_by_id == actor.pk:
        return refuse(
            Conflict(_("Another finance member must approve a change you proposed."), code="payout_change_own_proposal")
        )
    return Check(transition_check(machine=PAYOUT_CHANGE, instance=change, target=PayoutChangeStatus.APPROVED))


def payout_change_reject_check(*, change: PayoutChange, actor: User) -> Check:
    """May `actor` reject `change`: finance (its proposer withdraws it this way), still proposed."""
    return first_refusal(
        _finance(actor),
        Check(transition_check(machine=PAYOUT_CHANGE, instance=change, target=PayoutChangeStatus.REJECTED)),
    )


# --- services ---------------------------------------------------------------------------------------


def _invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, details={field: [message]})


def payout_change_propose(
    *,
    provider: Provider,
    actor: User,
    stripe_account_id: str,
    auto_release: bool,
    note: str,
    now: dt.datetime,
) -> PayoutChange:
    """A finance member proposes a new connected account and/or automatic-release setting."""
    stripe_account_id = (stripe_account_id or "").strip()
    note = (note or "").strip()
    if stripe_account_id and not _ACCOUNT_ID.match(stripe_account_id):
        raise _invalid(
            "stripe_account_id",
            _("A Stripe connected account looks like acct_… (leave it blank to pay by bank wire)."),
            "invalid_account_id",
        )
    if not note:
        raise _invalid("note", _("Say why the payout account changes."), "reason_required")
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        payout_change_propose_check(provider=provider, actor=actor).enforce()
        current = PayoutAccount.objects.filter(provider=provider).first()
        old_account = current.stripe_account_id if current else ""
        old_auto = current.auto_release if current else False
        if (old_account, old_auto) == (stripe_account_id, auto_release):
            raise Conflict(_("This is already the provider's payout account."), code="payout_change_same")
        try:
            with transaction.atomic():
                change = PayoutChange.objects.create(
                    provider=provider,
                    old_stripe_account_id=old_account,
                    old_auto_release=old_auto,
                    new_stripe_account_id=stripe_account_id,
                    new_auto_release=auto_release,
                    note=note[:500],
                    proposed_by=actor,
                    proposed_at=now,
                )
        except IntegrityError:
            raise Conflict(
                _("A change of this provider's payout account is already waiting for approval."),
                code="payout_change_open",
            ) from None
        audit_record(
            actor=actor,
            action="payments.payout_change.proposed",
            target=change,
            before={"stripe_account_id": old_account, "auto_release": old_auto},
            after={"stripe_account_id": stripe_account_id, "auto_release": auto_release, "note": note},
            now=now,
        )
    return change


def payout_change_approve(*, change: PayoutChange, actor: User, now: dt.datetime) -> PayoutChange:
    """A second finance member approves: the payout account changes now. A changed connected
    account is not used for transfers until Stripe says it can receive them."""
    with transaction.atomic():
        change = PayoutChange.objects.select_for_update().get(pk=change.pk)
        payout_change_approve_check(change=change, actor=actor).enforce()
        account, _created = PayoutAccount.objects.select_for_update().get_or_create(provider_id=change.provider_id)
        if (account.stripe_account_id, account.auto_release) != (
            change.old_stripe_account_id,
            change.old_auto_release,
        ):
            raise Conflict(
                _("The payout account changed since this was proposed: reject it and propose again."),
                code="payout_change_stale",
            )
        new_account = account.stripe_account_id != change.new_stripe_account_id
        account.stripe_account_id = change.new_stripe_account_id
        account.auto_release = change.new_auto_release
        fields = ["stripe_account_id", "auto_release", "updated_at"]
        if new_account:
            # Until Stripe confirms the new account can take transfers, releases wait for a wire.
            account.payouts_enabled = account.transfers_active = False
            fields += ["payouts_enabled", "transfers_active"]
        account.save(update_fields=fields)
        change = transition(
            machine=PAYOUT_CHANGE,
            instance=change,
            locked=True,
            target=PayoutChangeStatus.APPROVED,
            actor=actor,
            action="payments.payout_change.approved",
            now=now,
            fields={"decided_by": actor, "decided_at": now},
            audit_after={
                "provider": change.provider_id,
                "stripe_account_id": change.new_stripe_account_id,
                "auto_release": change.new_auto_release,
                "proposed_by": change.proposed_by_id,
            },
        ).instance
        if new_account and change.new_stripe_account_id:
            account_id = change.new_stripe_account_id
            transaction.on_commit(lambda: _refresh(account_id, now))
    return change


def _refresh(stripe_account_id: str, now: dt.datetime) -> None:
    try:
        payout_account_refresh(stripe_account_id=stripe_account_id, now=now)
    except DomainError as error:  # `account.updated` will say it later
        logger.warning("connected account %s not refreshed: %s", stripe_account_id, error)


def payout_change_reject(*, change: PayoutChange, actor: User, reason: str, now: dt.datetime) -> PayoutChange:
    """Finance rejects a proposal (its proposer withdraws it): nothing changes."""
    reason = (reason or "").strip()
    with transaction.atomic():
        change = PayoutChange.objects.select_for_update().get(pk=change.pk)
        payout_change_reject_check(change=change, actor=actor).enforce()
        if not reason:
            raise _invalid("reason", _("Say why."), "reason_required")
        return transition(
            machine=PAYOUT_CHANGE,
            instance=change,
            locked=True,
            target=PayoutChangeStatus.REJECTED,
            actor=actor,
            action="payments.payout_change.rejected",
            now=now,
            fields={"decided_by": actor, "decided_at": now, "reject_reason": reason[:500]},
            reason=reason,
        ).instance
