"""The cancellation policies the platform allows; providers choose one for each offering.

platform_default is the schedule of the operator's terms of use (docs/decisions.md#cancellation-rules):
free 15 days or more before the first appointment, half the deposit 8 to 14 days before, all of it
7 days or less before or on no-show, and no refund 15 days or more after payment.
"""

from datetime import UTC, datetime

from django.db import migrations

POLICIES = [
    (
        "platform_default",
        "Platform default (free until 15 days before)",
        [{"days": 15, "fee_bps": 0}, {"days": 8, "fee_bps": 5000}, {"days": 0, "fee_bps": 10000}],
        10000,
        15,
    ),
    (
        "flexible",
        "Flexible (free until 8 days before)",
        [{"days": 8, "fee_bps": 0}, {"days": 3, "fee_bps": 5000}, {"days": 0, "fee_bps": 10000}],
        10000,
        15,
    ),
    (
        "strict",
        "Strict (free until 30 days before)",
        [{"days": 30, "fee_bps": 0}, {"days": 15, "fee_bps": 5000}, {"days": 0, "fee_bps": 10000}],
        10000,
        15,
    ),
]


def forwards(apps, schema_editor):
    CancellationPolicy = apps.get_model("bookings", "CancellationPolicy")
    for code, name, tiers, no_show, window in POLICIES:
        CancellationPolicy.objects.get_or_create(
            code=code,
            version=1,
            defaults={
                "name": name,
                "tiers": tiers,
                "no_show_fee_bps": no_show,
                "refund_window_days": window,
                "published_at": datetime(2026, 11, 1, tzinfo=UTC),
            },
        )


def backwards(apps, schema_editor):
    apps.get_model("bookings", "CancellationPolicy").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
