from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import timezone

from accounts.services import patient_register_check
from core.http import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Consent needs something to consent to: no published terms, no sign-up.
        return patient_register_check(now=timezone.now()).allowed

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's rate limits (sign-in, sign-up, password reset, failed sign-ins) key on the same
        # address as the API's throttles: one reading of X-Forwarded-For (TRUSTED_PROXY_COUNT).
        return client_ip(request)
