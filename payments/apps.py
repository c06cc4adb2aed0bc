from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments and ledger")

    def ready(self) -> None:
        from core import hooks
        from payments.dashboard import dashboard_counts

        # The provider's dashboard (providers, a lower floor) shows the deposits it can ask for.
        hooks.provider_dashboard_counts.register(dashboard_counts)
        from core.personal_data import declare
        from payments.personal_data import DECLARATION

        # What payments holds about a person: export, erasure and what must end first (privacy).
        declare(DECLARATION)
