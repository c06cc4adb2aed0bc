"""Demo data of reviews for `manage.py seed_demo`: the demo patients' past bookings (booked, paid and
completed through bookings' and payments' services) reviewed on four providers; the careteam has
published most, one waits for moderation on the board, one carries the provider's public reply and
one was reported by the clinic (hidden while its author may answer). Texts name no one's health.

Idempotent: a review of a demo patient at a provider is not made twice. Needs the Stripe emulator
(the bookings are paid), as concierge's demo does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from bookings.demo import demo_offering
from concierge.models import AddonOrder, AddonOrderStatus
from payments.demo import demo_completed_booking, demo_payments_possible
from reviews.models import Review, ReviewStatus, SupplierReview
from reviews.services import (
    review_publish,
    review_reply,
    review_report,
    review_submit,
    supplier_review_publish,
    supplier_review_submit,
)

CARETEAM = "careteam@medibroker.test"


@dataclass(frozen=True)
class DemoReview:
    patient: str
    provider_admin: str
    days_ago: int  # when the appointment took place
    stars: tuple[int, int, int, int]  # care, communication, value, cleanliness
    text: str
    publish: bool = True
    reply: str = ""
    report: str = ""


REVIEWS = (
    DemoReview(
        "amelia.hughes@example.test",
        "claire.dupont@provider.test",
        28,
        (5, 5, 4, 5),
        "Dr Dupont took the time to go through every option with me and answered my e-mails within a day. "
        "The practice is spotless and easy to reach by metro.",
        reply="Thank you for your kind words; we were glad to welcome you and wish you a good recovery.",
    ),
    DemoReview(
        "karim.benali@example.test",
        "claire.dupont@provider.test",
        24,
        (4, 4, 3, 5),
        "Clear explanations in French and English, on time to the minute. The price was higher than at home "
        "but everything was as quoted.",
    ),
    DemoReview(
        "sofia.lindqvist@example.test",
        "manager@bangkoksmile.test",
        27,
        (5, 4, 5, 5),
        "Very kind with my son, who was nervous. The clinic is modern and the staff speak good English; "
        "the invoice matched the quote exactly.",
    ),
    DemoReview(
        "karim.benali@example.test",
        "manager@bangkoksmile.test",
        20,
        (2, 1, 3, 3),
        "Waited two hours past my slot and nobody at the front desk could say why. Total crooks, avoid them.",
        report="The review insults our staff; the delay was due to an emergency patient, which we explained.",
    ),
    DemoReview(
        "amelia.hughes@example.test",
        "javier.ortega@provider.test",
        22,
        (4, 5, 5, 4),
        "A thorough consultation and a written summary the same evening. Good value for a specialist in "
        "central Madrid.",
    ),
    DemoReview(
        "sofia.lindqvist@example.test",
        "rahul.mehta@provider.test",
        18,
        (5, 5, 5, 4),
        "Dr Mehta explained the results patiently and the clinic arranged a taxi back to our hotel. "
        "Everything ran on time.",
    ),
    DemoReview(
        "karim.benali@example.test",
        "rahul.mehta@provider.test",
        14,
        (4, 3, 5, 4),
        "Good care and a fair price; the reception could answer messages faster, but the doctor was excellent.",
    ),
    DemoReview(
        "amelia.hughes@example.test",
        "rahul.mehta@provider.test",
        8,
        (4, 4, 4, 5),
        "Friendly team and a calm waiting room. They sent my results by e-mail two days later as promised.",
        publish=False,
    ),
)


def _review(demo: DemoReview, careteam: User) -> Review | None:
    patient = User.objects.get(email=demo.patient)
    offering = demo_offering(admin_email=demo.provider_admin)
    if offering is None:
        return None
    found = Review.objects.filter(author=patient, provider=offering.provider).first()
    if found is not None:
        return found
    booking = demo_completed_booking(patient=patient, offering=offering, days_ago=demo.days_ago)
    if booking is None:
        return None
    submitted_at = (booking.completed_at or timezone.now()) + dt.timedelta(days=2)
    care, communication, value, cleanliness = demo.stars
    review = review_submit(
        booking=booking,
        actor=patient,
        stars={"care": care, "communication": communication, "value": value, "cleanliness": cleanliness},
        text=demo.text,
        now=submitted_at,
    )
    if not demo.publish:
        return review
    review = review_publish(review=review, actor=careteam, now=submitted_at + dt.timedelta(days=1))
    clinic = User.objects.get(email=demo.provider_admin)
    if demo.reply:
        review = review_reply(review=review, actor=clinic, text=demo.reply, now=submitted_at + dt.timedelta(days=2))
    if demo.report:
        # Reported yesterday: its author still has six days to answer before the careteam decides.
        review_report(review=review, actor=clinic, reason=demo.report, now=timezone.now() - dt.timedelta(days=1))
        review.refresh_from_db()
    return review


def _supplier_review(careteam: User) -> str:
    """A review of the interpreter or driver of a fulfilled demo order, if the demo has one."""
    order = (
        AddonOrder.objects.filter(status=AddonOrderStatus.FULFILLED, supplier__isnull=False)
        .filter(Q(patient__email__endswith="@example.test"))
        .order_by("pk")
        .first()
    )
    if order is None:
        return "no supplier review (no demo order has been carried out yet)"
    review = SupplierReview.objects.filter(order=order).first()
    if review is None:
        now = timezone.now()
        review = supplier_review_submit(
            order=order,
            actor=order.patient,
            stars={"service": 5, "communication": 5, "punctuality": 4},
            text="Punctual, discreet and patient; translated everything the doctor said without rushing.",
            now=now,
        )
        supplier_review_publish(review=review, actor=careteam, now=now)
    return f"a published review of {order.supplier}"


def seed_reviews() -> str:
    """The demo's reviews. Returns a line for the seed's output."""
    if (
        not Review.objects.filter(author__email__in=[r.patient for r in REVIEWS]).exists()
        and not demo_payments_possible()
    ):
        return "none (their bookings are paid: the Stripe emulator is not running, `make run` starts it)"
    careteam = User.objects.get(email=CARETEAM)
    reviews = [review for demo in REVIEWS if (review := _review(demo, careteam)) is not None]
    published = [review for review in reviews if review.status == ReviewStatus.PUBLISHED]
    providers = {review.provider_id for review in published}
    waiting = sum(1 for review in reviews if review.status == ReviewStatus.SUBMITTED)
    reported = sum(1 for review in reviews if review.status == ReviewStatus.REPORTED)
    replied = sum(1 for review in published if review.reply_at is not None)
    return (
        f"{len(published)} published on {len(providers)} providers ({replied} with the provider's reply), "
        f"{waiting} to moderate at /reviews/moderation/, {reported} reported awaiting its author's answer; "
        f"{_supplier_review(careteam)}"
    )
