"""The case board's pages. Each action is a plain form POST that redirects; an htmx request (the
`HX-Request` header) gets the changed fragment instead of a whole page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from careteam import selectors, services
from careteam.forms import AssignForm, BoardFilterForm, NoteForm
from careteam.labels import action_words, queue_label, stage_label
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound


def _careteam(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- login_required ran first
    try:
        selectors.require_careteam(user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return user


def _board_user(request: HttpRequest) -> User:
    """A member of the careteam or a medical coordinator (who sees only the second-opinion queue)."""
    user = request.user
    assert isinstance(user, User)  # noqa: S101 -- login_required ran first
    try:
        selectors.board_viewer(user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return user


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _card(request: HttpRequest, key: str) -> selectors.Card:
    try:
        return selectors.case_card(user=_board_user(request), key=key, now=timezone.now())
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    user = _board_user(request)
    now = timezone.now()
    # The city choices come from the board itself: read it whole once, then filter.
    everything = selectors.board_all(user=user, now=now)
    form = BoardFilterForm(request.GET or None, cities=selectors.board_cities(everything))
    cards = selectors.filtered(everything, filters=form.filters(), user=user)
    context = {
        "form": form,
        "columns": [
            {"stage": column.stage, "label": stage_label(column.stage), "cards": column.cards}
            for column in selectors.board_columns(cards)
        ],
        "total": len(cards),
        "queue_label": queue_label,
        "can_assign": services.case_assign_check(actor=user).allowed,
    }
    template = "careteam/_columns.html" if _htmx(request) else "careteam/board.html"
    return render(request, template, context)


@login_required
@require_GET
def case(request: HttpRequest, key: str) -> HttpResponse:
    card = _card(request, key)
    return render(request, "careteam/case.html", _case_context(request, card))


def _case_context(request: HttpRequest, card: selectors.Card, **forms: Any) -> dict[str, Any]:
    user = _board_user(request)
    events = selectors.case_timeline(item=card.item)
    actors = {
        person.pk: person.email
        for person in User.objects.filter(pk__in={event.actor_id for event in events if event.actor_id is not None})
    }
    owner_ids: set[int] = set()
    for event in events:
        owner = (event.after or {}).get("owner") if event.target_type == "careteam.caseowner" else None
        if isinstance(owner, int):
            owner_ids.add(owner)
    owners = {person.pk: person.email for person in User.objects.filter(pk__in=owner_ids)}
    timeline = [
        {
            "at": event.at,
            "actor": _("the platform") if event.actor_id is None else actors.get(event.actor_id, _("a former user")),
            "words": action_words(event.action),
            "detail": _event_detail(event.before, event.after, owners),
        }
        for event in events
    ]
    return {
        "card": card,
        "item": card.item,
        "queue": queue_label(card.item.queue),
        "stage": stage_label(card.item.stage),
        "timeline": timeline,
        "notes": selectors.case_notes(key=card.key),
        "assign_form": forms.get("assign_form") or AssignForm(initial={"owner": card.owner}),
        "note_form": forms.get("note_form") or NoteForm(),
        "can_assign": services.case_assign_check(actor=user).allowed,
        "can_note": services.case_note_add_check(actor=user).allowed,
    }


def _event_detail(before: Any, after: Any, owners: dict[int, str]) -> str:
    """A transition's "from → to", or the new owner, in a few words; nothing for other events."""
    if isinstance(after, dict) and "owner" in after and "key" in after:
        owner = after.get("owner")
        return _("to %(person)s") % {"person": owners[owner]} if owner in owners else ""
    if isinstance(before, dict) and isinstance(after, dict) and len(before) == 1:
        ((field, old),) = before.items()
        new = after.get(field)
        if isinstance(old, str) and isinstance(new, str):
            return f"{old.replace('_', ' ')} → {new.replace('_', ' ')}"
    return ""


@login_required
@require_POST
@api_twin("api_board_assign")
def assign(request: HttpRequest, key: str) -> HttpResponse:
    user = _careteam(request)
    card = _card(request, key)
    data = request.POST.copy()
    if data.get("owner") == "me":
        data["owner"] = str(user.pk)
    form = AssignForm(data)
    back_to_board = request.POST.get("from") == "board"
    if form.is_valid():
        try:
            services.case_assign(actor=user, key=key, owner=form.cleaned_data["owner"], now=timezone.now())
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error("owner", exc.message)
    card = _card(request, key)
    if _htmx(request):
        if back_to_board:
            return render(
                request,
                "careteam/_card.html",
                # The "Take it" button the keyboard was on is gone: the card's title takes the focus
                # (htmx focuses an [autofocus] element it swaps in), so Tab goes on from the card.
                {"card": card, "queue_label": queue_label, "can_assign": True, "focus_title": True},
            )
        return render(request, "careteam/_owner.html", _case_context(request, card, assign_form=form))
    if form.errors:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    else:
        messages.success(request, _("The case's owner is saved."))
    return redirect(reverse("careteam:board") if back_to_board else reverse("careteam:case", args=[key]))


@login_required
@require_POST
@api_twin("api_board_notes")
def note_add(request: HttpRequest, key: str) -> HttpResponse:
    user = _careteam(request)
    card = _card(request, key)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.case_note_add(actor=user, key=key, text=form.cleaned_data["text"], now=timezone.now())
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except DomainError as exc:
            form.add_error("text", exc.message)
        else:
            form = NoteForm()
    if _htmx(request):
        return render(request, "careteam/_notes.html", _case_context(request, card, note_form=form))
    if form.errors:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        # The text is kept: the page is shown again with the form as it was sent.
        return render(request, "careteam/case.html", _case_context(request, card, note_form=form))
    messages.success(request, _("The note is added."))
    return redirect("careteam:case", key=key)
