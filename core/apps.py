from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The kernel. Its label stays `marketplace`, the project's first app, so that its tables
    (`marketplace_auditevent`, `marketplace_exchangerate`, ...) and migration history are kept."""

    name = "core"
    label = "marketplace"
    verbose_name = "MediBroker"

    def ready(self) -> None:
        # Input limits: DRF's BooleanField takes only true/false, project-wide (core.serializers).
        from rest_framework import serializers

        from core.personal_data import declare
        from core.personal_data_declaration import DECLARATION
        from core.serializers import strict_boolean

        declare(DECLARATION)  # what the kernel holds about a person (privacy)

        serializers.BooleanField.to_internal_value = strict_boolean  # type: ignore[method-assign,assignment]
