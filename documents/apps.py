from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Medical documents")

    def ready(self) -> None:
        from core.personal_data import declare
        from documents import checks  # noqa: F401 -- registers the key check
        from documents.personal_data import DECLARATION

        declare(DECLARATION)
