"""What the case board reads: every app's open careteam work (`core.hooks.case_items`), with the
board's own owner and notes, filtered; a case's timeline from the audit trail.

The careteam sees every queue but the second-opinion one; the medical coordinators see only that
one (`BoardViewer`): a second opinion's file is for the coordinators, bound by professional
secrecy, and nobody else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from careteam.labels import queue_label, stage_label
from careteam.models import CaseNote, CaseOwner
from core import hooks
from core.cases import CaseItem, CaseQueue, CaseStage
from core.errors import Forbidden, NotFound
from core.models import AuditEvent

TIMELINE_LIMIT = 200


@dataclass(frozen=True)
class BoardFilters:
    """The board's filters, as the page's GET parameters and the API's query name them."""

    mine: bool = False
    unassigned: bool = False
    late: bool = False
    city: str = ""
    queue: str = ""


@dataclass
class Card:
    """One case on the board: the owning app's item and the board's owner."""

    item: CaseItem
    owner: User | None
    now: dt.datetime

    @property
    def key(self) -> str:
        return self.item.key

    @property
    def late_by(self) -> dt.timedelta | None:
        """How far past its due date the case is; None when it has none or is not late yet."""
        if self.item.due_at is None or self.item.due_at > self.now:
            return None
        return self.now - self.item.due_at

    @property
    def days_late(self) -> int | None:
        """Whole days late (0 when less than a day late); None when not late."""
        late = self.late_by
        return None if late is None else late.days

    @property
    def is_late(self) -> bool:
        return self.late_by is not None

    @property
    def tz(self) -> str:
        """The timezone to show the case's times in: the place's, else UTC."""
        return self.item.timezone or "UTC"

    @property
    def place(self) -> str:
        """How the shown times are named: the city's time, or UTC."""
        if self.item.timezone and self.item.city:
            return _("%(city)s time") % {"city": self.item.city}
        return "UTC" if not self.item.timezone else self.item.timezone

    @property
    def queue_name(self) -> str:
        return queue_label(self.item.queue)

    @property
    def stage_name(self) -> str:
        return stage_label(self.item.stage)


@dataclass
class Column:
    stage: str
    cards: list[Card] = field(default_factory=list)


def require_careteam(user: User) -> None:
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        raise Forbidden(_("Only the careteam can open the case board."), code="careteam_only")


# The queues only the medical coordinators work (and see) on the board.
COORDINATOR_QUEUES = frozenset({CaseQueue.SECOND_OPINION})


@dataclass(frozen=True)
class BoardViewer:
    """Which halves of the board a user sees: the careteam's queues, the coordinators' queues."""

    careteam: bool
    coordinator: bool

    def sees(self, item: CaseItem) -> bool:
        return self.coordinator if item.queue in COORDINATOR_QUEUES else self.careteam


def board_viewer(user: User) -> BoardViewer:
    """Who `user` is on the board; Forbidden unless a member of the careteam or a medical coordinator."""
    if not user.is_authenticated:
        raise Forbidden(_("Only the careteam can open the case board."), code="careteam_only")
    viewer = BoardViewer(
        careteam=user.in_group(StaffGroup.CARETEAM), coordinator=user.in_group(StaffGroup.MEDICAL_COORDINATOR)
    )
    if not (viewer.careteam or viewer.coordinator):
        raise Forbidden(_("Only the careteam can open the case board."), code="careteam_only")
    return viewer


def careteam_members() -> QuerySet[User]:
    """Who a case can be given to: active members of the careteam group, by e-mail."""
    return User.objects.filter(groups__name=StaffGroup.CARETEAM, is_active=True).order_by("email").distinct()


def case_items_all(*, now: dt.datetime) -> list[CaseItem]:
    """Every app's open careteam work, oldest due first (no due date last)."""
    items = [item for answer in hooks.case_items.call(now=now) for item in answer]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return sorted(items, key=lambda item: (item.due_at or far, item.opened_at, item.key))


def board_cards(*, user: User, filters: BoardFilters, now: dt.datetime) -> list[Card]:
    """The open cases the filters keep, oldest due first."""
    return filtered(board_all(user=user, now=now), filters=filters, user=user)


def board_all(*, user: User, now: dt.datetime) -> list[Card]:
    """Every open case `user` sees with its owner, oldest due first."""
    viewer = board_viewer(user)
    items = [item for item in case_items_all(now=now) if viewer.sees(item)]
    owners = {
        row.key: row.owner
        for row in CaseOwner.objects.filter(key__in=[item.key for item in items], owner__isnull=False).select_related(
            "owner"
        )
    }
    return [Card(item=item, owner=owners.get(item.key), now=now) for item in items]


def board_cities(cards: list[Card]) -> list[str]:
    """The cities on the board, for the city filter's choices."""
    return sorted({card.item.city for card in cards if card.item.city}, key=str.casefold)


def filtered(cards: list[Card], *, filters: BoardFilters, user: User) -> list[Card]:
    if filters.mine:
        cards = [card for card in cards if card.owner is not None and card.owner.pk == user.pk]
    if filters.unassigned:
        cards = [card for card in cards if card.owner is None]
    if filters.late:
        cards = [card for card in cards if card.is_late]
    if filters.city:
        city = filters.city.casefold()
        cards = [card for card in cards if card.item.city.casefold() == city]
    if filters.queue:
        cards = [card for card in cards if card.item.queue == filters.queue]
    return cards


def board_columns(cards: list[Card]) -> list[Column]:
    """The cards by stage, in the board's column order (an unknown stage goes to "new")."""
    columns = {stage: Column(stage=stage) for stage in CaseStage.ORDER}
    for card in cards:
        columns.get(card.item.stage, columns[CaseStage.NEW]).cards.append(card)
    return list(columns.values())


def case_card(*, user: User, key: str, now: dt.datetime) -> Card:
    """The open case `key`; NotFound when no app has it open (closed, or never was) or `user` does
    not see its queue."""
    viewer = board_viewer(user)
    for item in case_items_all(now=now):
        if item.key == key and viewer.sees(item):
            owner = CaseOwner.objects.filter(key=key).select_related("owner").first()
            return Card(item=item, owner=owner.owner if owner else None, now=now)
    raise NotFound(_("No open case has this key: it may have been closed."), code="case_not_found")


def case_notes(*, key: str) -> QuerySet[CaseNote]:
    return CaseNote.objects.filter(key=key).select_related("author").order_by("-created_at", "-id")


def case_timeline(*, item: CaseItem) -> list[AuditEvent]:
    """The audit events of the case's targets and of the board's own owner and notes, newest first."""
    targets = Q(pk__in=[])
    for target_type, target_id in item.audit_targets:
        targets |= Q(target_type=target_type, target_id=str(target_id))
    owner_ids = [str(pk) for pk in CaseOwner.objects.filter(key=item.key).values_list("pk", flat=True)]
    note_ids = [str(pk) for pk in CaseNote.objects.filter(key=item.key).values_list("pk", flat=True)]
    targets |= Q(target_type="careteam.caseowner", target_id__in=owner_ids)
    targets |= Q(target_type="careteam.casenote", target_id__in=note_ids)
    return list(AuditEvent.objects.filter(targets).order_by("-at", "-id")[:TIMELINE_LIMIT])
