"""The local Stripe emulator of payments' tests: add-on orders are paid by card through it too."""

from payments.tests.conftest import stripe_emulator, stripe_emulator_base

__all__ = ["stripe_emulator", "stripe_emulator_base"]
