"""The quote pages: a patient sends a request with a file, a provider answers, the patient accepts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from cryptography.fernet import Fernet
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.models import Booking, BookingStatus
from documents.models import MedicalDocument
from documents.tests import samples
from providers.tests.factories import LocationFactory, MemberFactory, ProviderFactory
from quotes.models import Quote, QuoteRequest, QuoteRequestStatus, QuoteStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]


@pytest.fixture
def clinic(clinic):
    """The root's Clinique du Lac, with a location in Paris (its timezone is the quotes' dates')."""
    LocationFactory(provider=clinic, timezone="Europe/Paris")
    return clinic


@pytest.fixture
def rival():
    # Not the root's Rival Hospital: these tests need a rival that quotes in lira, by this name.
    return ProviderFactory(name="Anadolu Hastanesi", default_currency="TRY")


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _request_form(providers, **changes):
    today = timezone.now().date()
    data = {
        "subject": "Knee arthroscopy",
        "description": "Torn meniscus.",
        "desired_from": (today + dt.timedelta(days=30)).isoformat(),
        "desired_to": (today + dt.timedelta(days=60)).isoformat(),
        "travel_constraints": "",
        "providers": [p.pk for p in providers],
        "new_document": SimpleUploadedFile("mri.pdf", samples.pdf("MRI knee"), content_type="application/pdf"),
        "new_document_title": "MRI of the left knee",
    }
    data.update(changes)
    return data


def test_the_request_page_offers_the_providers_picked_and_warns_it_is_not_for_emergencies(patient, clinic, rival):
    page = _as(patient).get(f"/quotes/new/?provider={clinic.pk}")
    body = page.content.decode()
    assert page.status_code == 200
    assert "112" in body
    assert "Not for emergencies" in body
    assert "Clinique du Lac" in body
    assert "Anadolu" not in body


def test_a_patient_sends_a_request_with_a_new_pdf_to_two_providers(patient, clinic, rival):
    response = _as(patient).post(
        f"/quotes/new/?provider={clinic.pk}&provider={rival.pk}", _request_form([clinic, rival])
    )

    request = QuoteRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quotes/{request.pk}/"
    assert request.status == QuoteRequestStatus.SENT
    assert sorted(request.recipients.values_list("provider__name", flat=True)) == [
        "Anadolu Hastanesi",
        "Clinique du Lac",
    ]
    assert [d.title for d in request.documents.all()] == ["MRI of the left knee"]
    assert request.grants.count() == 2


def test_an_executable_named_pdf_is_refused_and_nothing_is_kept(patient, clinic):
    exe = SimpleUploadedFile("mri.pdf", samples.windows_executable(), content_type="application/pdf")
    response = _as(patient).post(f"/quotes/new/?provider={clinic.pk}", _request_form([clinic], new_document=exe))

    assert response.status_code == 400
    assert "new_document" in response.context["form"].errors
    assert not QuoteRequest.objects.exists()
    assert not MedicalDocument.objects.exists()


def test_a_period_ending_before_it_starts_is_a_form_error(patient, clinic):
    today = timezone.now().date()
    response = _as(patient).post(
        "/quotes/new/",
        _request_form(
            [clinic],
            desired_from=(today + dt.timedelta(days=60)).isoformat(),
            desired_to=(today + dt.timedelta(days=30)).isoformat(),
        ),
    )
    assert response.status_code == 400
    assert "desired_to" in response.context["form"].errors
    assert not QuoteRequest.objects.exists()


def _sent_request(patient, client_providers):
    _as(patient).post("/quotes/new/", _request_form(client_providers))
    return QuoteRequest.objects.get()


def _quote_form(**changes):
    start = timezone.now().date() + dt.timedelta(days=40)
    data = {
        "currency": "EUR",
        "deposit": "1 000,00",
        "valid_until": (timezone.now().date() + dt.timedelta(days=10)).isoformat(),
        "payment_days": "7",
        "max_variation": "10",
        "cancellation_policy": "platform_default",
        "excluded": "Flights",
        "message": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": "consultation",
        "lines-0-description": "Consultation",
        "lines-0-quantity": "1",
        "lines-0-unit_price": "200,00",
        "lines-1-kind": "procedure",
        "lines-1-description": "Arthroscopy",
        "lines-1-quantity": "1",
        "lines-1-unit_price": "3 800,00",
        "slots-TOTAL_FORMS": "2",
        "slots-INITIAL_FORMS": "0",
        "slots-0-date": start.isoformat(),
        "slots-0-time": "09:00",
        "slots-0-minutes": "60",
        # What a browser posts for the forms left blank.
        "lines-2-kind": "",
        "lines-2-quantity": "1",
        "slots-1-minutes": "60",
    }
    data.update(changes)
    return data


def test_a_provider_answers_from_its_inbox_with_prices_in_its_language(patient, clinic, clinic_member):
    request = _sent_request(patient, [clinic])
    recipient = request.recipients.get()
    client = _as(clinic_member)
    assert request.subject in client.get("/quotes/inbox/").content.decode()
    client.cookies["django_language"] = "fr"

    response = client.post(f"/quotes/inbox/{recipient.pk}/", _quote_form(location=clinic.locations.get().pk))

    assert response.status_code == 302, (response.context["lines"].errors, response.context["slots"].errors)
    quote = Quote.objects.get()
    assert (quote.total_amount, quote.deposit_amount, quote.timezone) == (400_000, 100_000, "Europe/Paris")
    slot = quote.slots.get()
    assert slot.start.astimezone(ZoneInfo("Europe/Paris")).time() == dt.time(9, 0)
    assert slot.end - slot.start == dt.timedelta(minutes=60)


def test_a_quote_with_a_price_in_too_many_decimals_is_refused_under_its_line(patient, clinic, clinic_member):
    request = _sent_request(patient, [clinic])
    client = _as(clinic_member)
    response = client.post(
        f"/quotes/inbox/{request.recipients.get().pk}/",
        _quote_form(location=clinic.locations.get().pk, deposit="1000", **{"lines-1-unit_price": "3800.123"}),
    )
    assert response.status_code == 400
    assert response.context["lines"].forms[1].errors["unit_price"]
    assert not Quote.objects.exists()


def test_a_member_of_another_provider_cannot_open_the_request(patient, clinic, rival):
    request = _sent_request(patient, [clinic])
    outsider = MemberFactory(provider=rival, user=UserFactory(email="x@rival.test")).user
    assert _as(outsider).get(f"/quotes/inbox/{request.recipients.get().pk}/").status_code == 404
    assert _as(outsider).get(f"/quotes/{request.pk}/").status_code == 404


def test_the_patient_accepts_a_quote_once_and_sees_the_booking_awaiting_its_deposit(patient, clinic, clinic_member):
    request = _sent_request(patient, [clinic])
    client = _as(clinic_member)
    client.cookies["django_language"] = "fr"
    client.post(f"/quotes/inbox/{request.recipients.get().pk}/", _quote_form(location=clinic.locations.get().pk))
    quote = Quote.objects.get()

    me = _as(patient)
    first = me.post(f"/quotes/quote/{quote.pk}/accept/", follow=True)
    second = me.post(f"/quotes/quote/{quote.pk}/accept/", follow=True)

    quote.refresh_from_db()
    assert quote.status == QuoteStatus.ACCEPTED
    assert Booking.objects.get().status == BookingStatus.AWAITING_DEPOSIT
    assert "awaiting" in first.content.decode().lower() or "waiting" in first.content.decode().lower()
    assert "already accepted" in second.content.decode()


def test_someone_elses_quote_cannot_be_accepted(patient, other_patient, clinic, clinic_member):
    request = _sent_request(patient, [clinic])
    client = _as(clinic_member)
    client.cookies["django_language"] = "fr"
    client.post(f"/quotes/inbox/{request.recipients.get().pk}/", _quote_form(location=clinic.locations.get().pk))
    quote = Quote.objects.get()

    assert _as(other_patient).post(f"/quotes/quote/{quote.pk}/accept/").status_code == 404
    assert not Booking.objects.exists()


def test_the_public_page_shows_the_median_response_time(patient, clinic, clinic_member):
    request = _sent_request(patient, [clinic])
    client = _as(clinic_member)
    client.cookies["django_language"] = "fr"
    client.post(f"/quotes/inbox/{request.recipients.get().pk}/", _quote_form(location=clinic.locations.get().pk))

    page = Client().get(f"/providers/p/{clinic.slug}/")
    assert "Usually answers within 1 hour" in page.content.decode()


def test_the_comparison_offers_to_request_quotes_from_the_providers_compared(patient, clinic, rival):
    from providers.tests.factories import OfferingFactory

    client = _as(patient)
    for provider in (clinic, rival):
        offering = OfferingFactory(provider=provider, location=LocationFactory(provider=provider))
        client.post(f"/compare/{offering.pk}/", {"action": "add", "next": "/compare/"})

    body = client.get("/compare/").content.decode()
    assert f"/quotes/new/?provider={clinic.pk}&amp;provider={rival.pk}" in body


def test_the_patient_withdraws_a_request_from_its_page(patient, clinic):
    request = _sent_request(patient, [clinic])

    response = _as(patient).post(f"/quotes/{request.pk}/withdraw/", follow=True)

    assert response.status_code == 200
    assert "Your request is withdrawn" in response.content.decode()
    request.refresh_from_db()
    assert request.status == QuoteRequestStatus.WITHDRAWN


# --- a page offers a button exactly when the service would accept it -----------------------------


class _Undo(Exception):
    def __init__(self, done: bool):
        self.done = done


def _service_does(user, url: str) -> bool:
    """POST `url` as `user`, see whether the service did something (said so and audited a change),
    then undo it."""
    from django.db import transaction

    from core.models import AuditEvent

    try:
        with transaction.atomic():
            before = AuditEvent.objects.count()
            response = _as(user).post(url, follow=True)
            said = [m.level_tag for m in response.context["messages"]]
            raise _Undo(said == ["success"] and AuditEvent.objects.count() > before)
    except _Undo as undo:
        return undo.done


def _patient_actions(quote_request) -> dict[str, str]:
    urls = {"withdraw": f"/quotes/{quote_request.pk}/withdraw/"}
    for quote in quote_request.quotes.all():
        urls[f"accept {quote.provider.name}"] = f"/quotes/quote/{quote.pk}/accept/"
        urls[f"decline {quote.provider.name}"] = f"/quotes/quote/{quote.pk}/decline/"
    return urls


def _offered_and_done(patient, quote_request) -> tuple[set[str], set[str]]:
    """The actions the request's page offers, and those its services would do (each tried, then
    undone; running a service again on what is already done does nothing, and is no button)."""
    body = _as(patient).get(f"/quotes/{quote_request.pk}/").content.decode()
    offered, done = set(), set()
    for name, url in _patient_actions(quote_request).items():
        if f'action="{url}"' in body:
            offered.add(name)
        if _service_does(patient, url):
            done.add(name)
    return offered, done


def _answered_at(patient, providers, member, *, now, valid_until, first_date):
    """A request sent and answered by the first provider at `now` (in the past), through the services."""
    from quotes.services import LineInput, SlotInput, quote_request_submit, quote_submit

    request = quote_request_submit(
        patient=patient,
        providers=providers,
        documents=[],
        subject="Knee arthroscopy",
        description="Torn meniscus.",
        desired_from=now.date() + dt.timedelta(days=20),
        desired_to=now.date() + dt.timedelta(days=50),
        now=now,
    )
    quote_submit(
        request=request,
        provider=providers[0],
        actor=member,
        currency="EUR",
        lines=[LineInput(kind="procedure", description="Arthroscopy", quantity=1, unit_amount=300_000)],
        deposit_amount=50_000,
        valid_until=valid_until,
        slots=[SlotInput(start=first_date, end=first_date + dt.timedelta(hours=1))],
        payment_days=7,
        max_variation_bps=1000,
        now=now + dt.timedelta(hours=1),
    )
    return request


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("open", {"withdraw", "accept Clinique du Lac", "decline Clinique du Lac"}),
        ("quote past its validity", {"withdraw", "decline Clinique du Lac"}),
        ("first date passed", {"withdraw", "decline Clinique du Lac"}),
        ("quote declined, another provider still to answer", {"withdraw"}),
        ("quote accepted", set()),
        ("request withdrawn", set()),
    ],
)
def test_the_request_page_offers_exactly_the_actions_the_services_accept(
    patient, clinic, rival, clinic_member, state, expected
):
    from quotes.services import quote_accept, quote_decline, quote_request_withdraw

    now = timezone.now()
    past = now - dt.timedelta(days=10)
    valid_until = (now + dt.timedelta(days=5)).date()
    first_date = now + dt.timedelta(days=15)
    if state == "quote past its validity":
        valid_until = (now - dt.timedelta(days=2)).date()
    if state == "first date passed":
        first_date = now - dt.timedelta(days=1)
    providers = [clinic, rival] if state.startswith("quote declined") else [clinic]
    request = _answered_at(patient, providers, clinic_member, now=past, valid_until=valid_until, first_date=first_date)
    quote = request.quotes.get()
    if state.startswith("quote declined"):
        quote_decline(quote=quote, actor=patient, now=now)
    if state == "quote accepted":
        quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=now)
    if state == "request withdrawn":
        quote_request_withdraw(request=request, actor=patient, now=now)

    offered, done = _offered_and_done(patient, request)

    assert offered == done == expected


def test_an_expired_quote_has_no_accept_button_and_a_closed_request_no_withdraw_button(patient, clinic, clinic_member):
    from quotes.services import quote_request_withdraw

    now = timezone.now()
    request = _answered_at(
        patient,
        [clinic],
        clinic_member,
        now=now - dt.timedelta(days=10),
        valid_until=(now - dt.timedelta(days=2)).date(),
        first_date=now + dt.timedelta(days=15),
    )
    me = _as(patient)

    body = me.get(f"/quotes/{request.pk}/").content.decode()
    assert "Accept this quote" not in body
    assert "Withdraw the request" in body

    quote_request_withdraw(request=request, actor=patient, now=now)
    body = me.get(f"/quotes/{request.pk}/").content.decode()
    assert "Withdraw the request" not in body
    assert "Accept this quote" not in body
    assert "Decline</summary>" not in body


def test_the_inbox_offers_to_withdraw_an_open_quote_and_to_quote_only_when_the_service_would_take_it(
    patient, clinic, clinic_member
):
    from quotes.services import quote_decline, quote_request_withdraw, quote_withdraw

    now = timezone.now()
    request = _answered_at(
        patient,
        [clinic],
        clinic_member,
        now=now - dt.timedelta(days=1),
        valid_until=(now + dt.timedelta(days=5)).date(),
        first_date=now + dt.timedelta(days=15),
    )
    quote = request.quotes.get()
    page = f"/quotes/inbox/{request.recipients.get().pk}/"
    member = _as(clinic_member)

    # A quote in force: it may be withdrawn, and no second one sent.
    body = member.get(page).content.decode()
    assert "Withdraw this quote" in body
    assert "Send the quote" not in body

    # Withdrawn: a new quote may be sent, and the old one offers nothing.
    quote_withdraw(quote=quote, actor=clinic_member, now=now)
    body = member.get(page).content.decode()
    assert "Withdraw this quote" not in body
    assert "Send the quote" in body

    # A declined quote offers nothing either; a withdrawn request takes no more quotes.
    second = _answered_at(
        patient,
        [clinic],
        clinic_member,
        now=now - dt.timedelta(days=1),
        valid_until=(now + dt.timedelta(days=5)).date(),
        first_date=now + dt.timedelta(days=20),
    )
    quote_decline(quote=second.quotes.get(), actor=patient, now=now)
    quote_request_withdraw(request=request, actor=patient, now=now)
    for recipient in (request.recipients.get(), second.recipients.get()):
        body = member.get(f"/quotes/inbox/{recipient.pk}/").content.decode()
        assert "Withdraw this quote" not in body
        assert "Send the quote" not in body


def test_the_request_page_shares_the_quote_requests_throttle_with_the_api(settings, patient, clinic):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"quote_requests": "1/hour"}}
    client = _as(patient)

    first = client.post(f"/quotes/new/?provider={clinic.pk}", _request_form([clinic]))
    second = client.post(f"/quotes/new/?provider={clinic.pk}", _request_form([clinic]))

    assert first.status_code == 302
    assert second.status_code == 400
    assert "Too many attempts" in second.content.decode()
    assert QuoteRequest.objects.count() == 1
    assert MedicalDocument.objects.count() == 1  # the refused request kept no document either
