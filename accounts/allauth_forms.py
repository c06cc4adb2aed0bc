"""allauth's forms where ours differ (ACCOUNT_FORMS). Apart from accounts/forms.py, which allauth
itself imports (ACCOUNT_SIGNUP_FORM_CLASS) while these import allauth's forms."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm
from allauth.core import context, ratelimit
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class RateLimitedResetPasswordForm(ResetPasswordForm):
    """allauth counts a reset request against ACCOUNT_RATE_LIMITS["reset_password"] only once the
    form is valid: requests for unknown addresses went uncounted, an unlimited probe of which
    addresses have an account. They are counted here (per client address and per address asked)."""

    def clean_email(self) -> str:
        try:
            return super().clean_email()
        except ValidationError:
            request = context.request
            email = str(self.cleaned_data.get("email", "")).strip().lower()
            if request is not None and not ratelimit.consume(request, action="reset_password", key=email):
                raise ValidationError(
                    _("Too many password reset requests. Try again in a few minutes."), code="rate_limited"
                ) from None
            raise
