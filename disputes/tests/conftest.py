from __future__ import annotations

from payments.tests.conftest import stripe_emulator, stripe_emulator_base

__all__ = ["stripe_emulator", "stripe_emulator_base"]
