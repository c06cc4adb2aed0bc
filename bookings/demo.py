"""Demo data of bookings for `manage.py seed_demo`: the demo providers' offerings to book, small
generated PDFs, and the discharge pack of a completed booking, half there (payments' demo books,
pays and completes the booking: bookings cannot import payments)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from fpdf import FPDF

from bookings.models import Booking, DischargeItemKind
from bookings.services.aftercare import discharge_item_upload, discharge_items_current, discharge_pack
from providers.models import BookingMode, MemberRole, Offering, ProviderMember


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page document as a clinic would export it (small, generated)."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def demo_offering(*, admin_email: str, title: str | None = None) -> Offering | None:
    """The provider's first offering bookable online (or the one named `title`)."""
    offerings = Offering.objects.filter(
        provider__members__user__email=admin_email,
        provider__members__role=MemberRole.ADMIN,
        booking_mode=BookingMode.ONLINE,
        is_active=True,
    ).select_related("provider", "location")
    if title is not None:
        offerings = offerings.filter(title=title)
    return offerings.order_by("pk").first()


# (item, title, lines): the items the clinic has uploaded so far; the follow-up schedule and the
# translation are still missing, so the patient's checklist shows both.
PACK_SO_FAR = (
    (
        DischargeItemKind.OPERATIVE_REPORT,
        "Operative and anaesthesia report",
        ["Procedure: single dental implant with crown, lower jaw.", "Local anaesthesia. No complications."],
    ),
    (
        DischargeItemKind.IMPLANTS,
        "Implant details",
        ["Titanium implant, 4.1 x 10 mm, lot 2026-11-A.", "Zirconia crown, shade A2."],
    ),
    (
        DischargeItemKind.DISCHARGE_INSTRUCTIONS,
        "Discharge instructions",
        ["Soft food for 7 days; rinse gently after meals.", "Call the clinic if the swelling grows after day 3."],
    ),
    (
        DischargeItemKind.INVOICE,
        "Itemised invoice",
        ["Implant 1 x 38,000 THB", "Crown 1 x 14,000 THB", "X-ray 1 x 1,500 THB"],
    ),
)


def seed_discharge_pack(booking: Booking) -> str:
    """Four of the six items of `booking`'s discharge pack, uploaded by the clinic's admin two hours
    after its completion (once: a pack with items is left alone). Returns a line for the seed's output."""
    if not discharge_items_current(booking).exists():
        clinic = (
            ProviderMember.objects.filter(provider_id=booking.provider_id, role=MemberRole.ADMIN).order_by("pk").first()
        )
        if clinic is None:
            return "no discharge pack (the clinic has no administrator)"
        uploaded_at = (booking.completed_at or timezone.now()) + dt.timedelta(hours=2)
        for kind, title, lines in PACK_SO_FAR:
            discharge_item_upload(
                booking=booking,
                actor=clinic.user,
                kind=kind,
                upload=io.BytesIO(demo_pdf(title, lines)),
                title=title,
                now=uploaded_at,
            )
    pack = discharge_pack(booking)
    done = sum(1 for line in pack if line.done)
    profile = getattr(booking.patient, "patient_profile", None)
    who = f"{profile.first_name}'s" if profile is not None else "A"
    what = booking.offering.title.lower() if booking.offering is not None else "booking"
    return (
        f"{who} completed {what} #{booking.pk} at {booking.provider.name} has {done} of {len(pack)} items of its "
        f"discharge pack, the rest missing (see /bookings/{booking.pk}/)"
    )
