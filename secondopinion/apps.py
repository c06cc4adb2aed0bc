from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecondOpinionConfig(AppConfig):
    name = "secondopinion"
    label = "secondopinion"
    verbose_name = _("Second opinion")

    def ready(self) -> None:
        from concierge.services.orders import AFTER_PAID, CANCEL_RULES, REFUND_RULES
        from core.hooks import case_items, document_read_rights, order_sections
        from secondopinion.access import document_read_right
        from secondopinion.cases import case_items as opinion_case_items
        from secondopinion.orders import opinion_order_cancel_check, opinion_order_refund_check, opinion_order_section
        from secondopinion.services.requests import case_record_paid

        # The coordinator of a case and its specialist (once accepted) read the case's documents.
        document_read_rights.register(document_read_right)
        # The medical coordinators' queue on the case board.
        case_items.register(opinion_case_items)
        # A paid second-opinion order submits its case (or, a supplement, asks the chosen specialist).
        AFTER_PAID["second_opinion"] = case_record_paid
        # Its paid orders are withdrawn or refunded from the case, and their page links back to it.
        CANCEL_RULES["second_opinion"] = opinion_order_cancel_check
        REFUND_RULES["second_opinion"] = opinion_order_refund_check
        order_sections.register(opinion_order_section)
        from core.personal_data import declare
        from secondopinion.personal_data import DECLARATION

        # What secondopinion holds about a person: export, erasure and what must end first (privacy).
        declare(DECLARATION)
