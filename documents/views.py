"""Document pages: a patient's documents and their sharing, the upload page, and the download."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.reauth import recent_authentication_required
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from core.http import client_ip
from core.pages import apply_domain_error
from core.throttling import Throttled, throttle_hit
from documents import services
from documents.forms import DocumentUploadForm, GrantForm
from documents.models import MedicalDocument
from documents.responses import attachment_response
from documents.selectors import document_for_read, document_of_owner, documents_of_owner


def _my_document(request, document_id: uuid.UUID) -> MedicalDocument:
    try:
        return document_of_owner(user=request.user, document_id=document_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _grant_form(document: MedicalDocument, data=None) -> GrantForm:
    # One form per document on the same page: ids must not repeat.
    return GrantForm(data, auto_id=f"id_grant_{document.pk.hex}_%s")


@login_required
def document_list(request):
    now = timezone.now()
    documents = list(documents_of_owner(user=request.user))
    for document in documents:
        document.share = services.document_grant_check(document=document, actor=request.user)
        document.grant_form = _grant_form(document)
        for grant in document.grants.all():
            grant.live = grant.is_live(now=now)
            grant.revoke = services.document_revoke_check(grant=grant, actor=request.user, now=now)
    return render(request, "documents/list.html", {"documents": documents})


@login_required
@api_twin("api_documents")
def document_upload(request):
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                # Per patient, as the API's throttle (docs/decisions.md#holds-per-patient).
                throttle_hit(scope="document_uploads", key=request.user.pk)
                services.document_upload(
                    owner=request.user,
                    upload=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                    now=timezone.now(),
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The document is stored, encrypted. Only you can read it until you share it."))
            return redirect("documents:list")
    return render(request, "documents/upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
@api_twin("api_document_grants")
def grant_add(request, document_id: uuid.UUID):
    document = _my_document(request, document_id)
    form = _grant_form(document, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect("documents:list")
    try:
        with transaction.atomic():
            grant = services.document_grant(
                document=document,
                actor=request.user,
                provider=form.cleaned_data["provider"],
                expires_at=form.expires_at(),
                now=timezone.now(),
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(provider)s can now read “%(title)s”.") % {"provider": grant.provider.name, "title": document.title},
        )
    return redirect("documents:list")


@login_required
@require_POST
@api_twin("api_document_grant")
def grant_revoke(request, document_id: uuid.UUID, grant_id: int):
    document = _my_document(request, document_id)
    grant = document.grants.select_related("provider", "document").filter(pk=grant_id).first()
    if grant is None:
        raise Http404(_("This document has no such sharing."))
    services.document_revoke(grant=grant, actor=request.user, now=timezone.now())
    messages.success(
        request,
        _("%(provider)s can no longer read “%(title)s”.") % {"provider": grant.provider.name, "title": document.title},
    )
    return redirect("documents:list")


# Outside the request transaction: the audit event of a refused read must outlive the 404.
@transaction.non_atomic_requests
@require_GET
@recent_authentication_required
def download(request, document_id: uuid.UUID):
    """The document's bytes, for whoever may read them; everyone else (signed in or not) gets 404.
    A signed-in reader who has not signed in or re-authenticated in the last minutes is asked to
    first (docs/decisions.md "Sign-in and MFA")."""
    document = document_for_read(document_id=document_id)
    try:
        data = services.document_read(document=document, reader=request.user, now=timezone.now(), ip=client_ip(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Throttled as exc:
        response = HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(exc.wait)
        return response
    except services.DocumentUnavailable as exc:
        return render(request, "documents/unavailable.html", {"message": exc.message}, status=exc.http_status)
    return attachment_response(document=document, data=data)
