"""Reads of data-rights requests, each scoped to who asks."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import StaffGroup, User
from core.errors import Forbidden, NotFound
from privacy.models import OPEN_STATUSES, DataRequest, ProviderForward


def person_reference(user_id: int) -> str:
    """A pseudonymous reference for a person, the same on every page and message ("P-3F9A0C12B4"):
    a provider matches it against the bookings it sees, without the platform naming the person in
    an e-mail."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"privacy.person:{user_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10].upper()


def requests_of(*, user: User) -> QuerySet[DataRequest]:
    if not user.is_authenticated:
        return DataRequest.objects.none()
    return DataRequest.objects.filter(user=user).order_by("-received_at", "-pk")


def request_of(*, user: User, request_id: int, kind: str = "") -> DataRequest:
    """One of `user`'s own requests (of `kind`, when given); anyone else's is "not found"."""
    found = requests_of(user=user).filter(pk=request_id)
    request = (found.filter(kind=kind) if kind else found).first()
    if request is None:
        raise NotFound(_("You have no request with this number."))
    return request


def open_request_of(*, user: User, kind: str) -> DataRequest | None:
    return requests_of(user=user).filter(kind=kind, status__in=OPEN_STATUSES).first()


def latest_export_of(*, user: User) -> DataRequest | None:
    return requests_of(user=user).filter(kind="export").first()


def require_careteam(user: User) -> None:
    if not (user.is_authenticated and user.in_group(StaffGroup.CARETEAM)):
        raise Forbidden(_("Only the careteam answers data-rights requests."), code="careteam_only")


def request_for_careteam(*, user: User, request_id: int) -> DataRequest:
    require_careteam(user)
    request = DataRequest.objects.select_related("user", "handled_by").filter(pk=request_id).first()
    if request is None:
        raise NotFound(_("No request has this number."))
    return request


def forwards_for_member(*, user: User) -> QuerySet[ProviderForward]:
    """The requests forwarded to the providers `user` is a member of, unanswered first."""
    if not user.is_authenticated:
        return ProviderForward.objects.none()
    return (
        ProviderForward.objects.filter(provider__members__user=user)
        .select_related("request", "provider")
        .distinct()
        .order_by("answered_at", "-sent_at", "-pk")
    )
