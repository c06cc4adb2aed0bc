"""The quote checks: one answer to "may this person do this now?", the same the services enforce.

Each check is tried allowed and refused (with the refusal's code); where a service can be asked,
the service refuses with the very error its check names. Also: the state changes go through the
machines, with the audit events they always had.
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, DomainError
from core.models import AuditEvent
from providers.models import VerificationStatus
from quotes.models import Quote, QuoteRequest, QuoteRequestStatus, QuoteStatus
from quotes.services import (
    LineInput,
    SlotInput,
    quote_accept,
    quote_accept_check,
    quote_decline,
    quote_decline_check,
    quote_request_create,
    quote_request_send,
    quote_request_withdraw,
    quote_request_withdraw_check,
    quote_submit,
    quote_submit_check,
    quote_withdraw,
    quote_withdraw_check,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
FIRST_DATE = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)


def _sent(patient, providers):
    draft = quote_request_create(
        patient=patient,
        subject="Knee arthroscopy",
        description="Torn meniscus.",
        desired_from=dt.date(2026, 12, 1),
        desired_to=dt.date(2027, 1, 31),
        now=NOW,
    )
    return quote_request_send(request=draft, actor=patient, providers=providers, now=NOW)


def _quote(request, provider, member, *, valid_until=dt.date(2026, 12, 10), at=NOW + dt.timedelta(hours=1)):
    return quote_submit(
        request=request,
        provider=provider,
        actor=member,
        currency="EUR",
        lines=[LineInput(kind="procedure", description="Arthroscopy", quantity=1, unit_amount=300_000)],
        deposit_amount=50_000,
        valid_until=valid_until,
        slots=[SlotInput(start=FIRST_DATE, end=FIRST_DATE + dt.timedelta(hours=1))],
        payment_days=7,
        max_variation_bps=1000,
        now=at,
    )


def _refused_with(check, code: str) -> DomainError:
    assert not check.allowed
    assert check.refusal.code == code
    assert check.reason == check.refusal.message
    return check.refusal


def _service_refuses_alike(call, refusal: DomainError) -> None:
    with pytest.raises(DomainError) as raised:
        call()
    assert (raised.value.code, raised.value.message) == (refusal.code, refusal.message)


# --- withdrawing a request -------------------------------------------------------------------------


def test_the_patient_may_withdraw_an_open_request(patient, clinic):
    request = _sent(patient, [clinic])
    assert quote_request_withdraw_check(request=request, actor=patient).allowed


def test_another_patient_may_not_withdraw_it_and_learns_nothing(patient, other_patient, clinic):
    request = _sent(patient, [clinic])
    refusal = _refused_with(quote_request_withdraw_check(request=request, actor=other_patient), "not_found")
    _service_refuses_alike(lambda: quote_request_withdraw(request=request, actor=other_patient, now=NOW), refusal)


def test_a_closed_request_cannot_be_withdrawn(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote_accept(quote=_quote(request, clinic, clinic_member), actor=patient, patient_currency="EUR", now=NOW)
    request.refresh_from_db()

    refusal = _refused_with(quote_request_withdraw_check(request=request, actor=patient), "request_closed")
    assert refusal.message == "This request is accepted and can no longer be changed that way."
    _service_refuses_alike(lambda: quote_request_withdraw(request=request, actor=patient, now=NOW), refusal)


def test_a_withdrawn_request_offers_no_withdrawal_though_withdrawing_again_changes_nothing(patient, clinic):
    request = quote_request_withdraw(request=_sent(patient, [clinic]), actor=patient, now=NOW)

    _refused_with(quote_request_withdraw_check(request=request, actor=patient), "request_closed")
    assert quote_request_withdraw(request=request, actor=patient, now=NOW).status == QuoteRequestStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="marketplace.quote_request.withdrawn").count() == 1


# --- accepting and declining a quote ---------------------------------------------------------------


def test_the_patient_may_accept_and_decline_an_open_quote(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    assert quote_accept_check(quote=quote, actor=patient, now=NOW).allowed
    assert quote_decline_check(quote=quote, actor=patient).allowed


def test_another_patient_may_neither_accept_nor_decline_it(patient, other_patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    _refused_with(quote_accept_check(quote=quote, actor=other_patient, now=NOW), "not_found")
    _refused_with(quote_decline_check(quote=quote, actor=clinic_member), "not_found")


def test_a_quote_past_its_validity_cannot_be_accepted_but_can_be_declined(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member, valid_until=dt.date(2026, 11, 30))
    later = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

    refusal = _refused_with(quote_accept_check(quote=quote, actor=patient, now=later), "quote_expired")
    _service_refuses_alike(lambda: quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=later), refusal)
    assert quote_decline_check(quote=quote, actor=patient).allowed


def test_a_quote_whose_first_date_has_passed_cannot_be_accepted(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    after_first_date = FIRST_DATE + dt.timedelta(hours=2)  # the quote is still valid that day

    refusal = _refused_with(quote_accept_check(quote=quote, actor=patient, now=after_first_date), "quote_dates_passed")
    _service_refuses_alike(
        lambda: quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=after_first_date), refusal
    )


def test_an_accepted_quote_says_so_and_a_declined_one_is_closed(patient, clinic, rival, clinic_member, rival_member):
    request = _sent(patient, [clinic, rival])
    chosen, other = _quote(request, clinic, clinic_member), _quote(request, rival, rival_member)
    quote_accept(quote=chosen, actor=patient, patient_currency="EUR", now=NOW)
    chosen = Quote.objects.select_related("request").get(pk=chosen.pk)
    other = Quote.objects.select_related("request").get(pk=other.pk)

    _refused_with(quote_accept_check(quote=chosen, actor=patient, now=NOW), "quote_already_accepted")
    refusal = _refused_with(quote_decline_check(quote=chosen, actor=patient), "quote_closed")
    assert refusal.message == "This quote is accepted and can no longer be changed that way."
    _service_refuses_alike(lambda: quote_decline(quote=chosen, actor=patient, now=NOW), refusal)
    _refused_with(quote_accept_check(quote=other, actor=patient, now=NOW), "quote_closed")
    _refused_with(quote_decline_check(quote=other, actor=patient), "quote_closed")


def test_an_open_quote_of_a_closed_request_cannot_be_accepted(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    # Not a state the services leave (closing a request closes its quotes): the check still says no.
    QuoteRequest.objects.filter(pk=quote.request_id).update(status=QuoteRequestStatus.EXPIRED)
    quote = Quote.objects.select_related("request").get(pk=quote.pk)

    refusal = _refused_with(quote_accept_check(quote=quote, actor=patient, now=NOW), "request_closed")
    _service_refuses_alike(lambda: quote_accept(quote=quote, actor=patient, patient_currency="EUR", now=NOW), refusal)


# --- the provider's side ---------------------------------------------------------------------------


def test_a_member_may_withdraw_its_open_quote_and_no_one_else(patient, clinic, clinic_member, rival_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)

    assert quote_withdraw_check(quote=quote, actor=clinic_member).allowed
    refusal = _refused_with(quote_withdraw_check(quote=quote, actor=rival_member), "forbidden")
    _service_refuses_alike(lambda: quote_withdraw(quote=quote, actor=rival_member, now=NOW), refusal)
    _refused_with(quote_withdraw_check(quote=quote, actor=patient), "forbidden")


def test_a_decided_quote_cannot_be_withdrawn(patient, clinic, clinic_member):
    quote = _quote(_sent(patient, [clinic]), clinic, clinic_member)
    quote = quote_decline(quote=quote, actor=patient, now=NOW)

    refusal = _refused_with(quote_withdraw_check(quote=quote, actor=clinic_member), "quote_closed")
    _service_refuses_alike(lambda: quote_withdraw(quote=quote, actor=clinic_member, now=NOW), refusal)


def test_a_member_may_quote_an_open_request_sent_to_its_provider(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    assert quote_submit_check(request=request, provider=clinic, actor=clinic_member, now=NOW).allowed


def test_a_quote_is_refused_to_an_outsider_and_to_a_provider_the_request_was_not_sent_to(
    patient, clinic, rival, clinic_member, rival_member
):
    request = _sent(patient, [clinic])

    refusal = _refused_with(
        quote_submit_check(request=request, provider=clinic, actor=rival_member, now=NOW), "forbidden"
    )
    _service_refuses_alike(lambda: _quote(request, clinic, rival_member), refusal)
    refusal = _refused_with(
        quote_submit_check(request=request, provider=rival, actor=rival_member, now=NOW), "not_found"
    )
    _service_refuses_alike(lambda: _quote(request, rival, rival_member), refusal)


def test_a_suspended_provider_cannot_quote(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    clinic.status = VerificationStatus.SUSPENDED
    clinic.save(update_fields=["status"])

    refusal = _refused_with(
        quote_submit_check(request=request, provider=clinic, actor=clinic_member, now=NOW), "provider_unverified"
    )
    _service_refuses_alike(lambda: _quote(request, clinic, clinic_member), refusal)


def test_one_quote_in_force_per_provider_and_none_once_the_request_is_closed(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = _quote(request, clinic, clinic_member)
    request.refresh_from_db()

    refusal = _refused_with(
        quote_submit_check(request=request, provider=clinic, actor=clinic_member, now=NOW), "quote_exists"
    )
    _service_refuses_alike(lambda: _quote(request, clinic, clinic_member), refusal)

    quote_withdraw(quote=quote, actor=clinic_member, now=NOW)
    assert quote_submit_check(request=request, provider=clinic, actor=clinic_member, now=NOW).allowed

    request = quote_request_withdraw(request=request, actor=patient, now=NOW)
    refusal = _refused_with(
        quote_submit_check(request=request, provider=clinic, actor=clinic_member, now=NOW), "request_closed"
    )
    assert refusal.message == "This request is withdrawn: it takes no more quotes."
    _service_refuses_alike(lambda: _quote(request, clinic, clinic_member), refusal)


# --- the moves themselves --------------------------------------------------------------------------


def _audits(instance) -> list[tuple[str, dict, dict]]:
    events = AuditEvent.objects.filter(target_type=instance._meta.label_lower, target_id=str(instance.pk))
    return [(e.action, e.before, e.after) for e in events.order_by("pk")]


def test_each_move_of_a_request_and_its_quotes_is_audited_from_and_to(patient, clinic, clinic_member):
    request = _sent(patient, [clinic])
    quote = _quote(request, clinic, clinic_member)
    quote_request_withdraw(request=request, actor=patient, now=NOW + dt.timedelta(days=1))

    assert _audits(request) == [
        ("marketplace.quote_request.created", None, {"status": "draft", "documents": []}),
        ("marketplace.quote_request.sent", {"status": "draft"}, {"status": "sent", "providers": [clinic.pk]}),
        ("marketplace.quote_request.answered", {"status": "sent"}, {"status": "answered", "quote": quote.pk}),
        ("marketplace.quote_request.withdrawn", {"status": "answered"}, {"status": "withdrawn"}),
    ]
    assert _audits(quote)[-1] == (
        "marketplace.quote.declined",
        {"status": "sent"},
        {"status": "declined", "because": "request withdrawn"},
    )
    quote.refresh_from_db()
    request.refresh_from_db()
    assert (quote.status, quote.decided_at) == (QuoteStatus.DECLINED, NOW + dt.timedelta(days=1))
    assert request.closed_at == NOW + dt.timedelta(days=1)


def test_sending_a_request_twice_is_refused_in_the_words_it_always_had(patient, clinic):
    request = _sent(patient, [clinic])
    with pytest.raises(Conflict) as refused:
        quote_request_send(request=request, actor=patient, providers=[clinic], now=NOW)
    assert refused.value.code == "request_closed"
    assert refused.value.message == "This request is sent and can no longer be changed that way."
