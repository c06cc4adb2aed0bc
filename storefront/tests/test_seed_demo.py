"""The demo seed never runs in production: it would create a superuser with a public password."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from payments.tests.conftest import stripe_emulator, stripe_emulator_base  # noqa: F401 -- the local Stripe emulator
from tests.support import manage, production_environment


def test_seed_demo_exits_non_zero_in_production_with_a_clear_message():
    result = manage("seed_demo", **production_environment())

    assert result.returncode != 0
    assert "seed_demo is refused in production mode" in result.stderr
    assert "Demo data is ready" not in result.stdout


@pytest.mark.django_db
def test_seed_demo_creates_nobody_in_production(settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="refused in production mode"):
        call_command("seed_demo")

    assert not User.objects.exists()


def test_the_demo_staff_and_providers_sign_in_with_the_printed_second_factor(db, client):
    """They must use MFA; the demo enrolls them with the printed secret rather than leaving a visitor
    stuck on the set-up page, and demo_totp_code gives the code an authenticator app would."""
    from io import StringIO

    from allauth.mfa.utils import is_mfa_enabled

    from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

    out = StringIO()
    call_command("seed_demo", stdout=out)
    code = StringIO()
    call_command("demo_totp_code", stdout=code)

    assert DEMO_TOTP_SECRET in out.getvalue()
    # Search's order has its scores at once (the published ranking), one row per verified provider.
    from providers.models import Provider, VerificationStatus
    from storefront.models import ProviderRanking

    verified = set(Provider.objects.filter(status=VerificationStatus.VERIFIED).values_list("pk", flat=True))
    assert set(ProviderRanking.objects.values_list("provider_id", flat=True)) == verified != set()
    careteam = User.objects.get(email="careteam@medibroker.test")
    provider_admin = User.objects.get(email="manager@bangkoksmile.test")
    patient = User.objects.filter(patient_profile__isnull=False).first()
    assert is_mfa_enabled(careteam)
    assert is_mfa_enabled(provider_admin)
    assert not is_mfa_enabled(patient)

    client.post("/accounts/login/", {"login": careteam.email, "password": DEMO_PASSWORD})
    answer = client.post("/accounts/2fa/authenticate/", {"code": code.getvalue().strip()})

    assert answer.status_code == 302
    assert client.session.get("_auth_user_id") == str(careteam.pk)
    assert client.get("/providers/careteam/verification/").status_code == 200


# --- issue 18 in the demo: messaging, reviews, a dispute, a discharge pack ----------------------------------


def _issue18_counts() -> dict[str, int]:
    from bookings.models import Booking, DischargeItem
    from core.models import AuditEvent
    from disputes.models import Dispute
    from messaging.models import Message, ProviderMessaging, Thread
    from payments.models import Deposit
    from reviews.models import Review, ReviewReport

    models = (Booking, DischargeItem, AuditEvent, Dispute, Message, ProviderMessaging, Thread, Deposit, Review)
    return {model.__name__: model.objects.count() for model in (*models, ReviewReport)}


def test_the_demo_shows_issue_18_with_payments_and_a_second_seed_adds_nothing(db, settings, stripe_emulator):  # noqa: F811
    """With the Stripe emulator (as `make run` has it): a conversation on Amelia's paid Paris booking,
    reviews of completed bookings (published, replied, to moderate, reported), a dispute holding a
    deposit back, and a half-complete discharge pack; seeding again creates nothing."""
    from io import StringIO

    from django.utils import timezone

    from bookings.models import BookingStatus
    from bookings.services.aftercare import discharge_pack, discharge_pack_release_check
    from disputes.models import Dispute, DisputeStatus
    from disputes.services import release_holds_of
    from messaging.models import Notice, ProviderMessaging, SubjectKind, Thread
    from messaging.selectors import unread_total
    from payments.models import Deposit, DepositStatus
    from reviews.models import Review, ReviewReport, ReviewStatus

    settings.STRIPE_EMULATED = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    amelia = User.objects.get(email="amelia.hughes@example.test")
    clinic = User.objects.get(email="claire.dupont@provider.test")

    printed = out.getvalue()
    assert "Reviews: 6 published on 4 providers (1 with the provider's reply), 1 to moderate" in printed
    assert "Disputes: Amelia's dispute" in printed
    assert "Discharge pack: Karim's completed dental implant with crown" in printed
    # Messaging: three providers opted in; Amelia wrote about her paid booking, the notice came with it,
    # the clinic answered and she has not read the answer yet.
    assert ProviderMessaging.objects.count() == 3
    thread = Thread.objects.get(patient=amelia)
    assert thread.kind == SubjectKind.BOOKING
    messages = [(m.author_id, m.notice) for m in thread.messages.order_by("sent_at", "pk")]
    assert [author for author, _notice in messages] == [amelia.pk, None, clinic.pk]
    # Not for emergencies: the first message's notice, or outside office hours (the seed's clock decides).
    assert messages[1][1] in (Notice.FIRST, Notice.OUTSIDE_HOURS)
    assert messages[0][1] == messages[2][1] == ""
    assert thread.awaiting_reply_since is None
    assert unread_total(user=amelia) == 1
    # Reviews: each by the patient of a completed booking at the reviewed provider.
    reviews = list(Review.objects.select_related("booking"))
    assert all(r.booking.status == BookingStatus.COMPLETED and r.booking.patient_id == r.author_id for r in reviews)
    assert all(r.booking.provider_id == r.provider_id for r in reviews)
    published = [r for r in reviews if r.status == ReviewStatus.PUBLISHED]
    assert len(published) == 6
    assert len({r.provider_id for r in published}) == 4
    assert len({(r.care, r.communication, r.value, r.cleanliness) for r in published}) > 3  # varied ratings
    assert sum(1 for r in published if r.reply_text) == 1
    assert [r.status for r in reviews if r.published_at is None] == [ReviewStatus.SUBMITTED]
    reported = ReviewReport.objects.get()
    assert reported.review.status == ReviewStatus.REPORTED
    assert reported.respond_by > timezone.now()
    # The dispute holds a paid deposit back.
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.AWAITING_ANSWER
    assert dispute.patient_id == amelia.pk
    assert Deposit.objects.get(booking=dispute.booking).status == DepositStatus.HELD
    assert release_holds_of(booking_id=dispute.booking_id, now=timezone.now())
    # The discharge pack: four items there, two missing, so its deposit waits.
    pack_booking = User.objects.get(email="karim.benali@example.test").bookings.get(
        offering__title="Dental implant with crown"
    )
    assert pack_booking.status == BookingStatus.COMPLETED
    assert [line.kind for line in discharge_pack(pack_booking) if not line.done] == ["follow_up", "translation"]
    assert not discharge_pack_release_check(pack_booking)

    before = _issue18_counts()
    call_command("seed_demo", stdout=StringIO())

    assert _issue18_counts() == before


def test_without_the_emulator_the_demo_still_has_a_conversation_and_says_what_it_skipped(db, monkeypatch):
    """No paid bookings without the emulator: Amelia writes about her quote request instead, and the
    seed's table says why there are no reviews, dispute or discharge pack."""
    from io import StringIO

    from disputes.models import Dispute
    from messaging.models import SubjectKind, Thread
    from reviews.models import Review

    for module in ("concierge.demo", "reviews.demo", "disputes.demo", "payments.demo", "secondopinion.demo"):
        monkeypatch.setattr(f"{module}.demo_payments_possible", lambda: False, raising=False)
    out = StringIO()
    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    thread = Thread.objects.get(patient__email="amelia.hughes@example.test")
    assert thread.kind == SubjectKind.QUOTE
    assert thread.messages.count() == 3
    assert "Reviews: none (their bookings are paid: the Stripe emulator is not running" in printed
    assert "Disputes: none (disputes hold a paid deposit" in printed
    assert "Discharge pack: no discharge pack (the Stripe emulator is not running" in printed
    assert not Review.objects.exists()
    assert not Dispute.objects.exists()
