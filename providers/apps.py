from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    name = "providers"
    verbose_name = _("Providers")

    def ready(self) -> None:
        from core import hooks
        from providers.cases import case_items
        from providers.selectors import member_privileged_roles

        hooks.privileged_roles.register(member_privileged_roles)
        hooks.case_items.register(case_items)

        from core.personal_data import declare
        from providers.personal_data import DECLARATION

        declare(DECLARATION)
