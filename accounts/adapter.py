from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import timezone

from accounts.selectors import terms_current


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Consent needs something to consent to: no published terms, no sign-up.
        return terms_current(now=timezone.now()) is not None
