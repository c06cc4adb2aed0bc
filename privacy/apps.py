from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    label = "privacy"
    verbose_name = _("Privacy and data rights")

    def ready(self) -> None:
        from core.hooks import case_items
        from privacy.cases import case_items as privacy_case_items

        # Data-rights requests and their legal deadline on the careteam's board.
        case_items.register(privacy_case_items)

        from core.personal_data import declare
        from privacy.personal_data import DECLARATION

        # The person's own requests: in their export; their texts redacted on erasure.
        declare(DECLARATION)
