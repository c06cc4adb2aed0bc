from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    label = "disputes"
    verbose_name = _("Disputes")

    def ready(self) -> None:
        from core.hooks import card_dispute_changed, case_items, document_read_rights, release_holds
        from core.personal_data import declare
        from disputes import access, cases, services
        from disputes.personal_data import DECLARATION

        # While a dispute is open on a booking, payments does not release its deposit.
        release_holds.register(services.release_holds_of)
        # Payments' card disputes of a deposit show as chargebacks beside the disputes people open.
        card_dispute_changed.register(services.chargeback_changed)
        # The dispute's parties, the careteam and finance read the documents given as evidence.
        document_read_rights.register(access.document_read_right)
        # The careteam's board: disputes awaiting an answer, a decision or finance, with their deadlines.
        case_items.register(cases.case_items)
        # What disputes holds about a person (privacy).
        declare(DECLARATION)
