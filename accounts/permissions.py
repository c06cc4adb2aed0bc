"""API side of "MFA required" (docs/decisions.md "Sign-in and MFA").

MFARequiredMiddleware sees only session sign-ins: a request authenticated by an API token is still
anonymous when the middleware runs. This permission, added to DRF's defaults in config/settings.py,
answers such a request from a privileged user without a second factor with the same 403
`mfa_setup_required`. (Views that set their own `permission_classes`, AllowAny ones, skip it; they
serve anonymous callers anyway.)
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission


class SecondFactorSetUp(BasePermission):
    def has_permission(self, request, view) -> bool:
        # Imported here: DRF imports this class while the app registry and core.errors still load.
        from allauth.mfa.utils import is_mfa_enabled

        from accounts.selectors import user_requires_mfa
        from core.errors import Forbidden

        user = request.user
        if user is not None and user.is_authenticated and user_requires_mfa(user=user) and not is_mfa_enabled(user):
            raise Forbidden(
                _(
                    "Your account can read patients' medical files or handle payments: set up two-factor "
                    "authentication to continue."
                ),
                code="mfa_setup_required",
            )
        return True
