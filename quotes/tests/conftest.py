"""The local Stripe emulator of payments' tests: a tender runs for a paid careteam-assistance order."""

from payments.tests.conftest import stripe_emulator, stripe_emulator_base

__all__ = ["stripe_emulator", "stripe_emulator_base"]
