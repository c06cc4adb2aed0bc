"""The visa invitation letter as a PDF (fpdf2, pure Python): issued by MediBroker on the provider's
behalf, one per person, in the patient's language and in English, and in French too where the care
takes place in France (each language on its own page, one document).

It states facts a consulate checks (the person as in the passport, the provider and its address,
the lead practitioner, the appointments in local time with the place named, the care in general
terms, the deposit paid and what is due on site), names the companions (or, in a companion's
letter, the patient), and says plainly that it does not promise a visa. It carries its
verification code and a QR code of the public page that checks it. Amounts and the QR code are
the payment confirmation's (`payments.pdf`); fonts, direction and shaping per language (an Arabic
page runs right to left) are core/pdf.py's.
"""

from __future__ import annotations

from io import BytesIO

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_countries import countries

from accounts.selectors import user_language
from bookings.models import Booking
from concierge.models import VisaLetter, VisaPerson
from concierge.services.visa import booking_location
from core.money import Money
from core.pdf import LocalizedPDF
from core.when import date_text, time_text, when_text
from payments.pdf import plain_amount, qr_png
from payments.services.deposits import deposit_of_booking
from providers.models import Affiliation, ProviderKind

QR_SIZE_MM = 42


def visa_letter_languages(*, patient_language: str, provider_country: str) -> list[str]:
    """The patient's language, English, and French where the care is in France: each once, in that order."""
    wanted = [(patient_language or "en").split("-")[0], "en"]
    if provider_country == "FR":
        wanted.append("fr")
    return list(dict.fromkeys(wanted))


def lead_practitioner(booking: Booking) -> str:
    """Who leads the care: the practitioner booked; at a facility, its one affiliated practitioner
    when it has exactly one, else the facility's medical team (the consulate writes to its contact)."""
    provider = booking.provider
    if provider.kind == ProviderKind.PRACTITIONER:
        return provider.name
    names = list(
        Affiliation.objects.filter(facility=provider).values_list("practitioner__name", flat=True).order_by("pk")[:2]
    )
    if len(names) == 1:
        return names[0]
    contact = ", ".join(part for part in [provider.email, provider.phone] if part)
    team = _("The medical team of %(provider)s") % {"provider": provider.name}
    return f"{team} ({contact})" if contact else team


def _care(booking: Booking) -> str:
    """The care in general terms: the specialty, never the procedure or a diagnosis."""
    if booking.offering is not None:
        return booking.offering.specialty.name
    specialty = booking.provider.specialties.order_by("pk").first()
    return specialty.name if specialty is not None else _("Medical care")


def _person_name(letter: VisaLetter) -> str:
    return " ".join(part for part in [letter.given_names, letter.surname] if part)


def visa_letter_pdf(*, letter: VisaLetter, verify_url: str, patient_language: str = "en") -> bytes:
    """The letter of `letter`'s person, issued (the caller checked), in every language it is owed."""
    booking = letter.booking
    location = booking_location(booking)
    country_code = str(location.country) if location is not None else ""
    others = [other for other in letter.order.visa_letters.all() if other.pk != letter.pk]
    patient_letter = next((other for other in others if other.person == VisaPerson.PATIENT), None)
    companions = [other for other in others if other.person == VisaPerson.COMPANION]
    deposit = deposit_of_booking(booking=booking)
    paid = deposit.money if deposit is not None and deposit.paid_at is not None else None
    due = booking.total - booking.deposit if booking.total is not None else None
    issued_at = letter.issued_at
    assert issued_at is not None  # noqa: S101 -- the download is offered only for issued letters
    appointments = sorted(booking.appointments.all(), key=lambda a: a.start)

    pdf = LocalizedPDF()
    pdf.set_author("MediBroker")
    pdf.set_creation_date(issued_at)
    pdf.set_auto_page_break(auto=True, margin=15)
    for language in visa_letter_languages(patient_language=patient_language, provider_country=country_code):
        with override(language):
            pdf.set_language(language)
            if pdf.page == 0:
                pdf.set_title(_("Visa invitation letter"))
            pdf.add_page()
            line = pdf.line

            def field(label: str, value: str, *, ltr: bool = False) -> None:
                pdf.field(label, value, label_width=58, height=6, size=10, ltr=ltr)

            country = str(getattr(location.country, "name", "")) if location is not None else ""
            city = location.city if location is not None else ""
            line("MediBroker", size=16, style="B", gap=8)
            line(_("Visa invitation letter"), size=14, style="B", gap=8)
            line(_("Issued on %(date)s") % {"date": when_text(issued_at, booking.tz, date_only=True)})
            line(_("To the consular authorities"), size=10)
            pdf.ln(2)
            line(
                _(
                    "MediBroker, on behalf of %(provider)s, certifies that the person named below is expected in "
                    "%(place)s for medical care booked with this provider on the dates stated, the deposit for which "
                    "has been paid."
                )
                % {"provider": booking.provider.name, "place": ", ".join(p for p in [city, country] if p)},
                size=10,
                gap=5,
            )
            pdf.ln(2)
            line(_("The person, as in the passport"), size=11, style="B", gap=7)
            field(_("Surname"), letter.surname)
            field(_("Given names"), letter.given_names or "-")
            field(_("Passport number"), letter.passport_number, ltr=True)
            field(_("Nationality"), f"{countries.name(str(letter.nationality))} ({letter.nationality})")
            field(_("Date of birth"), date_text(letter.birth_date))
            if letter.person == VisaPerson.PATIENT:
                field(_("Travels as"), _("The patient"))
                for index, companion in enumerate(companions):
                    field(
                        _("Accompanied by") if index == 0 else "",
                        _("%(name)s, passport %(number)s")
                        % {
                            "name": _person_name(companion),
                            "number": pdf.ltr(companion.passport_number),
                        },
                    )
            elif patient_letter is not None:
                field(_("Travels as"), _("A companion of the patient"))
                field(
                    _("Accompanying"),
                    _("%(name)s, passport %(number)s")
                    % {"name": _person_name(patient_letter), "number": pdf.ltr(patient_letter.passport_number)},
                )
            pdf.ln(2)
            line(_("The care"), size=11, style="B", gap=7)
            field(_("Provider"), booking.provider.name)
            if location is not None:
                field(_("Address"), ", ".join(p for p in [location.address, location.city, country] if p))
            field(_("Lead practitioner"), lead_practitioner(booking))
            field(_("Care"), _care(booking))
            tz = booking.tz
            for index, appointment in enumerate(appointments):
                field(
                    (_("Appointments (local time, %(zone)s)") % {"zone": booking.timezone}) if index == 0 else "",
                    f"{when_text(appointment.start, tz, with_zone=False)} - {pdf.ltr(time_text(appointment.end, tz))}",
                )
            if paid is not None:
                field(_("Deposit paid"), plain_amount(paid), ltr=True)
            if due is not None:
                field(_("Due on site"), plain_amount(due if due.amount > 0 else Money(0, due.currency)), ltr=True)
            field(_("Booking"), _("no. %(number)s") % {"number": booking.pk})
            pdf.ln(2)
            line(
                _(
                    "This letter does not promise or guarantee that a visa will be granted: only the consular "
                    "authorities decide. It states a booking and a payment, nothing more."
                ),
                size=10,
                style="B",
                gap=5,
            )
            pdf.ln(3)
            line(_("Verification"), size=11, style="B", gap=7)
            pdf.verification(
                png=BytesIO(qr_png(verify_url)),
                url=verify_url,
                code=letter.verification_code,
                caption=_("Anyone can check this letter by scanning the code or opening %(url)s")
                % {"url": pdf.ltr(verify_url)},
                size=QR_SIZE_MM,
            )
    return bytes(pdf.output())


def visa_letter_pdf_response(request: HttpRequest, letter: VisaLetter) -> HttpResponse:
    """The letter's PDF as an attachment nobody caches, in the languages its patient is owed (the
    page and the API serve the same; the caller checked `visa_letter_download_check`)."""
    verify_url = request.build_absolute_uri(reverse("concierge:visa_verify", args=[letter.verification_code]))
    language = user_language(user=letter.order.patient) or "en"  # the patient's, whoever downloads it
    pdf = visa_letter_pdf(letter=letter, verify_url=verify_url, patient_language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="visa-letter-{letter.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
