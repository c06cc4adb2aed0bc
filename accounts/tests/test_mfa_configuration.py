"""MFA_ENCRYPTION_KEYS: required in production, the public development key refused there."""

from __future__ import annotations

from tests.support import manage, production_environment

PRODUCTION = production_environment(MFA_ENCRYPTION_KEYS="")


def test_production_refuses_to_start_without_mfa_keys():
    result = manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "Production mode needs MFA_ENCRYPTION_KEYS to be set" in result.stderr


def test_production_refuses_the_public_development_mfa_key():
    from django.conf import settings

    development_key = settings.MFA_ENCRYPTION_KEYS[0]  # the tests run outside production
    result = manage("check", **{**PRODUCTION, "MFA_ENCRYPTION_KEYS": development_key})

    assert result.returncode != 0
    assert "MFA_ENCRYPTION_KEYS holds the public development key" in result.stderr
