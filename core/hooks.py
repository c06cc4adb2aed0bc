"""Registries that let a lower floor call a higher one without importing it.

An app on a higher floor fills a hook in its `AppConfig.ready()`; the lower floor calls the hook
and gets whatever the registered functions answer. The import rule (an app imports only apps on
the floors below it, docs/architecture.md) then holds with no exception: the lower floor knows the
hook's signature, never who answers it.

- `busy_intervals(*, provider_ids, start, end, now=None)` → the `(provider_id, start, end)`
  intervals already taken at `now` (bookings answers: `bookings.selectors.busy_intervals`, held,
  awaiting-deposit and confirmed appointments). Providers subtract them from free slots.
- `offerings_changed(offering_ids)` → nothing; called after a change to offerings has committed
  (the storefront rebuilds their search index: providers call it from their refresh task).
- `listing_stale(*, offering_ids=None, provider_ids=None, columns=None)` → nothing; called inside
  the transaction that changes what search lists of these offerings (or of these providers'
  offerings; None for both: all of them): a provider's verification or languages, an offering's
  next free slot or price in euros (`columns` then names the only columns that changed). The
  storefront updates its search listing rows (storefront.listing).
- `payment_succeeded[kind](payment_intent_id, now)` → the service that records a card payment
  whose `metadata` names `kind` (concierge's add-on orders): payments' webhooks dispatch through
  it; a deposit, payments' own, is recorded directly.
- `privileged_roles(user)` → names of roles a higher floor gives `user` that see other people's
  data (providers answer "provider_member"). Accounts adds them to staff and admin roles to decide
  who must use multi-factor authentication (`accounts.selectors.user_requires_mfa`).
- `provider_invitation_sent(*, invitation_id, token, now)` → nothing; called inside the
  transaction that records a provider invitation, with the one copy of its token (only a hash is
  stored): notifications e-mails the link once that transaction commits.
- `booking_changed(*, booking_id, change, now)` → nothing; called by bookings inside the
  transaction that moves an appointment (`change="rescheduled"`) or cancels a booking
  (`"cancelled"`), so what hangs on the booking (concierge's transfer legs and interpreter hours,
  its visa letters) changes with it, or not at all.
- `booking_care(*, booking_id)` → the name of the care a booking is for when it has no offering
  (quotes answer for a booking made from a quote: its procedure, else the request's subject), or
  None; the booking page and the payment confirmation name the care with it.
- `booking_sections(*, booking_id, viewer_id)` → a list of `(template_name, context)` pairs (each
  receiver answers one) that the booking's page includes below its own content, each template
  seeing its context as `section` (concierge: the add-ons ordered for the booking, their
  suppliers, and what can still be ordered). Only the booking's patient's page asks.
- `order_sections(*, order_id, viewer_id)` → `(template_name, context)` pairs that an add-on order's
  pages (the patient's and the careteam's) include below their own content (quotes: a careteam
  assistance's tenders, the comparison sent to the patient, the link to start one).
- `document_read_rights(*, document_id, reader, now)` → why `reader` may read the medical document
  `document_id` at `now` (a dict recorded in the read's audit event, e.g. `{"as": "coordinator",
  "case": 12}`), or None. Documents asks every receiver after its own rules (the owner, a provider's
  grant, the careteam's evidence); the first answer that is not None lets the read happen
  (second opinions: the coordinator of the case, the chosen specialist once they accepted;
  messaging: a thread's participants, its attachments; disputes: a dispute's evidence for its
  parties, the careteam and finance; bookings: the members of a verified provider, the discharge
  pack of their provider's bookings).
- `provider_dashboard_counts(*, provider_id, viewer_id, now)` → a list of plain dicts, each
  `{"key", "label", "count", "url", "order"}`: what awaits a provider's members in a higher app
  (quotes: new quote requests; bookings: bookings awaiting their deposit; payments: deposits to ask
  for). The provider's dashboard shows each with its link; providers sit below those apps.
- `release_holds(*, booking_id, now)` → a list of sentences, each a reason the booking's deposit may
  not be released now (disputes: a dispute open on the booking). Payments' release checks refuse
  while any receiver answers one; payments sits below the apps that answer.
- `card_dispute_changed(*, booking_id, status, amount, currency, reason, now)` → nothing; called by
  payments inside the transaction that records a card dispute of a deposit's charge opening or
  closing (`status` "open", "won" or "lost"), so the dispute shows beside those users open.
- `subject_sections(*, subject, subject_id, viewer_id)` → `(template_name, context)` pairs that a
  page about a subject includes for its viewer, each template seeing its context as `section`, as
  `booking_sections` does; `subject` names what the page shows ("quote_request": the patient's
  request page, "quote_recipient": a provider member's page of a request sent to them,
  "opinion_case": a second-opinion case's patient or coordinator page). Messaging answers the way
  to the subject's conversation.
- `personal_data` and `case_items` collect declarations that the privacy requests and the
  careteam's case board will read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Hook(Generic[F]):
    """An ordered list of receivers; registering the same function twice keeps one."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[F] = []

    def register(self, receiver: F) -> F:
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def __iter__(self) -> Iterator[F]:
        return iter(tuple(self._receivers))

    def __len__(self) -> int:
        return len(self._receivers)

    def call(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Every receiver's answer, in the order they registered."""
        return [receiver(*args, **kwargs) for receiver in self]


class KeyedHook(Generic[F]):
    """One receiver per key (a payment's kind, say); a second registration of a key is a bug."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: dict[str, F] = {}

    def register(self, key: str) -> Callable[[F], F]:
        def decorate(receiver: F) -> F:
            existing = self._receivers.get(key)
            if existing is not None and existing is not receiver:
                raise RuntimeError(f"{self.name}: {key!r} is already handled by {existing!r}")
            self._receivers[key] = receiver
            return receiver

        return decorate

    def get(self, key: str) -> F | None:
        return self._receivers.get(key)

    def keys(self) -> list[str]:
        return sorted(self._receivers)


busy_intervals: Hook[Callable[..., Any]] = Hook("busy_intervals")
offerings_changed: Hook[Callable[..., Any]] = Hook("offerings_changed")
listing_stale: Hook[Callable[..., Any]] = Hook("listing_stale")
payment_succeeded: KeyedHook[Callable[..., Any]] = KeyedHook("payment_succeeded")
privileged_roles: Hook[Callable[..., Any]] = Hook("privileged_roles")
personal_data: Hook[Any] = Hook("personal_data")
provider_invitation_sent: Hook[Callable[..., Any]] = Hook("provider_invitation_sent")
case_items: Hook[Callable[..., Any]] = Hook("case_items")
booking_changed: Hook[Callable[..., Any]] = Hook("booking_changed")
booking_sections: Hook[Callable[..., Any]] = Hook("booking_sections")
booking_care: Hook[Callable[..., Any]] = Hook("booking_care")
order_sections: Hook[Callable[..., Any]] = Hook("order_sections")
provider_dashboard_counts: Hook[Callable[..., Any]] = Hook("provider_dashboard_counts")
document_read_rights: Hook[Callable[..., Any]] = Hook("document_read_rights")
release_holds: Hook[Callable[..., Any]] = Hook("release_holds")
card_dispute_changed: Hook[Callable[..., Any]] = Hook("card_dispute_changed")
subject_sections: Hook[Callable[..., Any]] = Hook("subject_sections")
