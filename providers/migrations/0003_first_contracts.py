"""The first membership contract and code of ethics that providers accept when they join."""

from datetime import UTC, datetime

from django.db import migrations

CONTRACTS = [
    ("membership", "2026-11", "First version."),
    ("ethics", "2026-11", "First version."),
]


def forwards(apps, schema_editor):
    ContractVersion = apps.get_model("providers", "ContractVersion")
    for kind, version, summary in CONTRACTS:
        ContractVersion.objects.get_or_create(
            kind=kind,
            version=version,
            defaults={"published_at": datetime(2026, 11, 1, tzinfo=UTC), "summary": summary},
        )


def backwards(apps, schema_editor):
    ContractVersion = apps.get_model("providers", "ContractVersion")
    for kind, version, _summary in CONTRACTS:
        ContractVersion.objects.filter(kind=kind, version=version, acceptances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0002_catalogue")]

    operations = [migrations.RunPython(forwards, backwards)]
