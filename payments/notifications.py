"""The messages payments send, and who hears of them: a deposit paid out to its provider; finance
alerted of what needs a person (`notify_finance_alert`: a dead-lettered Stripe event, a provider
paid twice, an orphaned charge whose refund keeps failing).

`notify_release_paid` is called inside the service's transaction and only registers work for
after the commit (`notifications.messages.after_commit`); the provider's members hear through
`providers.selectors.provider_members_to_notify`. Templates:
`payments/templates/notifications/release_paid/<language>/`.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import StaffGroup, User
from notifications.messages import after_commit, money_text
from notifications.rendering import language_of
from notifications.services import notify
from payments.models import Release
from providers.selectors import provider_members_to_notify


def notify_release_paid(*, release: Release, now: dt.datetime) -> None:
    """A deposit was paid out to its provider: the members hear of the amount."""
    after_commit(_release_paid, release_id=release.pk, now=now)


def _release_paid(*, release_id: int, now: dt.datetime) -> None:
    release = Release.objects.get(pk=release_id)
    for member in provider_members_to_notify(provider_id=release.provider_id):
        language = language_of(member)
        notify(
            event="release_paid",
            recipient=member,
            context={
                "booking_number": release.booking_id,
                "payout": money_text(amount=release.payout, currency=release.currency, language=language),
                "commission": money_text(amount=release.commission, currency=release.currency, language=language),
                "reference": release.wire_reference or release.stripe_transfer_id or "",
            },
            key=f"release_paid:{release.pk}",
            booking_id=release.booking_id,
            now=now,
        )


# --- finance alerts: something that needs a person in finance ---------------------------------------


def notify_finance_alert(*, subject: str, detail: str, key: str, now: dt.datetime, link: str = "/finance/") -> None:
    """Every member of the finance group hears of `subject` (a dead-lettered Stripe event, a provider
    paid twice, an orphaned charge that cannot be refunded), once per `key`, after the commit."""
    after_commit(_finance_alert, subject=str(subject), detail=str(detail), key=key, link=link, now=now)


def _finance_alert(*, subject: str, detail: str, key: str, link: str, now: dt.datetime) -> None:
    for member in User.objects.filter(groups__name=StaffGroup.FINANCE.value, is_active=True).order_by("pk"):
        notify(
            event="finance_alert",
            recipient=member,
            context={"subject": subject, "detail": detail, "link": link},
            key=f"finance_alert:{key}",
            now=now,
        )
