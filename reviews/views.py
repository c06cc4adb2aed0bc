"""Review pages.

- public: the review charter;
- patient: "My reviews" (written, and bookings or orders waiting for one), writing a review of a
  completed booking or of a fulfilled order's interpreter or driver, answering a provider's report;
- provider members: the reviews of their providers, a public reply, a report;
- careteam: the moderation queue (publish, reject against the charter, decide reports) and a
  supplier's reviews.

Every button shows only when its service's check allows it; the services hold every rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings.models import Booking
from concierge.models import AddonOrder, Supplier
from core.api_parity import api_twin
from core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from core.pages import apply_domain_error, run_service
from providers.models import Provider
from reviews import selectors, services
from reviews.access import is_careteam
from reviews.forms import DecideForm, RejectForm, ReplyForm, ReportForm, RespondForm, ReviewForm, SupplierReviewForm
from reviews.models import RejectionReason, ReportStatus, Review, ReviewReport

# --- helpers ----------------------------------------------------------------------------------------------


def careteam_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_careteam(request.user):
            raise PermissionDenied(_("Only the careteam moderates reviews."))
        return view(request, *args, **kwargs)

    return wrapped


def _run_form(request, form: forms.Form, action: Callable[[dict[str, Any]], Any], done: str) -> bool:
    """Run `action(cleaned_data)` for a posted form: True when done (the message shown); False with
    the refusal on the form (a field's) or as a message (any other)."""
    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            action(form.cleaned_data)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except ValidationFailed as exc:
        apply_domain_error(form, exc)
        return False
    except DomainError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, done)
    return True


def _review(request, pk: int) -> Review:
    try:
        return selectors.review_for(user=request.user, review_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


# --- public -------------------------------------------------------------------------------------------------


@require_GET
def charter(request) -> HttpResponse:
    return render(
        request,
        "reviews/charter.html",
        {
            "rules": RejectionReason.choices,
            "moderation_days": services.MODERATION_WORKING_DAYS,
            "response_days": services.RESPONSE_WINDOW.days,
        },
    )


# --- the patient ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "reviews/mine.html",
        {
            "reviews": selectors.reviews_by_author(user=request.user),
            "supplier_reviews": selectors.supplier_reviews_by_author(user=request.user),
            "bookings": selectors.bookings_to_review(user=request.user, now=now),
            "orders": selectors.orders_to_review(user=request.user, now=now),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("reviews-api:reviews")
def write(request, booking_id: int) -> HttpResponse:
    booking = Booking.objects.select_related("provider").filter(pk=booking_id).first()
    if booking is None or booking.patient_id != request.user.pk:
        raise Http404(_("You have no booking with this id."))
    check = services.review_submit_check(booking=booking, actor=request.user, now=timezone.now())
    if not check.allowed:
        messages.error(request, check.reason)
        return redirect("reviews:mine")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _run_form(
            request,
            form,
            lambda data: services.review_submit(
                booking=booking, actor=request.user, stars=form.stars(), text=data["text"], now=timezone.now()
            ),
            _("Thank you. Your review will be checked against the charter and published within 10 working days."),
        )
        if done:
            return redirect("reviews:mine")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "reviewed": booking.provider.name, "booking": booking}
    return render(request, "reviews/write.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@api_twin("reviews-api:supplier_reviews")
def write_supplier(request, order_id: int) -> HttpResponse:
    order = AddonOrder.objects.select_related("supplier").filter(pk=order_id).first()
    if order is None or order.patient_id != request.user.pk:
        raise Http404(_("You have no order with this id."))
    check = services.supplier_review_submit_check(order=order, actor=request.user, now=timezone.now())
    if not check.allowed:
        messages.error(request, check.reason)
        return redirect("reviews:mine")
    form = SupplierReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        done = _run_form(
            request,
            form,
            lambda data: services.supplier_review_submit(
                order=order, actor=request.user, stars=form.stars(), text=data["text"], now=timezone.now()
            ),
            _("Thank you. Your review will be checked against the charter and published within 10 working days."),
        )
        if done:
            return redirect("reviews:mine")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "reviewed": order.supplier.name if order.supplier else "", "order": order}
    return render(request, "reviews/write.html", context, status=status)


# --- one review: its author, its provider's members, the careteam ---------------------------------------------


def _detail(request, review: Review, *, status: int = 200, **bound: forms.Form) -> HttpResponse:
    now = timezone.now()
    user = request.user
    reports = []
    for report in review.reports.all():
        reports.append(
            {
                "report": report,
                "respond": services.review_report_respond_check(report=report, actor=user, now=now),
                "respond_form": bound.get(f"respond:{report.pk}") or RespondForm(prefix=f"respond-{report.pk}"),
                "decide": services.review_report_decide_check(report=report, actor=user, now=now),
                "decide_form": bound.get(f"decide:{report.pk}") or DecideForm(prefix=f"decide-{report.pk}"),
                # the same field in the removal's confirmation panel, under ids of its own
                "remove_form": DecideForm(prefix=f"decide-{report.pk}", auto_id=f"id_remove_{report.pk}_%s"),
            }
        )
    context = {
        "review": review,
        "is_author": review.author_id == user.pk,
        "reports": reports,
        "reply": services.review_reply_check(review=review, actor=user),
        "reply_form": bound.get("reply") or ReplyForm(),
        "report": services.review_report_check(review=review, actor=user),
        "report_form": bound.get("report") or ReportForm(),
        "publish": services.review_publish_check(review=review, actor=user),
        "reject": services.review_reject_check(review=review, actor=user),
        "reject_form": bound.get("reject") or RejectForm(),
        "remove_fields": [("decision", "remove")],
    }
    response = render(request, "reviews/detail.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def detail(request, pk: int) -> HttpResponse:
    return _detail(request, _review(request, pk))


def _post(request, review: Review, name: str, form: forms.Form, action: Callable[[dict[str, Any]], Any], done: str):
    if _run_form(request, form, action, done):
        return redirect("reviews:detail", review.pk)
    return _detail(request, review, status=400, **{name: form})


@login_required
@require_POST
@api_twin("reviews-api:reply")
def reply(request, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ReplyForm(request.POST)
    return _post(
        request,
        review,
        "reply",
        form,
        lambda data: services.review_reply(review=review, actor=request.user, text=data["text"], now=timezone.now()),
        _("Your reply is published under the review."),
    )


@login_required
@require_POST
@api_twin("reviews-api:report")
def report(request, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = ReportForm(request.POST)
    return _post(
        request,
        review,
        "report",
        form,
        lambda data: services.review_report(
            review=review, actor=request.user, reason=data["reason"], now=timezone.now()
        ),
        _("The review is hidden. Its author has 7 days to answer, then the careteam decides."),
    )


def _report(request, report_id: int) -> ReviewReport:
    found = ReviewReport.objects.select_related("review").filter(pk=report_id).first()
    if found is None:
        raise Http404(_("No review you may see has this id."))
    _review(request, found.review_id)  # 404 unless the review is the caller's to see
    return found


@login_required
@require_POST
@api_twin("reviews-api:report_respond")
def report_respond(request, report_id: int) -> HttpResponse:
    found = _report(request, report_id)
    form = RespondForm(request.POST, prefix=f"respond-{found.pk}")
    return _post(
        request,
        found.review,
        f"respond:{found.pk}",
        form,
        lambda data: services.review_report_respond(
            report=found, actor=request.user, response=data["response"], now=timezone.now()
        ),
        _("Your answer is with the careteam, who will decide."),
    )


@login_required
@require_POST
@api_twin("reviews-api:report_decide")
def report_decide(request, report_id: int) -> HttpResponse:
    found = _report(request, report_id)
    if not is_careteam(request.user):
        raise PermissionDenied(_("Only the careteam moderates reviews."))
    decision = request.POST.get("decision")
    form = DecideForm(request.POST, prefix=f"decide-{found.pk}")
    if decision not in ("keep", "remove"):  # never a removal by default
        form.is_valid()
        form.add_error(None, _("Choose whether to keep or remove the review."))
        return _detail(request, found.review, status=400, **{f"decide:{found.pk}": form})
    keep = decision == "keep"
    return _post(
        request,
        found.review,
        f"decide:{found.pk}",
        form,
        lambda data: services.review_report_decide(
            report=found, actor=request.user, keep=keep, note=data["note"], now=timezone.now()
        ),
        _("The review is published again.") if keep else _("The review is removed."),
    )


# --- provider members -------------------------------------------------------------------------------------------


@login_required
@require_GET
def provider_reviews(request) -> HttpResponse:
    providers = list(Provider.objects.filter(members__user=request.user).order_by("name").distinct())
    if not providers:
        raise PermissionDenied(_("Only a provider's members see the reviews of their provider."))
    ratings = selectors.provider_ratings(p.pk for p in providers)
    return render(
        request,
        "reviews/provider.html",
        {
            "providers": [(p, ratings.get(p.pk, selectors.NO_RATING)) for p in providers],
            "reviews": selectors.reviews_of_members_providers(user=request.user),
        },
    )


# --- the careteam ---------------------------------------------------------------------------------------------


@careteam_only
@require_GET
def moderation(request) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "reviews/moderation.html",
        {
            "now": now,
            "reviews": selectors.moderation_queue(),
            "supplier_reviews": selectors.supplier_moderation_queue(),
            "reports": selectors.open_reports(),
            "supplier_reject_forms": {
                review.pk: RejectForm(auto_id=f"id_supplier_{review.pk}_%s")
                for review in selectors.supplier_moderation_queue()
            },
            "awaiting_author": ReportStatus.AWAITING_AUTHOR,
        },
    )


@careteam_only
@require_POST
@api_twin("reviews-api:publish")
def publish(request, pk: int) -> HttpResponse:
    review = _review(request, pk)
    run_service(
        request,
        lambda: services.review_publish(review=review, actor=request.user, now=timezone.now()),
        _("The review is published."),
    )
    return redirect("reviews:moderation")


@careteam_only
@require_POST
@api_twin("reviews-api:reject")
def reject(request, pk: int) -> HttpResponse:
    review = _review(request, pk)
    form = RejectForm(request.POST)
    return _post(
        request,
        review,
        "reject",
        form,
        lambda data: services.review_reject(
            review=review, actor=request.user, reason=data["reason"], note=data["note"], now=timezone.now()
        ),
        _("The review is rejected; its author is told why."),
    )


def _supplier_review(request, pk: int):
    try:
        return selectors.supplier_review_for_careteam(user=request.user, review_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@careteam_only
@require_POST
@api_twin("reviews-api:supplier_publish")
def supplier_publish(request, pk: int) -> HttpResponse:
    review = _supplier_review(request, pk)
    run_service(
        request,
        lambda: services.supplier_review_publish(review=review, actor=request.user, now=timezone.now()),
        _("The review is published."),
    )
    return redirect("reviews:moderation")


@careteam_only
@require_POST
@api_twin("reviews-api:supplier_reject")
def supplier_reject(request, pk: int) -> HttpResponse:
    review = _supplier_review(request, pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the rule of the charter the review breaks."))
        return redirect("reviews:moderation")
    run_service(
        request,
        lambda: services.supplier_review_reject(
            review=review,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            now=timezone.now(),
        ),
        _("The review is rejected; its author is told why."),
    )
    return redirect("reviews:moderation")


@careteam_only
@require_GET
def supplier(request, supplier_id: int) -> HttpResponse:
    found = Supplier.objects.filter(pk=supplier_id).first()
    if found is None:
        raise Http404(_("No supplier has this id."))
    return render(
        request,
        "reviews/supplier.html",
        {
            "supplier": found,
            "rating": selectors.supplier_rating(supplier_id=found.pk),
            "reviews": selectors.supplier_reviews(supplier_id=found.pk),
        },
    )
