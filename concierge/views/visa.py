"""Visa letter pages: the passport form for a booking (the patient and up to two companions, without
JavaScript), the review step with the exact price, then the card page of the order; the letter's
PDF; the public page that checks a letter's code; the careteam's list of letters and revoke button.

Someone else's booking or letter is a 404, whether or not it exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from bookings.selectors import booking_of_patient
from concierge.models import VisaLetter
from concierge.services.orders import addon_order_pay_check
from concierge.services.visa import (
    MAX_PERSONS,
    MRZ_NAME_MAX,
    PassportDetails,
    booking_location,
    visa_letter_by_code,
    visa_letter_download_check,
    visa_letter_price_lists,
    visa_letter_revoke,
    visa_letter_revoke_check,
    visa_letter_revoker_check,
    visa_letters_order,
    visa_letters_order_check,
    visa_letters_review,
)
from concierge.visa_pdf import visa_letter_pdf_response
from core.api_parity import api_twin
from core.errors import DomainError, NotFound
from core.pages import apply_domain_error, run_service


class PassportForm(forms.Form):
    """One person's passport details; the rules (the MRZ's letters, the number, the dates) are the
    service's, which names the field it refuses."""

    surname = forms.CharField(
        label=gettext_lazy("Surname, as in the machine-readable zone"), max_length=MRZ_NAME_MAX + 20, required=False
    )
    given_names = forms.CharField(
        label=gettext_lazy("Given names, as in the machine-readable zone"),
        max_length=MRZ_NAME_MAX + 20,
        required=False,
    )
    passport_number = forms.CharField(label=gettext_lazy("Passport number"), max_length=20, required=False)
    nationality = forms.ChoiceField(
        label=gettext_lazy("Nationality"), required=False, choices=lambda: [("", "---------"), *countries]
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("surname", "given_names"):
            self.fields[name].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def is_blank(self) -> bool:
        return not any(str(self.cleaned_data.get(name) or "").strip() for name in self.fields)

    def details(self) -> PassportDetails:
        data = self.cleaned_data
        return PassportDetails(
            surname=data.get("surname") or "",
            given_names=data.get("given_names") or "",
            passport_number=data.get("passport_number") or "",
            nationality=data.get("nationality") or "",
            birth_date=data.get("birth_date"),
        )


class CurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Pay in"))

    def __init__(self, *args: Any, currencies: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"] = forms.ChoiceField(
            label=gettext_lazy("Pay in"), choices=[(code, code) for code in currencies]
        )


class LetterSearchForm(forms.Form):
    # A form, not the raw parameter: its validators refuse what the database cannot store (NUL).
    q = forms.CharField(label=gettext_lazy("Code, booking number or surname"), max_length=40, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why is the letter revoked?"), max_length=300)


def _own_booking(request, booking_id: int):
    try:
        return booking_of_patient(user=request.user, booking_id=booking_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _forms(request, booking, currencies: list[str]) -> tuple[list[PassportForm], CurrencyForm]:
    data = request.POST if request.method == "POST" else None
    people = [PassportForm(data, prefix=f"p{index}") for index in range(MAX_PERSONS)]
    initial = {"currency": booking.currency if booking.currency in currencies else (currencies or [""])[0]}
    return people, CurrencyForm(data, currencies=currencies, initial=initial, prefix="order")


def _persons(people: list[PassportForm]) -> tuple[list[PassportDetails], list[PassportForm]]:
    """The patient's details and each companion block filled in (an empty block is no companion),
    with the form each came from, in order."""
    persons, used = [people[0].details()], [people[0]]
    for form in people[1:]:
        if not form.is_blank():
            persons.append(form.details())
            used.append(form)
    return persons, used


def _place_errors(exc: DomainError, used: list[PassportForm], currency_form: CurrencyForm) -> None:
    """A refusal by the field it names: per person, the currency, else on top of the patient's block."""
    details = exc.details or {}
    per_person = details.get("persons")
    if isinstance(per_person, list) and per_person and all(isinstance(item, dict) for item in per_person):
        for form, errors in zip(used, per_person, strict=False):
            for name, field_messages in errors.items():
                for message in field_messages:
                    form.add_error(name if name in form.fields else None, message)
        return
    if "currency" in details:
        apply_domain_error(currency_form, exc)
        return
    used[0].add_error(None, exc.message)


def _letters_of(booking, patient) -> list[VisaLetter]:
    """The booking's letters the patient ordered, each marked `payable` when its order awaits payment."""
    letters = list(
        VisaLetter.objects.filter(booking=booking, order__patient=patient)
        .select_related("order")
        .order_by("-order__created_at", "id")
    )
    for letter in letters:
        letter.payable = addon_order_pay_check(order=letter.order, actor=patient).allowed  # type: ignore[attr-defined]
    return letters


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
@api_twin("api_visa_letters")
def visa_order(request, booking_id: int):
    """The passport details (GET, or POST "edit" to correct them), the review with the exact price
    (POST "review"), then the order (POST "order") and the card page."""
    booking = _own_booking(request, booking_id)
    now = timezone.now()
    gate = visa_letters_order_check(booking=booking, actor=request.user)
    prices = visa_letter_price_lists(booking=booking)
    currencies = [row.currency for row in prices]
    people, currency_form = _forms(request, booking, currencies)
    location = booking_location(booking)
    context: dict[str, Any] = {
        "booking": booking,
        "location": location,
        "gate": gate,
        "currencies": currencies,
        "prices": prices,
        "patient_form": people[0],
        "companion_forms": people[1:],
        "currency_form": currency_form,
        "letters": _letters_of(booking, request.user),
    }
    step = request.POST.get("step", "") if request.method == "POST" else ""
    if step in {"review", "order"} and gate.allowed:
        valid = all(form.is_valid() for form in people) and currency_form.is_valid()
        persons, used = _persons(people) if valid else ([], [people[0]])
        if valid:
            currency = currency_form.cleaned_data["currency"]
            try:
                if step == "order":
                    order = visa_letters_order(
                        patient=request.user, booking=booking, persons=persons, currency=currency, now=now
                    )
                    messages.success(request, _("Your letters are ordered: pay for them to have them issued."))
                    return redirect("concierge:order_pay", order.pk)
                context["review"] = visa_letters_review(
                    patient=request.user, booking=booking, persons=persons, currency=currency, now=now
                )
                context["letter_count"] = len(persons)
                context["rows"] = [
                    {"person": person, "nationality": countries.name(person.nationality)}
                    for person in context["review"].persons
                ]
                return render(request, "concierge/visa/review.html", context)
            except DomainError as exc:
                _place_errors(exc, used, currency_form)
    refused = request.method == "POST" and not gate.allowed
    return render(request, "concierge/visa/order.html", context, status=409 if refused else 200)


def _letter(letter_id: int) -> VisaLetter:
    letter = (
        VisaLetter.objects.select_related("order", "booking__provider", "booking__offering__location")
        .filter(pk=letter_id)
        .first()
    )
    if letter is None:
        raise Http404(_("You have no visa letter with this id."))
    return letter


@login_required
@require_GET
def visa_letter_download(request, letter_id: int):
    letter = _letter(letter_id)
    check = visa_letter_download_check(letter=letter, actor=request.user)
    if not check.allowed:
        raise Http404(check.reason)
    return visa_letter_pdf_response(request, letter)


@require_GET
def visa_verify(request, code: str):
    """Public: whether the letter with this code is genuine, with the minimal facts it states, or
    when it was revoked."""
    letter = visa_letter_by_code(code=code)
    context: dict[str, Any] = {"code": code, "letter": letter}
    if letter is not None:
        booking = letter.booking
        tz = booking.tz
        context["booking"] = booking
        context["appointments"] = [
            {"start": a.start.astimezone(tz), "end": a.end.astimezone(tz)}
            for a in sorted(booking.appointments.all(), key=lambda a: a.start)
        ]
        context["issued_on"] = letter.issued_at.astimezone(tz).date() if letter.issued_at else None
        context["revoked_on"] = letter.revoked_at.astimezone(tz).date() if letter.revoked_at else None
    response = render(request, "concierge/visa/verify.html", context, status=200 if letter else 404)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- careteam -------------------------------------------------------------------------------------------


def _require_careteam(request) -> None:
    check = visa_letter_revoker_check(actor=request.user)
    if not check.allowed:
        raise PermissionDenied(check.reason)


@login_required
@require_GET
def visa_letters_careteam(request):
    """The issued letters, newest first, found by code or booking number, each with its revoke form."""
    _require_careteam(request)
    search = LetterSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    letters = VisaLetter.objects.filter(issued_at__isnull=False).select_related("booking__provider", "order")
    if query:
        code = "".join(ch for ch in query.upper() if ch.isalnum())
        if query.isdigit():
            letters = letters.filter(booking_id=int(query)) if len(query) <= 12 else letters.none()
        elif len(code) == 12:
            letters = letters.filter(verification_code=f"{code[:4]}-{code[4:8]}-{code[8:]}")
        else:
            letters = letters.filter(surname__icontains=query)
    rows = []
    for letter in letters.order_by("-issued_at", "-id")[:100]:
        check = visa_letter_revoke_check(letter=letter, actor=request.user)
        form = RevokeForm(auto_id=f"id_revoke_{letter.pk}_%s") if check.allowed else None
        rows.append({"letter": letter, "check": check, "form": form})
    return render(request, "concierge/visa/careteam.html", {"rows": rows, "query": query, "search": search})


@login_required
@require_POST
@api_twin("api_visa_letter_revoke")
def visa_letter_revoke_page(request, letter_id: int):
    _require_careteam(request)
    letter = _letter(letter_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the letter is revoked."))
        return redirect("concierge:visa_letters_careteam")
    run_service(
        request,
        lambda: visa_letter_revoke(
            letter=letter, actor=request.user, reason=form.cleaned_data["reason"], now=timezone.now()
        ),
        _("The letter is revoked: its verification page now says so."),
    )
    return redirect("concierge:visa_letters_careteam")
