"""Aftercare pages: the discharge pack on the booking's page (the provider adds items, the patient
sees what is there and what is missing and makes links for their doctor), and the public page a
link opens (docs/decisions.md#discharge-pack)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bookings import services
from bookings.forms import DischargeItemForm, PackLinkForm
from bookings.models import Booking, DischargeItemKind
from bookings.selectors import booking_of_patient, booking_visible_to
from bookings.views import render_detail
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from core.http import client_ip, private_page
from core.pages import apply_domain_error, run_service
from core.throttling import Throttled
from documents.responses import attachment_response
from documents.services import DocumentUnavailable
from providers.services.permissions import member_role


def _back(booking: Booking) -> HttpResponse:
    return redirect(reverse("bookings:detail", args=[booking.pk]) + "#discharge-pack")


@login_required
@require_POST
@api_twin("api_booking_discharge_items")
def pack_item(request, booking_id: int) -> HttpResponse:
    """A member of the provider uploads an item (or states it does not apply)."""
    try:
        booking = booking_visible_to(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    kind = request.POST.get("kind", "")
    prefix = kind if kind in DischargeItemKind.values else "item"
    form = DischargeItemForm(request.POST, request.FILES, auto_id=f"id_pack_{prefix}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["not_applicable"]:
                    services.discharge_item_not_applicable(
                        booking=booking, actor=request.user, kind=data["kind"], now=timezone.now()
                    )
                else:
                    services.discharge_item_upload(
                        booking=booking,
                        actor=request.user,
                        kind=data["kind"],
                        upload=data["file"],
                        title=data["title"],
                        now=timezone.now(),
                    )
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(booking)
        else:
            messages.success(request, _("The discharge pack is updated."))
            return _back(booking)
    if member_role(user=request.user, provider=booking.provider) is None:
        raise PermissionDenied(_("Only the provider's members can add to the discharge pack."))
    return render_detail(request, booking, status=400, pack_extra={"item_form": form})


def _own(request, booking_id: int) -> Booking:
    try:
        return booking_of_patient(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
@api_twin("api_booking_pack_links")
def pack_link_create(request, booking_id: int) -> HttpResponse:
    """The link is shown once, on the page this post answers: its token is stored nowhere."""
    booking = _own(request, booking_id)
    form = PackLinkForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                _link, token = services.pack_link_create(
                    booking=booking,
                    actor=request.user,
                    recipient=form.cleaned_data["recipient"],
                    email=form.cleaned_data["email"],
                    now=timezone.now(),
                )
        except ValidationFailed as exc:
            apply_domain_error(form, exc)
        except DomainError as exc:
            messages.error(request, exc.message)
            return _back(booking)
        else:
            url = request.build_absolute_uri(reverse("bookings:pack_shared", args=[token]))
            response = render_detail(request, booking, pack_extra={"new_link_url": url})
            response["Cache-Control"] = "no-store"
            return response
    return render_detail(request, booking, status=400, pack_extra={"share_form": form})


@login_required
@require_POST
@api_twin("api_booking_pack_link")
def pack_link_revoke(request, booking_id: int, link_id: int) -> HttpResponse:
    booking = _own(request, booking_id)
    try:
        link = services.pack_link_of(booking=booking, link_id=link_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    run_service(
        request,
        lambda: services.pack_link_revoke(link=link, actor=request.user, now=timezone.now()),
        _("The link for %(recipient)s no longer works.") % {"recipient": link.recipient},
    )
    return _back(booking)


# --- the public page a link opens --------------------------------------------------------------------------


def _refused(request, exc: DomainError) -> HttpResponse:
    gone = isinstance(exc, services.LinkGone)
    response = render(
        request, "bookings/pack_shared_gone.html", {"message": exc.message, "gone": gone}, status=exc.http_status
    )
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.wait)
    return private_page(response)


@transaction.non_atomic_requests
@require_GET
def pack_shared(request, token: str) -> HttpResponse:
    """Public: the discharge pack behind a live link, for the patient's own doctor."""
    try:
        link, lines = services.pack_link_open(token=token, ip=client_ip(request), now=timezone.now())
    except (NotFound, Throttled, services.LinkGone) as exc:
        return _refused(request, exc)
    context = {"link": link, "lines": lines, "token": token, "booking": link.booking}
    return private_page(render(request, "bookings/pack_shared.html", context))


@transaction.non_atomic_requests
@require_GET
def pack_shared_file(request, token: str, item_id: int) -> HttpResponseBase:
    """Public: one document of the pack behind a live link, decrypted."""
    try:
        document, data = services.pack_link_document(
            token=token, item_id=item_id, ip=client_ip(request), now=timezone.now()
        )
    except (NotFound, Throttled, services.LinkGone, DocumentUnavailable) as exc:
        return _refused(request, exc)
    return private_page(attachment_response(document=document, data=data))
