"""/messages/…: the inbox, a subject's thread (opened with its first message), the thread page that
updates without reloading (htmx swaps the message list; without JavaScript the form posts and the
page reloads), attachments, and a provider's messaging settings."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.reauth import recent_authentication_required
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from core.http import client_ip
from core.pages import apply_domain_error
from core.throttling import Throttled
from documents import services as documents
from documents.responses import attachment_response
from messaging import selectors, services
from messaging.forms import WEEKDAYS, MessageForm, SettingsForm
from messaging.models import Notice, SubjectKind, Thread
from messaging.participants import Subject
from providers.models import MemberRole, Offering, Provider


def notice_text(notice: str) -> str:
    emergency = _(
        "This conversation is not for emergencies. In an emergency, call 112 (anywhere in Europe) or 15 (SAMU, France)."
    )
    if notice == Notice.OUTSIDE_HOURS:
        return _("Your message arrived outside office hours: it will be read when the office opens.") + " " + emergency
    return emergency


def _thread_or_404(request, thread_id: int) -> tuple[Thread, Subject]:
    try:
        return selectors.thread_for(user=request.user, thread_id=thread_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _context(request, *, thread: Thread | None, subject: Subject, form: MessageForm) -> dict:
    rows = selectors.thread_messages(thread=thread) if thread is not None else []
    names = selectors.participant_names(subject=subject, user_ids=[m.author_id for m in rows])
    receipts = selectors.thread_receipts(thread=thread, subject=subject) if thread is not None else []
    for message in rows:
        message.author_name = names.get(message.author_id or 0, "")  # type: ignore[attr-defined]
        message.notice_text = notice_text(message.notice) if message.notice else ""  # type: ignore[attr-defined]
        message.read_by = selectors.read_by_others(message=message, receipts=receipts)  # type: ignore[attr-defined]
    action = (
        reverse("messaging:thread", args=[thread.pk])
        if thread is not None
        else reverse("messaging:subject", args=[subject.kind, subject.subject_id])
    )
    return {
        "thread": thread,
        "subject": subject,
        "thread_messages": rows,
        "form": form,
        "action": action,
        "office_hours": services.office_hours_of(subject),
        "office_hours_text": _office_hours_text(services.office_hours_of(subject)),
        "provider_name": (
            Provider.objects.filter(pk=subject.provider_id).values_list("name", flat=True).first()
            if subject.provider_takes_part and subject.provider_id is not None
            else None
        ),
    }


def _office_hours_text(hours: dict) -> str:
    """When someone reads the thread, as "Monday, …, Friday, 09:00–18:00 (Europe/Paris time)":
    wall-clock hours of a timezone, not an instant."""
    days = sorted(hours["weekdays"])
    named = (
        _("every day")
        if len(days) == len(WEEKDAYS)
        else ", ".join(str(label) for number, label in WEEKDAYS if number in days)
    )
    return _("%(days)s, %(opens)s–%(closes)s (%(timezone)s time)") % {
        "days": named,
        "opens": hours["opens_at"].strftime("%H:%M"),
        "closes": hours["closes_at"].strftime("%H:%M"),
        "timezone": hours["timezone"],
    }


def _send(request, *, subject: Subject, thread: Thread | None, form: MessageForm):
    """Run the send for a valid form; the thread, or None with the refusal on the form."""
    try:
        with transaction.atomic():
            opened = thread or services.thread_open(subject=subject, now=timezone.now())
            services.message_send(
                thread=opened,
                actor=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data.get("attachment"),
                attachment_title=form.cleaned_data.get("attachment_title", ""),
                now=timezone.now(),
            )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None
    return opened


@login_required
@require_GET
def inbox(request):
    managed = Provider.objects.filter(members__user_id=request.user.pk, members__role=MemberRole.ADMIN).order_by("name")
    return render(
        request, "messaging/inbox.html", {"threads": selectors.threads_of(user=request.user), "managed": list(managed)}
    )


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("messaging-api:threads")
def subject(request, kind: str, subject_id: int):
    """A subject's thread: the thread page once it exists, else an empty one whose form opens it."""
    if kind not in SubjectKind.values:
        raise Http404(_("You have no conversation with this number."))
    try:
        found = services.subject_for(kind=kind, subject_id=subject_id, user=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    thread = selectors.thread_of_subject(kind=kind, subject_id=subject_id)
    if thread is not None:
        return redirect("messaging:thread", thread.pk)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        opened = _send(request, subject=found, thread=None, form=form)
        if opened is not None:
            messages.success(request, _("Your message is sent."))
            return redirect("messaging:thread", opened.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "messaging/thread.html", _context(request, thread=None, subject=found, form=form), status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("messaging-api:messages")
def thread(request, thread_id: int):
    found, subject = _thread_or_404(request, thread_id)
    htmx = request.headers.get("HX-Request") == "true"
    form = MessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and _send(request, subject=subject, thread=found, form=form) is not None:
            if not htmx:
                messages.success(request, _("Your message is sent."))
                return redirect("messaging:thread", found.pk)
            form = MessageForm()
        else:
            status = 400 if not htmx else 200  # htmx swaps only a 2xx: the errors show on the form
    services.thread_mark_read(thread=found, actor=request.user, now=timezone.now())
    context = _context(request, thread=found, subject=subject, form=form)
    template = "messaging/_conversation.html" if htmx else "messaging/thread.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def thread_messages(request, thread_id: int):
    """The message list alone, for the page's polling (htmx)."""
    found, subject = _thread_or_404(request, thread_id)
    services.thread_mark_read(thread=found, actor=request.user, now=timezone.now())
    return render(
        request, "messaging/_messages.html", _context(request, thread=found, subject=subject, form=MessageForm())
    )


# Outside the request transaction: the audit event of a refused read must outlive the 404.
@transaction.non_atomic_requests
@require_GET
@recent_authentication_required
@login_required
def attachment(request, thread_id: int, document_id: uuid.UUID):
    found, _subject = _thread_or_404(request, thread_id)
    try:
        attached = selectors.thread_attachment(thread=found, document_id=document_id)
        data = documents.document_read(
            document=attached.document, reader=request.user, now=timezone.now(), ip=client_ip(request)
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Throttled as exc:
        return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
    except documents.DocumentUnavailable as exc:
        return render(request, "documents/unavailable.html", {"message": exc.message}, status=exc.http_status)
    return attachment_response(document=attached.document, data=data)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("messaging-api:provider_settings")
def provider_settings(request, provider_id: int):
    provider = get_object_or_404(Provider, pk=provider_id)
    check = services.provider_messaging_update_check(provider=provider, actor=request.user)
    if not check.allowed:
        raise Http404(check.reason)
    offerings = Offering.objects.filter(provider=provider).order_by("title", "pk")
    current = getattr(provider, "messaging", None)
    initial = {}
    if current is not None:
        initial = {
            "offerings": current.offering_ids,
            "quote_requests": current.quote_requests,
            "timezone": current.timezone,
            "weekdays": current.weekdays,
            "opens_at": current.opens_at,
            "closes_at": current.closes_at,
        }
    else:
        initial = {"weekdays": [0, 1, 2, 3, 4]}
    form = SettingsForm(request.POST or None, initial=initial, offerings=offerings)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.provider_messaging_update(
                        provider=provider,
                        actor=request.user,
                        offering_ids=data["offerings"],
                        quote_requests=data["quote_requests"],
                        timezone=data["timezone"],
                        weekdays=data["weekdays"],
                        opens_at=data["opens_at"],
                        closes_at=data["closes_at"],
                        now=timezone.now(),
                    )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Your messaging settings are saved."))
                return redirect("messaging:provider_settings", provider.pk)
        status = 400
    return render(request, "messaging/settings.html", {"provider": provider, "form": form}, status=status)


urlpatterns = [
    path("", inbox, name="inbox"),
    path("<int:thread_id>/", thread, name="thread"),
    path("<int:thread_id>/messages/", thread_messages, name="messages"),
    path("<int:thread_id>/attachments/<uuid:document_id>/", attachment, name="attachment"),
    path("about/<str:kind>/<int:subject_id>/", subject, name="subject"),
    path("providers/<int:provider_id>/settings/", provider_settings, name="provider_settings"),
]
