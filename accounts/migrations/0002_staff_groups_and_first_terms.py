"""Staff groups and the first published version of the terms of use."""

from datetime import UTC, datetime

from django.db import migrations

GROUPS = ["careteam", "finance", "medical_coordinator"]
FIRST_TERMS = "2026-11"


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    TermsVersion = apps.get_model("accounts", "TermsVersion")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
    TermsVersion.objects.get_or_create(
        version=FIRST_TERMS,
        defaults={"published_at": datetime(2026, 11, 1, tzinfo=UTC), "summary": "First version."},
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
