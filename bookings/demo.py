"""Demo data of bookings for `manage.py seed_demo`: past bookings that took place (the way a patient
books and pays, with the test card on the local Stripe emulator, at a moment weeks ago; then the
provider marks them completed), and a completed dental implant whose discharge pack is half there.

Without the emulator nothing is paid, so nothing here is created (the seed says so)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from fpdf import FPDF

from accounts.models import User
from bookings.models import Booking, BookingStatus, CancellationPolicy, DischargeItemKind
from bookings.services.aftercare import discharge_item_upload, discharge_items_current, discharge_pack
from bookings.services.appointments import booking_complete
from bookings.services.holds import booking_hold
from payments.demo import demo_card_collect, demo_payments_possible
from payments.services.deposits import deposit_pay, deposit_start
from providers.availability import offering_free_slots
from providers.models import BookingMode, MemberRole, Offering, ProviderMember

KARIM = "karim.benali@example.test"
BANGKOK = "manager@bangkoksmile.test"
IMPLANT = "Dental implant with crown"


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


def demo_completed_booking(*, patient: User, offering: Offering, days_ago: int) -> Booking | None:
    """A booking `patient` held and paid `days_ago` + 3 days ago for a slot about `days_ago` days ago,
    marked completed by the provider's admin three hours after it began. None without the emulator or
    without a free slot then. Not idempotent on its own: callers look for what they made first."""
    if not demo_payments_possible():
        return None
    booked_at = timezone.now() - dt.timedelta(days=days_ago + 3)
    # Not before its cancellation policy was published (the booking would be refused).
    published = (
        CancellationPolicy.objects.filter(code=offering.cancellation_policy)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    if published is not None and booked_at < published:
        booked_at = published + dt.timedelta(hours=1)
    first = (booked_at + dt.timedelta(days=3)).date()
    slots = offering_free_slots(offering=offering, first_day=first, last_day=first + dt.timedelta(days=7), now=booked_at)
    if not slots:
        return None
    start = slots[0].start
    booking = booking_hold(patient=patient, offering=offering, start=start, now=booked_at)
    checkout = deposit_start(booking=booking, actor=patient, now=booked_at)
    deposit_pay(
        booking=booking,
        actor=patient,
        payment_method=demo_card_collect(setup_client_secret=checkout.setup_client_secret),
        now=booked_at,
    )
    member = ProviderMember.objects.filter(provider=offering.provider).select_related("user").order_by("pk").first()
    booking.refresh_from_db()
    if member is None:
        return booking
    return booking_complete(booking=booking, actor=member.user, now=start + dt.timedelta(hours=3))


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


def seed_aftercare() -> str:
    """Karim's dental implant in Bangkok, completed ten days ago, with four of the six items of its
    discharge pack. Idempotent. Returns a line for the seed's output."""
    karim = User.objects.get(email=KARIM)
    offering = demo_offering(admin_email=BANGKOK, title=IMPLANT)
    if offering is None:
        return "no discharge pack (the Bangkok demo clinic has no implant offering)"
    booking = (
        Booking.objects.filter(patient=karim, offering=offering, status=BookingStatus.COMPLETED).order_by("pk").first()
    )
    if booking is None:
        if not demo_payments_possible():
            return "no discharge pack (the Stripe emulator is not running: `make run` starts it)"
        booking = demo_completed_booking(patient=karim, offering=offering, days_ago=10)
        if booking is None:
            return "no discharge pack (no free slot at the Bangkok demo clinic)"
    if not discharge_items_current(booking).exists():
        clinic = User.objects.get(email=BANGKOK)
        uploaded_at = (booking.completed_at or timezone.now()) + dt.timedelta(hours=2)
        for kind, title, lines in PACK_SO_FAR:
            discharge_item_upload(
                booking=booking,
                actor=clinic,
                kind=kind,
                upload=io.BytesIO(demo_pdf(title, lines)),
                title=title,
                now=uploaded_at,
            )
    pack = discharge_pack(booking)
    done = sum(1 for line in pack if line.done)
    return (
        f"Karim's completed implant #{booking.pk} in Bangkok has {done} of {len(pack)} discharge pack items "
        f"(see /bookings/{booking.pk}/)"
    )
