"""The signed second opinion as a PDF (fpdf2, pure Python), in the language of the opinion.

It names the patient (and their date of birth when known), the specialty, the patient's questions
with the specialist's answers, the summary, the review of the diagnosis, the options, the
recommendation and whether an in-person consultation is advised; then the specialist, their
register and number, the day it was signed (the specialist's timezone), and the verification code
with a QR code of the public page that checks it. It says it was given on the documents only.
The QR code is the payment confirmation's (`payments.pdf`); fonts, direction and shaping per
language (Arabic runs right to left) are core/pdf.py's.
"""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.pdf import LocalizedPDF, base_language
from core.when import date_text
from notifications.services import site_url
from payments.pdf import qr_png
from secondopinion.models import Opinion

QR_SIZE_MM = 36


def verify_url(code: str) -> str:
    return site_url(reverse("secondopinion:specialist_verify", args=[code]))


def render(opinion: Opinion) -> bytes:
    """The PDF of a signed `opinion` (the caller set `signed_at` and `verification_code`)."""
    from secondopinion.services.specialists import opinion_signed_on

    case = opinion.case
    provider = opinion.specialist.provider
    profile = getattr(case.patient, "patient_profile", None)
    code = opinion.verification_code or ""
    url = verify_url(code)
    signed_on = opinion_signed_on(opinion)
    questions = list(case.questions.order_by("position"))
    answers = list(opinion.answers or [])

    language = base_language(case.language)
    with override(language):
        pdf = LocalizedPDF(language)
        pdf.set_title(_("Second medical opinion"))
        pdf.set_author("MediBroker")
        if opinion.signed_at is not None:
            pdf.set_creation_date(opinion.signed_at)
        pdf.set_auto_page_break(auto=True, margin=15)
        pdf.add_page()
        line = pdf.line

        def field(label: str, value: str, *, ltr: bool = False) -> None:
            pdf.field(label, value, label_width=55, height=6, size=10, ltr=ltr)

        def section(title: str, text: str) -> None:
            pdf.ln(2)
            line(title, size=12, style="B", gap=7)
            line(text, size=10, gap=5)

        line("MediBroker", size=16, style="B", gap=8)
        line(_("Second medical opinion"), size=15, style="B", gap=8)
        line(_("Request no. %(number)s") % {"number": case.pk}, size=10)
        pdf.ln(2)
        if profile is not None:
            field(_("Patient"), profile.full_name)
            if profile.date_of_birth:
                field(_("Date of birth"), date_text(profile.date_of_birth))
        else:
            field(_("Patient"), case.patient.email, ltr=True)
        field(_("Specialty"), case.specialty.name)
        line(
            _("Given on the documents provided, without examining the patient."),
            size=10,
            style="B",
            gap=6,
        )

        pdf.ln(2)
        line(_("The patient's questions"), size=12, style="B", gap=7)
        for index, question in enumerate(questions):
            answer = answers[index] if index < len(answers) else ""
            line(_("Question %(number)d") % {"number": index + 1} + ": " + question.text, size=10, style="B", gap=5)
            line(answer, size=10, gap=5)
            pdf.ln(1)

        section(_("Summary of the case"), opinion.case_summary)
        section(_("Review of the diagnosis"), opinion.diagnosis_review)
        section(_("Treatment options"), opinion.options)
        section(_("Recommendation"), opinion.recommendation)
        pdf.ln(2)
        field(
            _("In-person consultation"),
            _("Advised") if opinion.in_person_advised else _("Not needed on these documents"),
        )

        pdf.ln(3)
        line(_("Signed by"), size=12, style="B", gap=7)
        field(_("Specialist"), provider.name)
        field(_("Register"), f"{provider.get_register_display()} ({provider.register_country})")
        field(_("Registration number"), provider.registration_number, ltr=True)
        if signed_on is not None:
            field(
                _("Signed on"),
                f"{date_text(signed_on)} ({opinion.specialist.timezone})",
            )

        pdf.ln(3)
        line(_("Verification"), size=12, style="B", gap=7)
        pdf.verification(
            png=BytesIO(qr_png(url)),
            url=url,
            code=code,
            caption=_("Anyone can check this opinion by scanning the code or opening %(url)s") % {"url": pdf.ltr(url)},
            size=QR_SIZE_MM,
            code_size=13,
        )
    return bytes(pdf.output())
