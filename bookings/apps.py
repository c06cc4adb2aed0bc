from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Bookings")

    def ready(self) -> None:
        from bookings.cases import case_items
        from bookings.dashboard import dashboard_counts
        from bookings.personal_data import DECLARATION
        from bookings.selectors import busy_intervals
        from bookings.services.aftercare import discharge_document_read_right
        from core import hooks
        from core.personal_data import declare

        # Which appointments take a provider's time is bookings' rule; free slots (providers) ask.
        hooks.busy_intervals.register(busy_intervals)
        hooks.case_items.register(case_items)
        hooks.provider_dashboard_counts.register(dashboard_counts)
        # The provider's members read the discharge pack documents they uploaded for the patient.
        hooks.document_read_rights.register(discharge_document_read_right)
        # What bookings hold about a person: export, erasure and what must end first (privacy).
        declare(DECLARATION)
