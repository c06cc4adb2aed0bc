"""Who takes part in a thread, read from its subject each time (never stored).

- a quote request as sent to one provider: the patient, the provider's members (when the provider
  takes messages about quote requests), the careteam;
- a booking: the patient, the provider's members (when the provider opted in for the booking's
  offering, or for quote requests when the booking came from a quote and has no offering), the careteam;
- an add-on order: the patient and the careteam, who run the orders (suppliers have no account);
- a second-opinion case: the patient, the case's coordinator, and the chosen specialist's practice
  members once they accepted (as `secondopinion.access` lets them read the case's documents);
  not the careteam, who never read a case's medical file.

"The patient" is the account that holds the subject: the patient or the representative acting for
them. A provider that did not opt in is not a participant: the thread is then between the patient
and the careteam, and the page says messaging with the provider is not offered there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from bookings.models import Booking
from concierge.models import AddonOrder
from messaging.models import ProviderMessaging, SubjectKind
from providers.models import ProviderMember
from quotes.models import QuoteRecipient
from secondopinion.access import SPECIALIST_READS
from secondopinion.models import OpinionCase


@dataclass(frozen=True)
class Subject:
    kind: str
    subject_id: int
    patient_id: int
    title: str  # no health information: "Booking #12"
    provider_id: int | None = None  # the provider concerned, opted in or not
    provider_takes_part: bool = False  # the provider opted in: its members take part
    careteam: bool = True
    user_ids: frozenset[int] = field(default_factory=frozenset)  # others by name (coordinator, specialist)
    settings: ProviderMessaging | None = None

    @property
    def provider_declined(self) -> bool:
        """A provider is concerned but did not open messaging here."""
        return self.provider_id is not None and not self.provider_takes_part


def _settings(provider_id: int) -> ProviderMessaging | None:
    return ProviderMessaging.objects.filter(provider_id=provider_id).first()


def _booking(subject_id: int) -> Subject | None:
    booking = Booking.objects.filter(pk=subject_id).values("patient_id", "provider_id", "offering_id").first()
    if booking is None:
        return None
    found = _settings(booking["provider_id"])
    if found is None:
        opted = False
    elif booking["offering_id"] is None:
        opted = found.quote_requests
    else:
        opted = booking["offering_id"] in found.offering_ids
    return Subject(
        kind=SubjectKind.BOOKING,
        subject_id=subject_id,
        patient_id=booking["patient_id"],
        title=_("Booking #%(number)s") % {"number": subject_id},
        provider_id=booking["provider_id"],
        provider_takes_part=opted,
        settings=found if opted else None,
    )


def _quote(subject_id: int) -> Subject | None:
    recipient = QuoteRecipient.objects.filter(pk=subject_id).values("request_id", "request__patient_id", "provider_id")
    row = recipient.first()
    if row is None:
        return None
    found = _settings(row["provider_id"])
    opted = bool(found and found.quote_requests)
    return Subject(
        kind=SubjectKind.QUOTE,
        subject_id=subject_id,
        patient_id=row["request__patient_id"],
        title=_("Quote request #%(number)s") % {"number": row["request_id"]},
        provider_id=row["provider_id"],
        provider_takes_part=opted,
        settings=found if opted else None,
    )


def _order(subject_id: int) -> Subject | None:
    patient_id = AddonOrder.objects.filter(pk=subject_id).values_list("patient_id", flat=True).first()
    if patient_id is None:
        return None
    return Subject(
        kind=SubjectKind.ORDER,
        subject_id=subject_id,
        patient_id=patient_id,
        title=_("Order #%(number)s") % {"number": subject_id},
    )


def _opinion(subject_id: int) -> Subject | None:
    case = OpinionCase.objects.filter(pk=subject_id).select_related("specialist").first()
    if case is None:
        return None
    user_ids = {case.coordinator_id} if case.coordinator_id else set()
    if case.specialist is not None and case.accepted_at is not None and case.status in SPECIALIST_READS:
        user_ids |= set(
            ProviderMember.objects.filter(provider_id=case.specialist.provider_id).values_list("user_id", flat=True)
        )
    return Subject(
        kind=SubjectKind.OPINION,
        subject_id=subject_id,
        patient_id=case.patient_id,
        title=_("Second opinion #%(number)s") % {"number": subject_id},
        careteam=False,
        user_ids=frozenset(user_ids),
    )


_READERS = {
    SubjectKind.BOOKING: _booking,
    SubjectKind.QUOTE: _quote,
    SubjectKind.ORDER: _order,
    SubjectKind.OPINION: _opinion,
}


def subject_of(*, kind: str, subject_id: int) -> Subject | None:
    reader = _READERS.get(kind)  # type: ignore[call-overload]
    return None if reader is None else reader(subject_id)


def takes_part(*, subject: Subject, user: User | object) -> bool:
    """Whether `user` is one of the subject's participants now."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return False
    if user.pk == subject.patient_id or user.pk in subject.user_ids:
        return True
    if (
        subject.provider_takes_part
        and subject.provider_id is not None
        and ProviderMember.objects.filter(provider_id=subject.provider_id, user_id=user.pk).exists()
    ):
        return True
    return subject.careteam and user.in_group(StaffGroup.CARETEAM)


def to_notify(*, subject: Subject) -> list[User]:
    """Who hears of a new message: the patient, the provider's members, the people named. Not the
    careteam as a whole (they see the threads in their inbox and, unanswered, on the case board)."""
    ids = {subject.patient_id, *subject.user_ids}
    if subject.provider_takes_part and subject.provider_id is not None:
        ids |= set(ProviderMember.objects.filter(provider_id=subject.provider_id).values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
