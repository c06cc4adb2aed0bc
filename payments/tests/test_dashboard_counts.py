"""The deposits a provider can ask for, counted on its dashboard (payments' answer to
`core.hooks.provider_dashboard_counts`): what `release_request_check` allows, no more."""

from __future__ import annotations

import datetime as dt

import pytest

from bookings.tests.support import FOUR_WEEKS_ON, NOW, paris
from payments.dashboard import dashboard_counts
from payments.services.releases import release_request
from payments.tests.support import paid_booking

pytestmark = pytest.mark.django_db

AFTER_FIRST_APPOINTMENT = paris(10, day=FOUR_WEEKS_ON) + dt.timedelta(hours=1)


def asked(provider, member, now) -> int:
    (item,) = dashboard_counts(provider_id=provider.pk, viewer_id=member.pk, now=now)
    return item["count"]


def test_a_paid_deposit_counts_once_its_appointment_began_until_it_is_asked_for(
    stripe_emulator, patient, clinic, clinic_admin
):
    booking = paid_booking(stripe_emulator, patient, clinic)
    assert asked(clinic, clinic_admin, NOW) == 0  # the appointment is four weeks on
    assert asked(clinic, clinic_admin, AFTER_FIRST_APPOINTMENT) == 1
    release_request(booking=booking, actor=clinic_admin, now=AFTER_FIRST_APPOINTMENT)
    assert asked(clinic, clinic_admin, AFTER_FIRST_APPOINTMENT) == 0


def test_another_providers_deposit_is_not_counted(stripe_emulator, patient, clinic, clinic_admin, rival):
    paid_booking(stripe_emulator, patient, rival)
    assert asked(clinic, clinic_admin, AFTER_FIRST_APPOINTMENT) == 0
