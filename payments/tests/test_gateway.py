"""The Stripe gateway: against the local emulator (payments, refunds, balance transactions, the
errors patients see), and against an HTTP stub that honours `Idempotency-Key` (C1: a retry after
a lost connection creates nothing twice; C2: two clicks at once make one transfer)."""

from __future__ import annotations

import threading

import pytest

from payments import gateway
from payments.tests.conftest import CARD_3DS, CARD_DECLINED_ON_CHARGE, CARD_OK


def card(emulator, number: str) -> str:
    setup = gateway.setup_intent_create(booking_id=1, idempotency_key=f"setup:1:{number}")
    return emulator.collect_card(setup.client_secret, number)


# --- against the emulator ------------------------------------------------------------------------


def test_a_setup_intent_gives_the_browser_a_client_secret(stripe_emulator):
    setup = gateway.setup_intent_create(booking_id=7, idempotency_key="setup:7:1")

    assert setup.id.startswith("seti_")
    assert setup.client_secret.startswith(setup.id + "_secret_")
    assert setup.status == "requires_payment_method"


def test_a_deposit_with_4242_succeeds_with_automatic_capture_and_the_booking_in_metadata(stripe_emulator):
    intent = gateway.deposit_payment_intent_create(
        amount=50_000,
        currency="EUR",
        payment_method=card(stripe_emulator, CARD_OK),
        booking_id=7,
        idempotency_key="d:1",
    )

    assert intent.succeeded
    assert (intent.amount, intent.currency) == (50_000, "EUR")
    assert intent.metadata["booking"] == "7"
    assert intent.capture_method == "automatic"
    assert intent.charge_id.startswith("ch_")  # the emulator expands latest_charge: read as an object


def test_retrieving_a_payment_reads_its_charge_and_balance_transaction(stripe_emulator):
    made = gateway.deposit_payment_intent_create(
        amount=12_345,
        currency="EUR",
        payment_method=card(stripe_emulator, CARD_OK),
        booking_id=7,
        idempotency_key="d:2",
    )

    intent = gateway.payment_intent_retrieve(made.id)
    transaction = gateway.balance_transaction_retrieve(intent.balance_transaction_id)

    assert intent.charge_id == made.charge_id
    assert (transaction.amount, transaction.fee, transaction.net, transaction.currency) == (12_345, 0, 12_345, "EUR")
    assert transaction.source == made.charge_id
    listed = gateway.balance_transactions_between(start=0, end=2**31)
    assert [t.id for t in listed] == [transaction.id]


def test_latest_charge_is_read_as_an_id_or_as_an_expanded_object():
    base = {"id": "pi_1", "status": "succeeded", "amount": 100, "currency": "eur", "metadata": {"booking": "3"}}

    as_id = gateway._payment_intent({**base, "latest_charge": "ch_1"})
    expanded = gateway._payment_intent(
        {**base, "latest_charge": {"id": "ch_1", "balance_transaction": {"id": "txn_1", "fee": 3}}}
    )

    assert (as_id.charge_id, as_id.balance_transaction_id) == ("ch_1", None)
    assert (expanded.charge_id, expanded.balance_transaction_id) == ("ch_1", "txn_1")


def test_a_declined_charge_becomes_a_domain_error_that_explains_the_decline(stripe_emulator):
    payment_method = card(stripe_emulator, CARD_DECLINED_ON_CHARGE)

    with pytest.raises(gateway.PaymentDeclined) as declined:
        gateway.deposit_payment_intent_create(
            amount=50_000, currency="EUR", payment_method=payment_method, booking_id=7, idempotency_key="d:3"
        )

    assert declined.value.code == "card_declined"
    assert declined.value.message == (
        "Your card was declined by your bank. No money was taken. Please try another card or ask your bank why."
    )


def test_a_3d_secure_card_requires_action(stripe_emulator):
    intent = gateway.deposit_payment_intent_create(
        amount=50_000,
        currency="EUR",
        payment_method=card(stripe_emulator, CARD_3DS),
        booking_id=7,
        idempotency_key="d:4",
    )

    assert intent.requires_action
    assert intent.charge_id is None
    assert gateway.payment_intent_cancel(intent.id).status == "canceled"


def test_refunds_full_and_partial(stripe_emulator):
    intent = gateway.deposit_payment_intent_create(
        amount=50_000,
        currency="EUR",
        payment_method=card(stripe_emulator, CARD_OK),
        booking_id=7,
        idempotency_key="d:5",
    )

    partial = gateway.refund_create(payment_intent_id=intent.id, amount=20_000, idempotency_key="refund:1")
    rest = gateway.refund_create(payment_intent_id=intent.id, amount=30_000, idempotency_key="refund:2")

    assert (partial.amount, rest.amount, partial.currency) == (20_000, 30_000, "EUR")
    assert partial.payment_intent == intent.id


def test_an_unknown_payment_is_a_clear_error_not_a_crash(stripe_emulator):
    with pytest.raises(gateway.PaymentProviderError):
        gateway.payment_intent_retrieve("pi_doesnotexist")


def test_an_unreachable_stripe_is_said_so(settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: nothing listens
    gateway._client.cache_clear()
    try:
        with pytest.raises(gateway.PaymentProviderError) as failed:
            gateway.payment_intent_retrieve("pi_1")
    finally:
        gateway._client.cache_clear()

    assert failed.value.code == "payment_provider_unreachable"


def test_every_create_needs_an_idempotency_key(stripe_emulator):
    with pytest.raises(ValueError, match="idempotency key"):
        gateway.refund_create(payment_intent_id="pi_1", amount=1, idempotency_key="")


# --- against the HTTP stub: C1, C2 ---------------------------------------------------------------


def test_c1_a_refund_whose_answer_is_lost_is_retried_with_the_same_key_and_made_once(stripe_stub):
    stripe_stub.drop["refunds"] = 1  # Stripe commits the refund, then the connection drops

    refund = gateway.refund_create(payment_intent_id="pi_1", amount=20_000, idempotency_key="refund:41")

    assert len(stripe_stub.objects["refunds"]) == 1
    assert refund.id in stripe_stub.objects["refunds"]
    sent = stripe_stub.creates("refunds")
    assert len(sent) == 2
    assert {r.idempotency_key for r in sent} == {"refund:41"}
    assert sent[0].params == {"payment_intent": "pi_1", "amount": "20000"}


def test_c1_a_transfer_retried_after_our_side_gave_up_is_still_made_once(stripe_stub):
    stripe_stub.drop["transfers"] = 3  # more than the client's own retries: the caller sees an error
    arguments = {
        "amount": 45_000,
        "currency": "EUR",
        "destination": "acct_provider",
        "source_transaction": "ch_deposit",
        "transfer_group": "booking:9",
        "idempotency_key": "transfer:12",
        "metadata": {"booking": 9, "release": 12},
    }

    with pytest.raises(gateway.PaymentProviderError):
        gateway.transfer_create(**arguments)
    transfer = gateway.transfer_create(**arguments)  # later (a retry job): same release, same key

    assert len(stripe_stub.objects["transfers"]) == 1
    assert transfer.id in stripe_stub.objects["transfers"]
    assert {r.idempotency_key for r in stripe_stub.creates("transfers")} == {"transfer:12"}
    assert stripe_stub.creates("transfers")[0].params == {
        "amount": "45000",
        "currency": "eur",
        "destination": "acct_provider",
        "source_transaction": "ch_deposit",
        "transfer_group": "booking:9",
        "metadata[booking]": "9",
        "metadata[release]": "12",
    }
    assert (transfer.source_transaction, transfer.transfer_group) == ("ch_deposit", "booking:9")


def test_c2_two_clicks_at_once_on_one_release_make_one_transfer(stripe_stub):
    barrier = threading.Barrier(2)
    made: list[str] = []

    def click():
        barrier.wait(timeout=10)
        made.append(
            gateway.transfer_create(
                amount=45_000,
                currency="EUR",
                destination="acct_provider",
                source_transaction="ch_deposit",
                transfer_group="booking:9",
                idempotency_key="transfer:13",
            ).id
        )

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(made) == 2
    assert len(set(made)) == 1
    assert len(stripe_stub.objects["transfers"]) == 1


def test_the_same_key_with_other_details_is_refused_not_retried(stripe_stub):
    gateway.refund_create(payment_intent_id="pi_1", amount=100, idempotency_key="refund:50")

    with pytest.raises(gateway.DomainError) as refused:
        gateway.refund_create(payment_intent_id="pi_1", amount=200, idempotency_key="refund:50")

    assert refused.value.code == "idempotency_conflict"
    assert len(stripe_stub.objects["refunds"]) == 1
    assert len(stripe_stub.creates("refunds")) == 2
