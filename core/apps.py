from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel. Its label stays `marketplace`, the project's first app, so that its tables
    (`marketplace_auditevent`, `marketplace_exchangerate`, ...) and migration history are kept."""

    name = "core"
    label = "marketplace"
    verbose_name = "MediBroker"
