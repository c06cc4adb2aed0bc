from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import timezone, translation

from accounts.models import User
from accounts.selectors import user_language
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

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's e-mails (address confirmation, password reset, security notices) go out in the
        # language of the account that owns the address, not the one of whoever asked for them; an
        # address no account holds gets the page's language (docs/decisions.md, "Languages").
        owner = User.objects.filter(email__iexact=email).select_related("patient_profile").first()
        language = user_language(user=owner) if owner is not None else ""
        with translation.override(language or translation.get_language()):
            super().send_mail(template_prefix, email, context)
