"""Quote requests and quotes: from a patient's request to an accepted quote and its booking."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.fernet import Fernet

from bookings.models import Booking, BookingStatus
from core.errors import Conflict, NotFound, ValidationFailed
from core.models import AuditEvent, ExchangeRate
from core.rates import rates_changed
from documents.models import DocumentGrant
from documents.services import document_read
from documents.tests import samples
from documents.tests.helpers import upload_file
from providers.models import VerificationStatus
from providers.tests.factories import ProviderFactory
from quotes.models import Quote, QuoteRequest, QuoteRequestStatus, QuoteStatus
from quotes.selectors import member_recipients, provider_median_response
from quotes.services import (
    LineInput,
    SlotInput,
    quote_accept,
    quote_decline,
    quote_request_create,
    quote_request_send,
    quote_request_withdraw,
    quote_submit,
    quote_withdraw,
    quotes_expire,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture
def rival():
    # Not the root's Rival Hospital: these tests need a rival that quotes in lira (the root's
    # `rival_member` is then this provider's administrator).
    return ProviderFactory(name="Istanbul Smile", slug="istanbul-smile", default_currency="TRY")


@pytest.fixture
def report(patient):
    return upload_file(patient, samples.pdf("MRI knee: torn meniscus"))


def _draft(patient, documents=()):
    return quote_request_create(
        patient=patient,
        subject="Knee arthroscopy",
        description="Torn meniscus, MRI attached.",
        desired_from=dt.date(2027, 1, 10),
        desired_to=dt.date(2027, 2, 10),
        travel_constraints="No flights before 9:00",
        documents=list(documents),
        now=NOW,
    )


def _sent(patient, providers, documents=()):
    return quote_request_send(request=_draft(patient, documents), actor=patient, providers=providers, now=NOW)


def _quote(request, provider, member, *, total=400_000, deposit=100_000, currency="EUR", valid_until=None, at=None):
    start = dt.datetime(2027, 1, 15, 8, 0, tzinfo=dt.UTC)
    return quote_submit(
        request=request,
        provider=provider,
        actor=member,
        currency=currency,
        lines=[
            LineInput(kind="consultation", description="Pre-operative consultation", quantity=1, unit_amount=20_000),
            LineInput(kind="procedure", description="Arthroscopy", quantity=1, unit_amount=total - 20_000),
        ],
        deposit_amount=deposit,
        valid_until=valid_until or dt.date(2026, 12, 10),
        slots=[
            SlotInput(start=start, end=start + dt.timedelta(hours=1)),
            SlotInput(start=start + dt.timedelta(days=1), end=start + dt.timedelta(days=1, hours=3)),
        ],
        payment_days=7,
        max_variation_bps=1000,
        excluded="Flights and hotel",
        now=at or NOW + dt.timedelta(hours=5),
    )


def test_sending_a_request_shares_its_documents_with_each_provider_until_it_closes(
    patient, clinic, rival, clinic_member, rival_member, report
):
    request = _sent(patient, [clinic, rival], [report])

    assert request.status == QuoteRequestStatus.SENT
    assert request.expires_at == NOW + dt.timedelta(days=30)
    assert document_read(document=report, reader=clinic_member, now=NOW)
    assert document_read(document=report, reader=rival_member, now=NOW)

    quote_request_withdraw(request=request, actor=patient, now=NOW + dt.timedelta(days=1))

    with pytest.raises(NotFound):
        document_read(document=report, reader=clinic_member, now=NOW + dt.timedelta(days=1))
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.WITHDRAWN


def test_closing_a_request_leaves_a_grant_the_patient_made_before_it(patient, clinic, clinic_member, report):
    from documents.services import document_grant

    document_grant(document=report, actor=patient, provider=clinic, now=NOW - dt.timedelta(days=2))
    request = _sent(patient, [clinic], [report])
    quote_request_withdraw(request=request, actor=patient, now=NOW + dt.timedelta(days=1))

    assert document_read(document=report, reader=clinic_member, now=NOW + dt.timedelta(days=1))


@pytest.mark.parametrize("count", [0, 6])
def test_a_request_goes_to_one_to_five_providers(patient, count):
    providers = [ProviderFactory() for _ in range(count)]
    draft = _draft(patient)
    with pytest.raises(ValidationFailed) as error:
        quote_request_send(request=draft, actor=patient, providers=providers, now=NOW)
    assert "providers" in error.value.details
    assert QuoteRequest.objects.get().status == QuoteRequestStatus.DRAFT


def test_an_unverified_provider_cannot_receive_a_request(patient, clinic):
    pending = ProviderFactory(name="Pending Clinic", status=VerificationStatus.PENDING)
    with pytest.raises(ValidationFailed, match="Pending Clinic"):
        quote_request_send(request=_draft(patient), actor=patient, providers=[clinic, pending], now=NOW)
    assert not QuoteRequest.objects.get().recipients.exists()


def test_a_request_with_a_period_ending_before_it_starts_is_refused(patient):
    with pytest.raises(ValidationFailed) as error:
        quote_request_create(
            patient=patient,
            subject="Hip",
            description="Pain",
            desired_from=dt.date(2027, 2, 1),
            desired_to=dt.date(2027, 1, 1),
            now=NOW,
        )
    assert "desired_to" in error.value.details
    assert not QuoteRequest.objects.exists()


def test_a_patient_cannot_attach_someone_elses_document(patient, other_patient):
    theirs = upload_file(other_patient, samples.pdf("Not yours"))
    with pytest.raises(ValidationFailed):
        _draft(patient, [theirs])


def test_another_patient_cannot_send_or_withdraw_my_request(patient, other_patient, clinic):
    draft = _draft(patient)
    with pytest.raises(NotFound):
        quote_request_send(request=draft, actor=other_patient, providers=[clinic], now=NOW)
    request = quote_request_send(request=draft, actor=patient, providers=[clinic], now=NOW)
    with pytest.raises(NotFound):
        quote_request_withdraw(request=request, actor=other_patient, now=NOW)


def test_a_provider_answers_with_an_itemised_quote(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = _quote(request, clinic, clinic_member)

    assert quote.total_amount == 400_000
    assert [line.amount for line in quote.lines.all()] == [20_000, 380_000]
    assert quote.slots.count() == 2
    request.refresh_from_db()
    assert request.status == QuoteRequestStatus.ANSWERED
    assert provider_median_response(provider_id=clinic.pk) == dt.timedelta(hours=5)


def test_only_members_of_an_addressed_provider_can_answer(patient, clinic, rival, clinic_member, rival_member):
    request = _sent(patient, [clinic])
    with pytest.raises(NotFound):
        _quote(request, rival, rival_member)
    with pytest.raises(Exception, match="not a member"):
        _quote(request, clinic, rival_member)
    assert not Quote.objects.exists()
    assert [r.request_id for r in member_recipients(user=rival_member)] == []
    assert [r.request_id for r in member_recipients(user=clinic_member)] == [request.pk]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deposit": 0}, "deposit_amount"),
        ({"deposit": 500_000}, "deposit_amount"),
        ({"valid_until": dt.date(2026, 11, 1)}, "valid_until"),
        ({"valid_until": dt.date(2027, 6, 1)}, "valid_until"),
        ({"currency": "XXX"}, "currency"),
    ],
)
def test_a_quote_that_breaks_a_rule_is_refused_and_nothing_is_written(patient, clinic, clinic_member, changes, field):
    request = _sent(patient, [clinic])
    with pytest.raises(ValidationFailed) as error:
        _quote(request, clinic, clinic_member, **changes)
    assert field in error.value.details
    assert not Quote.objects.exists()
    request.refresh_from_db()
    assert request.status == QuoteRequestStatus.SENT


def test_a_provider_sends_one_open_quote_per_request(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    first = _quote(request, clinic, clinic_member)
    with pytest.raises(Conflict):
        _quote(request, clinic, clinic_member)
    quote_withdraw(quote=first, actor=clinic_member, now=NOW + dt.timedelta(hours=6))
    second = _quote(request, clinic, clinic_member, total=350_000, at=NOW + dt.timedelta(hours=7))
    assert second.status == QuoteStatus.SENT
    # The response time counts the first answer only.
    assert provider_median_response(provider_id=clinic.pk) == dt.timedelta(hours=5)


def test_accepting_a_quote_books_its_dates_declines_the_others_and_locks_the_rate(
    patient, clinic, rival, clinic_member, rival_member, report
):
    ExchangeRate.objects.create(currency="USD", rate="1.0800", date=dt.date(2026, 11, 20))
    rates_changed()
    request = _sent(patient, [clinic, rival], [report])
    chosen = _quote(request, clinic, clinic_member)
    other = _quote(request, rival, rival_member, currency="TRY", total=15_000_000, deposit=3_000_000)
    accepted_at = NOW + dt.timedelta(days=1)

    quote = quote_accept(quote=chosen, actor=patient, patient_currency="USD", now=accepted_at)

    booking = quote.booking
    assert booking.status == BookingStatus.AWAITING_DEPOSIT
    assert (booking.deposit_amount, booking.currency) == (100_000, "EUR")
    assert [a.start for a in booking.appointments.order_by("start")] == [s.start for s in chosen.slots.all()]
    assert (quote.patient_currency, quote.patient_total_amount, quote.patient_rate_date) == (
        "USD",
        432_000,
        dt.date(2026, 11, 20),
    )
    other.refresh_from_db()
    request.refresh_from_db()
    assert other.status == QuoteStatus.DECLINED
    assert request.status == QuoteRequestStatus.ACCEPTED
    # The chosen provider keeps reading the file for the booking; the other one no longer can.
    assert document_read(document=report, reader=clinic_member, now=accepted_at)
    with pytest.raises(NotFound):
        document_read(document=report, reader=rival_member, now=accepted_at)
    assert AuditEvent.objects.filter(action="marketplace.quote.accepted").count() == 1


def test_a_quote_accepted_twice_says_so_and_changes_nothing(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = quote_accept(quote=_quote(request, clinic, clinic_member), actor=patient, patient_currency="EUR", now=NOW)
    with pytest.raises(Conflict) as error:
        quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=NOW + dt.timedelta(minutes=1))
    assert error.value.code == "quote_already_accepted"
    assert Booking.objects.count() == 1


def test_an_expired_quote_cannot_be_accepted(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = _quote(request, clinic, clinic_member, valid_until=dt.date(2026, 11, 30))
    with pytest.raises(Conflict) as error:
        quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert error.value.code == "quote_expired"
    assert not Booking.objects.exists()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT


def test_a_quote_whose_dates_were_taken_since_cannot_be_accepted(patient, other_patient, clinic, clinic_member):
    mine = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    theirs = _quote(_sent(other_patient, [clinic]), clinic, clinic_member)
    quote_accept(quote=theirs, actor=other_patient, patient_currency="EUR", now=NOW + dt.timedelta(days=1))

    with pytest.raises(Conflict) as error:
        quote_accept(quote=mine, actor=patient, patient_currency="EUR", now=NOW + dt.timedelta(days=1))
    assert error.value.code == "slot_taken"
    mine.refresh_from_db()
    assert mine.status == QuoteStatus.SENT
    assert mine.request.status == QuoteRequestStatus.ANSWERED


def test_another_patient_cannot_accept_or_decline_my_quote(patient, other_patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    with pytest.raises(NotFound):
        quote_accept(quote=quote, actor=other_patient, patient_currency="EUR", now=NOW)
    with pytest.raises(NotFound):
        quote_decline(quote=quote, actor=other_patient, now=NOW)


def test_declining_the_last_open_quote_closes_the_request(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote_decline(quote=_quote(request, clinic, clinic_member), actor=patient, now=NOW + dt.timedelta(days=1))
    request.refresh_from_db()
    assert request.status == QuoteRequestStatus.DECLINED


def test_expiry_closes_old_requests_and_quotes_once(patient, other_patient, clinic, clinic_member, report):
    old = _sent(patient, [clinic], [report])
    answered = _sent(other_patient, [clinic])
    short = _quote(answered, clinic, clinic_member, valid_until=dt.date(2026, 11, 30))

    assert quotes_expire(now=dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)) == 1
    short.refresh_from_db()
    assert short.status == QuoteStatus.EXPIRED

    later = NOW + dt.timedelta(days=30)
    assert quotes_expire(now=later) == 2  # both requests
    assert quotes_expire(now=later) == 0
    old.refresh_from_db()
    assert old.status == QuoteRequestStatus.EXPIRED
    assert not DocumentGrant.objects.live(now=later).exists()
    assert AuditEvent.objects.filter(action="marketplace.quote_request.expired").count() == 2
