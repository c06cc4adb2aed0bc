from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareteamConfig(AppConfig):
    name = "careteam"
    label = "careteam"
    verbose_name = _("Careteam")
