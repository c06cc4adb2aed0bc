"""Notification preferences through the API: the same choices as the preferences page."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/preferences/"


def test_both_channels_are_on_until_changed_and_a_change_is_kept(api_as, anonymous, patient):
    api = api_as(patient)

    assert anonymous.get(URL).status_code in {401, 403}
    assert api.get(URL).json() == {"email": True, "sms": True, "sms_stopped": False}
    changed = api.put(URL, {"email": False, "sms": True}, format="json")
    assert changed.status_code == 200
    assert changed.json()["email"] is False
    stored = NotificationPreference.objects.get(user=patient)
    assert (stored.email, stored.sms) == (False, True)


def test_both_channels_must_be_given_and_nothing_is_half_written(api_as, patient):
    refused = api_as(patient).put(URL, {"email": False}, format="json")

    assert refused.status_code == 400
    assert "sms" in refused.json()["details"]
    assert not NotificationPreference.objects.filter(user=patient).exists()


def test_turning_sms_on_again_lifts_a_stop(api_as, patient):
    NotificationPreference.objects.create(
        user=patient,
        email=True,
        sms=False,
        sms_opted_out_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
        updated_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
    )
    api = api_as(patient)
    assert api.get(URL).json()["sms_stopped"] is True

    assert api.put(URL, {"email": True, "sms": True}, format="json").json() == {
        "email": True,
        "sms": True,
        "sms_stopped": False,
    }
