"""Whoever must use a second factor cannot switch it off; support replaces a lost device."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create
from accounts.tests.factories import PASSWORD, enroll_mfa, sign_in
from core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _deactivate(client) -> None:
    """allauth asks for the password again before a second factor is switched off: give it."""
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.post(reverse("mfa_deactivate_totp"))


def test_a_careteam_member_cannot_deactivate_the_required_totp(client, careteam):
    sign_in(client, careteam)

    _deactivate(client)

    assert is_mfa_enabled(careteam)


def test_a_patient_may_switch_an_optional_totp_off(client, patient):
    enroll_mfa(patient)
    sign_in(client, patient)

    _deactivate(client)

    assert not Authenticator.objects.filter(user=patient, type=Authenticator.Type.TOTP).exists()


def test_support_resets_a_lost_device_audited_and_revoking_tokens(careteam):
    api_token_create(user=careteam, device="Lost phone", now=timezone.now())

    call_command("mfa_reset", careteam.email, reason="Video call, passport checked")

    assert not is_mfa_enabled(careteam)
    assert not ApiToken.objects.filter(user=careteam).exists()
    event = AuditEvent.objects.get(action="accounts.mfa.reset")
    assert event.after == {"reason": "Video call, passport checked"}


def test_a_reset_signs_the_person_out_everywhere_and_no_one_else(client, careteam, patient):
    from django.test import Client

    lost_phone, someone_else = client, Client()
    sign_in(lost_phone, careteam)
    sign_in(someone_else, patient)
    profile = reverse("accounts_profile")
    assert lost_phone.get(profile).status_code == 200

    call_command("mfa_reset", careteam.email, reason="Video call, passport checked")

    assert lost_phone.get(profile).status_code == 302  # back to the sign-in page
    assert someone_else.get(profile).status_code == 200
    assert AuditEvent.objects.get(action="accounts.mfa.reset").before["sessions"] == 1


def test_a_reset_without_a_reason_or_for_nobody_is_refused(careteam):
    with pytest.raises(CommandError, match="identity"):
        call_command("mfa_reset", careteam.email, reason="  ")
    with pytest.raises(CommandError, match="No account"):
        call_command("mfa_reset", "nobody@example.test", reason="checked")
    assert is_mfa_enabled(careteam)
