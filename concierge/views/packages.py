"""Pages of the VIP package and careteam assistance: the patient asks, decides, follows; the careteam
builds the package (or prices the assistance) and tracks each item once paid."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bookings.models import Booking
from concierge import selectors
from concierge.models import (
    AddonKind,
    CareMandate,
    PackageItemCategory,
    PackageItemRefund,
    PackageItemStatus,
    Supplier,
)
from concierge.services import assistance, packages
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from core.hooks import order_sections
from core.money import MoneyError, currency_choices, parse_money
from core.pages import apply_domain_error, run_service


def _or_404(read, **kwargs):
    try:
        return read(**kwargs)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _pay_url(order) -> str:
    """The order's card page (the order pages' `concierge:order_pay`); this page until it exists."""
    try:
        return reverse("concierge:order_pay", args=[order.pk])
    except NoReverseMatch:
        return reverse("concierge:package_detail", args=[order.pk])


def _require_careteam(request) -> None:
    if not packages.is_careteam(request.user):
        raise PermissionDenied(_("Only the careteam can do this."))


def _own_booking(request) -> Booking | None:
    """The `?booking=` the request is for: the patient's own, or a 404."""
    raw = request.GET.get("booking") or request.POST.get("booking") or ""
    if not raw:
        return None
    booking = Booking.objects.filter(pk=int(raw) if raw.isdigit() else 0, patient_id=request.user.pk).first()
    if booking is None:
        raise Http404(_("You have no booking with this id."))
    return booking


# --- forms ----------------------------------------------------------------------------------------


class VipRequestForm(forms.Form):
    wishes = forms.MultipleChoiceField(
        label=gettext_lazy("What should the package include?"),
        choices=packages.VIP_WISHES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    city = forms.CharField(label=gettext_lazy("City of your stay"), max_length=120)
    note = forms.CharField(
        label=gettext_lazy("Tell us more (dates, people travelling, preferences)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
    )


class AssistanceRequestForm(forms.Form):
    scope = forms.MultipleChoiceField(
        label=gettext_lazy("What may the careteam do for you?"),
        choices=assistance.MANDATE_SCOPES,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=gettext_lazy("For how many days (1 to 90)?"), min_value=1, max_value=90, initial=30)
    city = forms.CharField(label=gettext_lazy("Where would you like to be treated (city)?"), max_length=120)
    note = forms.CharField(
        label=gettext_lazy("Your need, in your words"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=4000,
        help_text=gettext_lazy("No medical details are needed here: you share documents with providers later."),
    )


def _minor(text: str, currency: str) -> int:
    try:
        return parse_money(text, currency, get_language() or settings.LANGUAGE_CODE).amount
    except MoneyError as exc:
        raise forms.ValidationError(exc.message) from exc


class PackageItemForm(forms.Form):
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=PackageItemCategory.choices)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300)
    supplier = forms.ModelChoiceField(label=gettext_lazy("Supplier"), queryset=Supplier.objects.none(), required=False)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), choices=())
    price = forms.CharField(label=gettext_lazy("Price to the patient"), max_length=30)
    cost = forms.CharField(label=gettext_lazy("Our cost (optional)"), max_length=30, required=False)
    refund_rule = forms.ChoiceField(label=gettext_lazy("Refund rule"), choices=PackageItemRefund.choices)

    def __init__(self, *args, city: str, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        supplier = cast(forms.ModelChoiceField, self.fields["supplier"])
        supplier.queryset = Supplier.objects.filter(city=city, active=True).order_by("kind", "name")
        cast(forms.ChoiceField, self.fields["currency"]).choices = currency_choices()
        if currency:
            self.fields["currency"].initial = currency

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if currency and cleaned.get("price"):
            try:
                cleaned["amount"] = _minor(cleaned["price"], currency)
            except forms.ValidationError as exc:
                self.add_error("price", exc)
        cleaned["cost_amount"] = None
        if currency and cleaned.get("cost"):
            try:
                cleaned["cost_amount"] = _minor(cleaned["cost"], currency)
            except forms.ValidationError as exc:
                self.add_error("cost", exc)
        return cleaned


class AssistancePriceForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Currency of the fee"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["currency"]).choices = currency_choices()


class RefuseForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why no price applies (the patient reads this)"), max_length=300)


# --- the patient -------------------------------------------------------------------------------------


@login_required
@api_twin("api_concierge_vip")
def vip_request(request):
    booking = _own_booking(request)
    form = VipRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                order = packages.vip_request(
                    patient=request.user,
                    booking=booking,
                    city=data["city"],
                    note=data["note"],
                    wishes=data["wishes"],
                    now=timezone.now(),
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your request is with the careteam: they will send you a package to accept."))
            return redirect("concierge:package_detail", order.pk)
    return render(
        request,
        "concierge/packages/vip_request.html",
        {"form": form, "booking": booking},
        status=400 if form.errors else 200,
    )


@login_required
@api_twin("api_concierge_assistance")
def assistance_request(request):
    booking = _own_booking(request)
    form = AssistanceRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            with transaction.atomic():
                order = assistance.assistance_request(
                    patient=request.user,
                    scope=data["scope"],
                    expires_at=now + dt.timedelta(days=data["days"]),
                    note=data["note"],
                    city=data["city"],
                    booking=booking,
                    now=now,
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your mandate is recorded: the careteam will send you its fee to accept."))
            return redirect("concierge:package_detail", order.pk)
    return render(
        request,
        "concierge/packages/assistance_request.html",
        {"form": form, "booking": booking},
        status=400 if form.errors else 200,
    )


def _package_context(order, actor) -> dict:
    items = list(order.package_items.select_related("supplier").order_by("position"))
    running, cost, margin = packages.package_cost(order)
    mandate = CareMandate.objects.filter(order=order).first()
    return {
        "order": order,
        "items": items,
        "lines": list(order.lines.all()),
        "running": running,
        "cost": cost,
        "margin": margin,
        "paid": order.paid_at is not None,
        "refunded": order.refund_amount or 0,
        "mandate": mandate,
        "scopes": assistance.mandate_scope_labels(mandate) if mandate else [],
        "is_vip": order.kind == AddonKind.VIP_CONCIERGE,
        # What higher floors hang on the order (quotes: a careteam assistance's tenders).
        "sections": [
            section for found in order_sections.call(order_id=order.pk, viewer_id=actor.pk) for section in found
        ],
    }


@login_required
def package_detail(request, pk: int):
    order = _or_404(selectors.patient_package, patient=request.user, order_id=pk)
    context = _package_context(order, request.user)
    context.update(
        accept_check=packages.order_quote_accept_check(order=order, actor=request.user, now=timezone.now()),
        decline_check=packages.order_quote_decline_check(order=order, actor=request.user),
        revoke_check=assistance.mandate_revoke_check(order=order, actor=request.user) if context["mandate"] else None,
        pay_url=_pay_url(order) if order.status == "awaiting_payment" else "",
        now=timezone.now(),
    )
    return render(request, "concierge/packages/detail.html", context)


@login_required
@require_POST
@api_twin("api_concierge_package_accept")
def package_accept(request, pk: int):
    order = _or_404(selectors.patient_package, patient=request.user, order_id=pk)
    done = run_service(
        request,
        lambda: packages.order_quote_accept(order=order, actor=request.user, now=timezone.now()),
        _("Accepted. Pay by card to confirm."),
    )
    return redirect(_pay_url(order)) if done else redirect("concierge:package_detail", order.pk)


@login_required
@require_POST
@api_twin("api_concierge_package_decline")
def package_decline(request, pk: int):
    order = _or_404(selectors.patient_package, patient=request.user, order_id=pk)
    run_service(
        request,
        lambda: packages.order_quote_decline(order=order, actor=request.user, now=timezone.now()),
        _("You declined the quote; nothing was charged."),
    )
    return redirect("concierge:package_detail", order.pk)


@login_required
@require_POST
@api_twin("api_concierge_mandate_revoke")
def mandate_revoke(request, pk: int):
    order = _or_404(selectors.patient_package, patient=request.user, order_id=pk)
    run_service(
        request,
        lambda: assistance.mandate_revoke(order=order, actor=request.user, now=timezone.now()),
        _("Mandate revoked: the careteam no longer acts on your behalf."),
    )
    return redirect("concierge:package_detail", order.pk)


# --- the careteam ------------------------------------------------------------------------------------


@login_required
@api_twin("api_concierge_package_items")
def package_edit(request, pk: int):
    """The careteam's page of one request: build and send a package, or price the assistance; track items."""
    _require_careteam(request)
    order = _or_404(selectors.careteam_package, order_id=pk)
    item_form = PackageItemForm(request.POST or None, city=order.city, currency=order.currency)
    if request.method == "POST" and order.kind == AddonKind.VIP_CONCIERGE and item_form.is_valid():
        data = item_form.cleaned_data
        try:
            with transaction.atomic():
                packages.package_item_add(
                    order=order,
                    actor=request.user,
                    category=data["category"],
                    description=data["description"],
                    amount=data["amount"],
                    currency=data["currency"],
                    cost_amount=data["cost_amount"],
                    supplier=data["supplier"],
                    refund_rule=data["refund_rule"],
                    now=timezone.now(),
                )
        except DomainError as exc:
            apply_domain_error(item_form, exc)
        else:
            messages.success(request, _("Item added."))
            return redirect("concierge:package_edit", order.pk)
    context = _package_context(order, request.user)
    edit = packages.package_edit_check(order=order, actor=request.user) if context["is_vip"] else None
    for item in context["items"]:
        item.moves = [
            (target, label)
            for target, label in PackageItemStatus.choices
            if packages.package_item_move_check(item=item, actor=request.user, target=target)
        ]
        item.refundable = packages.item_refundable(item)
    context.update(
        item_form=item_form if edit else None,
        edit_check=edit,
        send_check=packages.package_quote_send_check(order=order, actor=request.user) if context["is_vip"] else None,
        price_check=None if context["is_vip"] else assistance.assistance_quote_check(order=order, actor=request.user),
        price_form=AssistancePriceForm(initial={"currency": "EUR"}),
        refuse_form=RefuseForm(),
        now=timezone.now(),
    )
    if not context["is_vip"]:
        context["tender_check"] = assistance.mandate_valid_check(order=order, now=context["now"])
        context["complete_check"] = assistance.assistance_complete_check(order=order, actor=request.user)
    return render(
        request,
        "concierge/packages/edit.html",
        context,
        status=400 if request.method == "POST" and item_form.errors else 200,
    )


@login_required
@require_POST
@api_twin("api_concierge_package_item")
def package_item_remove(request, item_id: int):
    _require_careteam(request)
    item = _or_404(selectors.package_item, item_id=item_id)
    run_service(
        request,
        lambda: packages.package_item_remove(item=item, actor=request.user, now=timezone.now()),
        _("Item removed."),
    )
    return redirect("concierge:package_edit", item.order_id)


@login_required
@require_POST
@api_twin("api_concierge_package_item_move")
def package_item_move(request, item_id: int):
    _require_careteam(request)
    item = _or_404(selectors.package_item, item_id=item_id)
    target = request.POST.get("target", "")
    if target not in PackageItemStatus.values:
        messages.error(request, _("Choose what happened to the item."))
    else:
        run_service(
            request,
            lambda: packages.package_item_move(item=item, actor=request.user, target=target, now=timezone.now()),
            _("Item updated."),
        )
    return redirect("concierge:package_edit", item.order_id)


@login_required
@require_POST
@api_twin("api_concierge_package_send")
def package_quote_send(request, pk: int):
    _require_careteam(request)
    order = _or_404(selectors.careteam_package, order_id=pk)
    run_service(
        request,
        lambda: packages.package_quote_send(order=order, actor=request.user, now=timezone.now()),
        _("The package was sent to the patient."),
    )
    return redirect("concierge:package_edit", order.pk)


@login_required
@require_POST
@api_twin("api_concierge_assistance_quote")
def assistance_price(request, pk: int):
    _require_careteam(request)
    order = _or_404(selectors.careteam_package, order_id=pk)
    form = AssistancePriceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the currency of the fee."))
    else:
        run_service(
            request,
            lambda: assistance.assistance_quote(
                order=order, actor=request.user, currency=form.cleaned_data["currency"], now=timezone.now()
            ),
            _("The fee was sent to the patient."),
        )
    return redirect("concierge:package_edit", order.pk)


@login_required
@require_POST
@api_twin("api_concierge_assistance_refuse")
def assistance_refuse(request, pk: int):
    _require_careteam(request)
    order = _or_404(selectors.careteam_package, order_id=pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell the patient why."))
    else:
        run_service(
            request,
            lambda: assistance.assistance_refuse(
                order=order, actor=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
            ),
            _("The patient was told no price applies."),
        )
    return redirect("concierge:package_edit", order.pk)


@login_required
@require_POST
@api_twin("api_concierge_assistance_complete")
def assistance_complete(request, pk: int):
    _require_careteam(request)
    order = _or_404(selectors.careteam_package, order_id=pk)
    run_service(
        request,
        lambda: assistance.assistance_complete(order=order, actor=request.user, now=timezone.now()),
        _("The assistance is closed as done."),
    )
    return redirect("concierge:package_edit", order.pk)
