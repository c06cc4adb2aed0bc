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
