"""Consents of the accounts made before consents were recorded (docs/decisions.md, "Consents").

Every account that accepted a version of the terms gets a terms consent per version accepted, and
one health-data consent at its first acceptance: the terms then in force covered the processing of
health data to arrange care, which the service cannot work without. No marketing consent is given
for anyone: it was never asked.
"""

from django.db import migrations

HEALTH_DATA_VERSION = "2026-12"


def forwards(apps, schema_editor):
    TermsAcceptance = apps.get_model("accounts", "TermsAcceptance")
    Consent = apps.get_model("accounts", "Consent")
    first: dict[int, object] = {}
    rows = []
    acceptances = TermsAcceptance.objects.select_related("terms_version").order_by("user_id", "accepted_at", "id")
    for acceptance in acceptances.iterator():
        if not Consent.objects.filter(
            user_id=acceptance.user_id, purpose="terms", version=acceptance.terms_version.version
        ).exists():
            rows.append(
                Consent(
                    user_id=acceptance.user_id,
                    purpose="terms",
                    version=acceptance.terms_version.version,
                    given_at=acceptance.accepted_at,
                )
            )
        first.setdefault(acceptance.user_id, acceptance.accepted_at)
    for user_id, accepted_at in first.items():
        if not Consent.objects.filter(user_id=user_id, purpose="health_data").exists():
            rows.append(
                Consent(user_id=user_id, purpose="health_data", version=HEALTH_DATA_VERSION, given_at=accepted_at)
            )
    Consent.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_consents"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
