"""Finance's pages: only finance sees them; the trust register (F4), the release queue end to end
(approve, waive, reject, wire) with the ledger checked, each booking's ledger and the CSV exports;
the provider's "Ask for the deposit"; two approvals at once on PostgreSQL (C2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from bookings.tests.support import FOUR_WEEKS_ON, NOW, paris
from core.errors import Conflict
from payments import ledger
from payments.ledger import ledger_check
from payments.models import LedgerAccount, LedgerTransaction, Release, ReleaseStatus
from payments.services.releases import release_approve, release_request
from payments.tests.support import paid_booking
from providers.tests.factories import MemberFactory, ProviderFactory

pytestmark = pytest.mark.django_db

AFTER_FIRST_APPOINTMENT = paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _finance_urls(booking_id: int, release_id: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("finance:trust_register")),
        ("get", reverse("finance:trust_register_csv")),
        ("get", reverse("finance:releases")),
        ("get", reverse("finance:booking_ledger", args=[booking_id])),
        ("get", reverse("finance:booking_ledger_csv", args=[booking_id])),
        ("get", reverse("finance:entries_csv") + "?start=2030-01-01&end=2030-12-31"),
        ("get", reverse("finance:reconciliation")),
        ("post", reverse("finance:release_approve", args=[release_id])),
        ("post", reverse("finance:release_reject", args=[release_id])),
        ("post", reverse("finance:release_wire", args=[release_id])),
        ("post", reverse("finance:reconciliation_run")),
    ]


# --- access ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["patient", "clinic_admin", "careteam"])
def test_only_finance_gets_into_the_finance_pages(
    client, stripe_emulator, request, patient, clinic, clinic_admin, persona
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    client.force_login(request.getfixturevalue(persona))

    for method, url in _finance_urls(booking.pk, release.pk):
        response = getattr(client, method)(url, {"reason": "no", "reference": "W-1", "day": "2030-01-07"})
        assert response.status_code == 403, url
        assert b"500.00" not in response.content
        assert b"500,00" not in response.content

    release.refresh_from_db()
    assert release.status == ReleaseStatus.REQUESTED
    assert ledger.held(booking=booking, currency="EUR") == 50_000


def test_a_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("finance:trust_register"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_menu_shows_finance_to_finance_members_only(client, finance, patient):
    client.force_login(finance)
    assert reverse("finance:trust_register").encode() in client.get(reverse("home")).content
    client.force_login(patient)
    assert reverse("finance:trust_register").encode() not in client.get(reverse("home")).content


# --- the trust register (F4) ------------------------------------------------------------------------


def test_the_trust_register_ages_deposits_and_its_totals_equal_the_ledger_and_the_export(
    client, stripe_emulator, patient, other_patient, clinic, finance
):
    recent = paid_booking(stripe_emulator, patient, clinic)  # paid on NOW
    old = paid_booking(
        stripe_emulator, other_patient, ProviderFactory(name="Hospital Sur"), now=NOW - dt.timedelta(days=70)
    )
    with time_machine.travel(NOW + dt.timedelta(days=40), tick=False):
        client.force_login(finance)  # sessions expire: signed in at the page's time
        page = client.get(reverse("finance:trust_register"))
        export = client.get(reverse("finance:trust_register_csv"))

    assert page.status_code == 200
    register = page.context["register"]
    by_booking = {line.booking.pk: line for line in register.lines}
    assert (by_booking[recent.pk].age_days, by_booking[recent.pk].bucket) == (40, "31-90")
    assert (by_booking[old.pk].age_days, by_booking[old.pk].bucket) == (110, "90+")
    lake = next(group for group in register.providers if group.provider.pk == clinic.pk)
    assert (lake.held, lake.buckets) == (50_000, {"0-30": 0, "31-90": 50_000, "90+": 0})

    in_trust = -sum(LedgerAccount.objects.filter(is_trust=True, currency="EUR").values_list("balance", flat=True))
    rows = _csv(export)
    assert rows[0] == [
        *("booking", "provider_id", "provider", "currency", "held", "paid_at", "age_days", "age_bucket"),
        "booking_status",
    ]
    lines = [row for row in rows[1:] if row[0] != "total"]
    total = next(row for row in rows if row[0] == "total")
    assert sum(Decimal(row[4]) for row in lines) == Decimal(total[4]) == Decimal(in_trust) / 100 == Decimal("1000.00")
    assert total[3:5] == ["EUR", "1000.00"]
    assert register.totals == {"EUR": in_trust}
    assert "1,000.00" in page.content.decode() or "1 000,00" in page.content.decode()


# --- releases from the pages --------------------------------------------------------------------------


def _ask(client, member, booking):
    with time_machine.travel(AFTER_FIRST_APPOINTMENT, tick=False):
        client.force_login(member)
        return client.post(reverse("finance:release_request", args=[booking.pk]), follow=True)


def test_a_release_asked_by_the_provider_approved_without_commission_and_paid_by_wire(
    client, stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    asked = _ask(client, clinic_admin, booking)
    assert "The deposit is asked for" in asked.content.decode()
    release = Release.objects.get(booking=booking)

    client.force_login(finance)
    queue = client.get(reverse("finance:releases"))
    assert [r.pk for r in queue.context["requested"]] == [release.pk]
    assert "bank wire" in queue.content.decode()

    client.post(reverse("finance:release_approve", args=[release.pk]), {"waive_commission": "on"})
    release.refresh_from_db()
    assert (release.status, release.commission, release.commission_waived) == (ReleaseStatus.AWAITING_WIRE, 0, True)
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger.provider_payable(provider=clinic, currency="EUR").balance == -50_000
    assert ledger.income("commission", "EUR").balance == 0
    assert [r.pk for r in client.get(reverse("finance:releases")).context["awaiting_wire"]] == [release.pk]

    refused = client.post(reverse("finance:release_wire", args=[release.pk]), {"reference": " "}, follow=True)
    assert "reference of the wire" in refused.content.decode()
    client.post(reverse("finance:release_wire", args=[release.pk]), {"reference": "WIRE-2030-0042"})

    release.refresh_from_db()
    assert (release.status, release.wire_reference) == (ReleaseStatus.PAID, "WIRE-2030-0042")
    assert ledger.provider_payable(provider=clinic, currency="EUR").balance == 0
    assert ledger.bank_account("EUR").balance == -50_000
    assert LedgerTransaction.objects.filter(kind="bank_wire", external_id="WIRE-2030-0042").count() == 1
    assert ledger_check() == []


def test_approving_keeps_the_commission_and_a_second_approval_is_refused(
    client, stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    _ask(client, clinic_admin, booking)
    release = Release.objects.get(booking=booking)
    client.force_login(finance)

    client.post(reverse("finance:release_approve", args=[release.pk]))
    again = client.post(reverse("finance:release_approve", args=[release.pk]), follow=True)

    assert "This release is already approved, to pay by bank wire." in again.content.decode()
    release.refresh_from_db()
    assert (release.commission, release.payout) == (5_000, 45_000)
    assert ledger.income("commission", "EUR").balance == -5_000
    assert LedgerTransaction.objects.filter(kind="release", booking=booking).count() == 1


def test_rejecting_needs_a_reason_and_leaves_the_deposit_in_trust(
    client, stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    _ask(client, clinic_admin, booking)
    release = Release.objects.get(booking=booking)
    client.force_login(finance)

    no_reason = client.post(reverse("finance:release_reject", args=[release.pk]), {"reason": ""}, follow=True)
    assert "Say why, for the provider." in no_reason.content.decode()
    release.refresh_from_db()
    assert release.status == ReleaseStatus.REQUESTED

    client.post(reverse("finance:release_reject", args=[release.pk]), {"reason": "The patient never came."})
    release.refresh_from_db()
    assert (release.status, release.reject_reason) == (ReleaseStatus.REJECTED, "The patient never came.")
    assert ledger.held(booking=booking, currency="EUR") == 50_000
    assert not LedgerTransaction.objects.filter(kind="release").exists()


# --- the provider's button ---------------------------------------------------------------------------


def test_the_provider_sees_ask_for_the_deposit_once_the_first_appointment_began(
    client, stripe_emulator, patient, clinic, clinic_admin
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    calendar = reverse("bookings:provider_calendar", args=[clinic.pk])
    detail = reverse("bookings:detail", args=[booking.pk])
    button = "Ask for the deposit"

    with time_machine.travel(paris(8, day=FOUR_WEEKS_ON), tick=False):
        client.force_login(clinic_admin)
        assert button not in client.get(calendar).content.decode()
        assert button not in client.get(detail).content.decode()
        early = client.post(reverse("finance:release_request", args=[booking.pk]), follow=True)
        assert "once the first appointment has begun" in early.content.decode()

    with time_machine.travel(AFTER_FIRST_APPOINTMENT, tick=False):
        client.force_login(clinic_admin)
        assert button in client.get(calendar).content.decode()
        assert button in client.get(detail).content.decode()
        response = client.post(reverse("finance:release_request", args=[booking.pk]), {"next": calendar})
        assert response["Location"] == calendar
        assert button not in client.get(calendar).content.decode()
        twice = client.post(reverse("finance:release_request", args=[booking.pk]), follow=True)
        assert "already asked for" in twice.content.decode()
    assert Release.objects.filter(booking=booking).count() == 1


def test_someone_outside_the_provider_cannot_ask_for_its_deposit(client, stripe_emulator, patient, clinic):
    booking = paid_booking(stripe_emulator, patient, clinic)
    with time_machine.travel(AFTER_FIRST_APPOINTMENT, tick=False):
        client.force_login(MemberFactory(provider=ProviderFactory()).user)
        assert client.post(reverse("finance:release_request", args=[booking.pk])).status_code == 404
    with time_machine.travel(AFTER_FIRST_APPOINTMENT, tick=False):
        client.force_login(patient)
        assert client.post(reverse("finance:release_request", args=[booking.pk])).status_code == 404
    assert not Release.objects.exists()


# --- a booking's ledger and the exports ----------------------------------------------------------------


def test_a_bookings_ledger_and_its_csv_show_every_entry_in_major_units(
    client, stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    release_approve(release=release, actor=finance, now=AFTER_FIRST_APPOINTMENT)
    client.force_login(finance)

    page = client.get(reverse("finance:booking_ledger", args=[booking.pk]))
    assert page.status_code == 200
    assert [t.kind for t in page.context["transactions"]] == ["deposit_paid", "release"]
    assert f"L:trust:deposit:{booking.pk}" in page.content.decode()

    rows = _csv(client.get(reverse("finance:booking_ledger_csv", args=[booking.pk])))
    header, body = rows[0], rows[1:]
    assert header == [
        "transaction",
        "posted_at",
        "kind",
        "booking",
        "external_source",
        "external_id",
        "account",
        "currency",
        "debit",
        "credit",
        "amount",
    ]
    by_account = {(row[2], row[6]): row for row in body}
    assert by_account[("deposit_paid", f"L:trust:deposit:{booking.pk}")][7:] == ["EUR", "", "500.00", "-500.00"]
    assert by_account[("deposit_paid", "A:stripe")][7:] == ["EUR", "500.00", "", "500.00"]
    assert by_account[("release", f"L:payable:provider:{clinic.pk}")][7:] == ["EUR", "", "450.00", "-450.00"]
    assert by_account[("release", "I:commission")][7:] == ["EUR", "", "50.00", "-50.00"]
    assert sum(Decimal(row[10]) for row in body) == 0
    assert all(row[1].startswith("2030-") for row in body)


def test_the_entries_of_a_period_are_exported_and_a_bad_range_is_explained(
    client, stripe_emulator, patient, clinic, clinic_admin, finance
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    release_approve(release=release, actor=finance, now=AFTER_FIRST_APPOINTMENT)
    client.force_login(finance)
    url = reverse("finance:entries_csv")

    january = _csv(client.get(url, {"start": "2030-01-01", "end": "2030-01-31"}))
    assert {row[2] for row in january[1:]} == {"deposit_paid"}  # the release was posted in February
    whole = _csv(client.get(url, {"start": "2030-01-01", "end": "2030-02-28"}))
    assert {row[2] for row in whole[1:]} == {"deposit_paid", "release"}
    assert len(whole) - 1 == 5

    backwards = client.get(url, {"start": "2030-02-01", "end": "2030-01-01"}, follow=True)
    assert "The end comes before the start." in backwards.content.decode()


# --- C2: two approvals at once (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_of_one_release_at_once_post_one_release_and_refuse_the_other(
    stripe_emulator, patient, clinic, clinic_admin, finance
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    booking = paid_booking(stripe_emulator, patient, clinic)
    release = release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def approve():
        try:
            barrier.wait(timeout=30)
            release_approve(release=Release(pk=release.pk), actor=finance, now=AFTER_FIRST_APPOINTMENT)
            results.append("ok")
        except Conflict as error:
            results.append(f"conflict:{error.code}")
        except Exception as error:  # any other outcome is a failure the assertion shows
            results.append(f"error:{error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(results) == ["conflict:release_decided", "ok"]
    assert LedgerTransaction.objects.filter(kind="release", booking=booking).count() == 1
    assert ledger.held(booking=booking, currency="EUR") == 0
    assert ledger.provider_payable(provider=clinic, currency="EUR").balance == -45_000
    assert ledger_check() == []


def test_a_provider_name_is_never_a_formula_in_the_export(client, stripe_emulator, patient, finance):
    paid_booking(stripe_emulator, patient, ProviderFactory(name='=HYPERLINK("http://x")'))
    client.force_login(finance)
    rows = _csv(client.get(reverse("finance:trust_register_csv")))
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
