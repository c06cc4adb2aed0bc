"""Weekly opening hours and exceptions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.checks import Check
from core.errors import ValidationFailed
from providers.models import (
    AvailabilityException,
    ExceptionKind,
    Location,
    WeeklyRule,
)
from providers.services.derived import offerings_changed
from providers.services.permissions import membership_check


def _check_hours(opens: dt.time, closes: dt.time) -> None:
    if closes <= opens:
        raise ValidationFailed(
            _("The closing time must be after the opening time."),
            details={"end": [_("The closing time must be after the opening time.")]},
        )


def weekly_rule_add_check(*, location: Location, actor: User) -> Check:
    """Any member of the location's provider sets its opening hours."""
    return membership_check(user=actor, provider=location.provider)


@transaction.atomic
def weekly_rule_add(
    *, location: Location, actor: User, weekday: int, start: dt.time, end: dt.time, now: dt.datetime
) -> WeeklyRule:
    """Open `location` every `weekday` from `start` to `end`; it may not overlap another rule."""
    weekly_rule_add_check(location=location, actor=actor).enforce()
    _check_hours(start, end)
    # Lock the location so two concurrent additions cannot both pass the overlap check.
    Location.objects.select_for_update().filter(pk=location.pk).first()
    for rule in WeeklyRule.objects.filter(location=location, weekday=weekday):
        if start < rule.end and rule.start < end:
            message = _("These hours overlap the hours already set on %(day)s, %(start)s–%(end)s.") % {
                "day": rule.get_weekday_display(),
                "start": f"{rule.start:%H:%M}",
                "end": f"{rule.end:%H:%M}",
            }
            raise ValidationFailed(message, details={"start": [message]})
    rule = WeeklyRule.objects.create(location=location, weekday=weekday, start=start, end=end)
    audit_record(
        actor=actor,
        action="providers.availability.rule_added",
        target=rule,
        after={"weekday": weekday, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
        now=now,
    )
    _availability_changed(location)
    return rule


def weekly_rule_remove_check(*, rule: WeeklyRule, actor: User) -> Check:
    """Any member of the location's provider removes its opening hours."""
    return membership_check(user=actor, provider=rule.location.provider)


@transaction.atomic
def weekly_rule_remove(*, rule: WeeklyRule, actor: User, now: dt.datetime) -> None:
    weekly_rule_remove_check(rule=rule, actor=actor).enforce()
    audit_record(
        actor=actor, action="providers.availability.rule_removed", target=rule, before={"rule": str(rule)}, now=now
    )
    location = rule.location
    rule.delete()
    _availability_changed(location)


def exception_add_check(*, location: Location, actor: User) -> Check:
    """Any member of the location's provider closes a day or opens extra hours."""
    return membership_check(user=actor, provider=location.provider)


@transaction.atomic
def exception_add(
    *,
    location: Location,
    actor: User,
    date: dt.date,
    kind: str,
    start: dt.time | None = None,
    end: dt.time | None = None,
    note: str = "",
    now: dt.datetime,
) -> AvailabilityException:
    """Close a whole day, or open extra hours on a day."""
    exception_add_check(location=location, actor=actor).enforce()
    if kind == ExceptionKind.CLOSED:
        start = end = None
    else:
        if start is None or end is None:
            raise ValidationFailed(
                _("Give the opening and closing times of the extra opening."),
                details={"start": [_("Give the opening and closing times of the extra opening.")]},
            )
        _check_hours(start, end)
    exception = AvailabilityException.objects.create(
        location=location, date=date, kind=kind, start=start, end=end, note=note
    )
    audit_record(
        actor=actor,
        action="providers.availability.exception_added",
        target=exception,
        after={"date": date.isoformat(), "kind": kind},
        now=now,
    )
    _availability_changed(location)
    return exception


def _availability_changed(location: Location) -> None:
    offerings_changed(offering_ids=list(location.offerings.values_list("pk", flat=True)), index=False)
