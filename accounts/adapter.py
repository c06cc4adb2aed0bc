from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone

from accounts.services import patient_register_check


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Consent needs something to consent to: no published terms, no sign-up.
        return patient_register_check(now=timezone.now()).allowed
