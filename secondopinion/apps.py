from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecondOpinionConfig(AppConfig):
    name = "secondopinion"
    label = "secondopinion"
    verbose_name = _("Second opinion")

    def ready(self) -> None:
        from core.hooks import document_read_rights
        from secondopinion.access import document_read_right

        # The coordinator of a case and its specialist (once accepted) read the case's documents.
        document_read_rights.register(document_read_right)
