"""The demo seed never runs in production: it would create a superuser with a public password."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
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
