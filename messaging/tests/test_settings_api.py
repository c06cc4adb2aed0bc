"""A provider's messaging settings through the API: the same rules as the settings page."""

from __future__ import annotations

import pytest

from messaging.models import ProviderMessaging

pytestmark = pytest.mark.django_db


def _body(offering, **changes):
    body = {
        "offerings": [offering.pk],
        "quote_requests": True,
        "timezone": "Asia/Bangkok",
        "weekdays": [0, 2, 4],
        "opens_at": "08:30",
        "closes_at": "17:00",
    }
    return {**body, **changes}


def test_an_administrator_reads_the_defaults_then_saves_the_settings(api_as, clinic, clinic_admin, offering):
    api = api_as(clinic_admin)
    url = f"/api/v1/messages/providers/{clinic.pk}/settings/"

    assert api.get(url).json()["weekdays"] == [0, 1, 2, 3, 4]
    saved = api.put(url, _body(offering), format="json")
    assert saved.status_code == 200
    assert saved.json()["timezone"] == "Asia/Bangkok"
    stored = ProviderMessaging.objects.get(provider=clinic)
    assert (stored.offering_ids, stored.weekdays, stored.quote_requests) == ([offering.pk], [0, 2, 4], True)
    assert api.get(url).json()["opens_at"] == "08:30:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"closes_at": "08:00"}, "closes_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weekdays": []}, "weekdays"),
        ({"offerings": [999999]}, "offerings"),
    ],
)
def test_bad_settings_are_refused_naming_the_field_and_nothing_is_saved(
    api_as, clinic, clinic_admin, offering, changes, field
):
    refused = api_as(clinic_admin).put(
        f"/api/v1/messages/providers/{clinic.pk}/settings/", _body(offering, **changes), format="json"
    )

    assert refused.status_code == 400
    assert field in refused.json()["details"]
    assert not ProviderMessaging.objects.filter(provider=clinic).exists()


def test_another_provider_s_member_or_a_patient_gets_404(api_as, clinic, offering, rival_member, patient):
    url = f"/api/v1/messages/providers/{clinic.pk}/settings/"

    for user in (rival_member, patient):
        assert api_as(user).get(url).status_code == 404
        assert api_as(user).put(url, _body(offering), format="json").status_code == 404
    assert not ProviderMessaging.objects.filter(provider=clinic).exists()
