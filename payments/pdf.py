"""The payment confirmation: a one-page PDF (fpdf2, pure Python) stating who paid which deposit
for which booking, with a verification code and a QR code of the public page that checks it.

Meant to go with a visa application: it states facts (payment, provider, dates) and promises
nothing about a visa. Amounts are written with their ISO code ("500.00 EUR"). Fonts, direction
and shaping per language are core/pdf.py's (`LocalizedPDF`): Arabic runs right to left.
"""

from __future__ import annotations

from io import BytesIO

import qrcode
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.selectors import user_language
from bookings.selectors import booking_care_name, booking_place
from core.money import Money, exponent
from core.pdf import LocalizedPDF
from core.when import date_text, recipient_when

# QR modules per side are drawn with this many pixels; the quiet zone is the standard 4 modules.
QR_BOX_PIXELS = 8
QR_BORDER = 4


def plain_amount(money: Money) -> str:
    """500.00 EUR: unambiguous in any language, printable in any font."""
    digits = exponent(money.currency)
    value = money.to_decimal()
    return f"{value:,.{digits}f} {money.currency}"


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True = dark), with its quiet zone: what the PDF draws."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QR_BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def qr_png(data: str) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=QR_BOX_PIXELS, border=QR_BORDER)
    code.add_data(data)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def deposit_confirmation_pdf(*, deposit, verify_url: str, language: str | None = None) -> bytes:
    """The payment confirmation of a held deposit, in `language`, by default the patient's: the
    document is addressed to them, whoever downloads it (docs/decisions.md, "Languages")."""
    booking = deposit.booking
    patient = booking.patient
    language = language or user_language(user=patient) or "en"
    profile = getattr(patient, "patient_profile", None)
    # Events (the payment, the issue) in the patient's own timezone; appointments in the place's.
    patient_tz = getattr(patient, "timezone", "") or booking.timezone
    appointments = sorted(booking.appointments.all(), key=lambda a: a.start)
    care = booking_care_name(booking=booking)
    place = booking_place(booking=booking)
    with override(language):
        pdf = LocalizedPDF(language)
        pdf.set_title(_("Payment confirmation"))
        pdf.set_author("MediBroker")
        pdf.set_creation_date(deposit.paid_at)
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        line = pdf.line

        def field(label: str, value: str, *, ltr: bool = False) -> None:
            pdf.field(label, value, label_width=55, height=7, size=11, ltr=ltr)

        line("MediBroker", size=18, style="B", gap=9)
        line(_("Payment confirmation"), size=15, style="B", gap=8)
        line(
            _("Issued on %(date)s") % {"date": recipient_when(timezone.now(), patient_tz, language, date_only=True)},
            size=10,
        )
        pdf.ln(4)

        name = profile.full_name if profile else pdf.ltr(patient.email)
        first = appointments[0] if appointments else None
        line(
            _(
                "MediBroker confirms that %(name)s paid a deposit of %(amount)s on %(date)s for %(care)s at "
                "%(provider)s%(when)s. The deposit is held in trust by MediBroker until the care takes place."
            )
            % {
                "name": name,
                "amount": pdf.ltr(plain_amount(deposit.money)),
                "date": recipient_when(deposit.paid_at, patient_tz, language, date_only=True),
                "care": care or _("the care described below"),
                "provider": booking.provider.name,
                "when": (
                    _(", on %(date)s") % {"date": recipient_when(first.start, booking.timezone, language)}
                    if first is not None
                    else ""
                ),
            }
        )
        pdf.ln(3)
        field(_("Patient"), name)
        if profile is not None:
            field(_("Date of birth"), date_text(profile.date_of_birth))
            if profile.nationality:
                field(_("Nationality"), str(profile.nationality.name))
        field(_("Deposit paid"), plain_amount(deposit.money), ltr=True)
        if booking.total is not None:
            field(_("Total price"), plain_amount(booking.total), ltr=True)
            field(_("Due on site"), plain_amount(booking.total - booking.deposit), ltr=True)
        field(_("Booking"), _("no. %(number)s") % {"number": booking.pk})
        field(_("Provider"), booking.provider.name)
        if care:
            field(_("Care"), care)
        if place is not None:
            country = getattr(place.country, "name", "") or str(place.country)
            field(_("Place"), place.name)
            field(_("Address"), ", ".join(p for p in [place.address, place.city, country] if p))
        if booking.provider.phone:
            field(_("Phone"), booking.provider.phone, ltr=True)
        for index, appointment in enumerate(appointments):
            # In the place's time, named: "Monday, 4 January 2027, 09:00 (Istanbul time)".
            field(_("Appointment") if index == 0 else "", recipient_when(appointment.start, booking.timezone, language))
        field(_("Payment reference"), deposit.payment_intent_id or "", ltr=True)
        pdf.ln(4)

        line(_("Verification"), size=13, style="B", gap=8)
        pdf.verification(
            png=BytesIO(qr_png(verify_url)),
            url=verify_url,
            code=deposit.verification_code,
            caption=_("Anyone can check this confirmation by scanning the code or opening %(url)s")
            % {"url": pdf.ltr(verify_url)},
            size=42,
            after=6,
        )
        line(
            _(
                "This document confirms a payment. It is not an invitation letter and does not promise that a visa "
                "will be granted."
            ),
            size=9,
            gap=5,
        )
        return bytes(pdf.output())
