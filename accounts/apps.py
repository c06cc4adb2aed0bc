from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import signals
        from accounts.middleware import mark_signed_in
        from accounts.personal_data import DECLARATION
        from core.personal_data import declare

        declare(DECLARATION)

        signals.connect()
        user_logged_in.connect(mark_signed_in, dispatch_uid="accounts_mark_signed_in")
