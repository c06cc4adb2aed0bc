from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareteamConfig(AppConfig):
    name = "careteam"
    label = "careteam"
    verbose_name = _("Careteam")

    def ready(self) -> None:
        from careteam.personal_data import DECLARATION
        from core.personal_data import declare

        # The careteam's notes on a person's cases: export and redaction (privacy).
        declare(DECLARATION)
