from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core import hooks
        from notifications.cases import case_items
        from notifications.invitations import provider_invitation_sent

        hooks.provider_invitation_sent.register(provider_invitation_sent)
        hooks.case_items.register(case_items)

        from core.personal_data import declare
        from notifications.personal_data import DECLARATION

        declare(DECLARATION)
