from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    label = "messaging"
    verbose_name = _("Secure messaging")

    def ready(self) -> None:
        from core.hooks import (
            booking_sections,
            case_items,
            document_read_rights,
            order_sections,
            provider_dashboard_counts,
            subject_sections,
        )
        from core.personal_data import declare
        from messaging.access import document_read_right
        from messaging.cases import case_items as messaging_case_items
        from messaging.personal_data import DECLARATION
        from messaging.sections import booking_thread_section, order_thread_section, subject_thread_section

        # A thread's participants read its attachments.
        document_read_rights.register(document_read_right)
        # Patients' messages unanswered for 48 hours.
        case_items.register(messaging_case_items)
        # The way to the thread from the patient's booking page, the order pages, quote request and case pages.
        booking_sections.register(booking_thread_section)
        order_sections.register(order_thread_section)
        subject_sections.register(subject_thread_section)
        # The provider's dashboard: its conversations with unread messages.
        from messaging.dashboard import dashboard_counts

        provider_dashboard_counts.register(dashboard_counts)
        # What messaging holds about a person: export and erasure (privacy).
        declare(DECLARATION)
