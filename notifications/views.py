"""Notification pages (preferences, the careteam's log) and Twilio's callbacks.

Twilio's requests carry no session: each is accepted only with a valid X-Twilio-Signature over
the URL it called and its parameters (403 otherwise, nothing changed).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.api_parity import api_twin
from core.errors import Forbidden
from notifications import services, sms
from notifications.forms import LogSearchForm, PreferenceForm
from notifications.selectors import message_log

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


@login_required
@api_twin("api_notification_preferences")
def preferences(request):
    preference = services.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(
                user=request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"], now=timezone.now()
            )
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={"email": preference.email, "sms": preference.sms and preference.sms_opted_out_at is None}
        )
    return render(request, "notifications/preferences.html", {"form": form, "preference": preference})


@login_required
def log(request):
    form = LogSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    try:
        rows = list(message_log(user=request.user, query=query))
    except Forbidden as exc:
        raise PermissionDenied from exc
    return render(request, "notifications/log.html", {"form": form, "rows": rows, "query": query})


def _verified(request) -> bool:
    """Twilio signs the URL it called: the one this request shows, or SITE_URL's when a proxy in
    front rewrites the host or the scheme."""
    params = {key: request.POST.get(key, "") for key in request.POST}
    signature = request.headers.get("X-Twilio-Signature", "")
    urls = {request.build_absolute_uri(), services.site_url(request.get_full_path())}
    return any(sms.signature_valid(url=url, params=params, signature=signature) for url in urls)


@csrf_exempt
@require_POST
def twilio_status(request):
    """Twilio's status callback for a message we sent: MessageSid, MessageStatus, ErrorCode."""
    if not _verified(request):
        logger.warning("Twilio status callback refused: bad signature")
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("MessageSid", "").strip()
    status = request.POST.get("MessageStatus", "").strip().lower()
    error_code = request.POST.get("ErrorCode", "").strip()
    if not sid or not status or len(sid) > 64 or len(status) > 20 or len(error_code) > 10:
        logger.warning("Twilio status callback malformed: %r", dict(request.POST))
        return HttpResponseBadRequest("MessageSid and MessageStatus are required")
    services.delivery_report_record(provider_message_id=sid, status=status, error_code=error_code, now=timezone.now())
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def twilio_inbound(request):
    """Twilio's webhook for an SMS someone sent us: STOP (and the like) stops SMS to that number,
    START lets them go again. Twilio answers STOP itself; we answer nothing."""
    if not _verified(request):
        logger.warning("Twilio inbound webhook refused: bad signature")
        return HttpResponseForbidden("invalid signature")
    number = sms.e164(request.POST.get("From", ""))
    word = request.POST.get("OptOutType", "") or request.POST.get("Body", "")
    word = word.strip().upper()
    if number is not None and word in services.STOP_WORDS:
        services.sms_opt_out(number=number, now=timezone.now())
    elif number is not None and word in services.START_WORDS:
        services.sms_opt_in(number=number, now=timezone.now())
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
