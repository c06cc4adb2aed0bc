"""The quote models move from the kernel (label `marketplace`) to this app, their tables unchanged.

State only: the tables (`marketplace_quoterequest`, `marketplace_quote`, ..., with the
`marketplace_quoterequest_documents` and `_grants` join tables), their constraints and indexes keep
their names; the kernel's migration 0007 takes the models out of its own state. The content types
follow, so that permissions and the admin's log keep pointing at the same rows (on a fresh
database there is nothing to move yet).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["quoterequest", "quoterecipient", "quote", "quoteline", "quoteslot"]


def _move_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="marketplace", target="quotes")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="quotes", target="marketplace")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("marketplace", "0006_quotes"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QuoteRequest",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("subject", models.CharField(max_length=200, verbose_name="subject")),
                        ("description", models.TextField(verbose_name="description")),
                        ("desired_from", models.DateField(verbose_name="desired from")),
                        ("desired_to", models.DateField(verbose_name="desired until")),
                        ("travel_constraints", models.TextField(blank=True, verbose_name="travel constraints")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("sent", "Sent"),
                                    ("answered", "Answered"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("expired", "Expired"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="draft",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="created at")),
                        ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent at")),
                        ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="open until")),
                        ("closed_at", models.DateTimeField(blank=True, null=True, verbose_name="closed at")),
                        (
                            "documents",
                            models.ManyToManyField(
                                blank=True, related_name="quote_requests", to="documents.medicaldocument"
                            ),
                        ),
                        ("grants", models.ManyToManyField(blank=True, related_name="+", to="documents.documentgrant")),
                        (
                            "patient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quote_requests",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "procedure",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="providers.procedure",
                            ),
                        ),
                        (
                            "specialty",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="providers.specialty",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "quote request",
                        "db_table": "marketplace_quoterequest",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="QuoteRecipient",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("sent_at", models.DateTimeField(verbose_name="sent at")),
                        (
                            "first_answered_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="first answered at"),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quote_recipients",
                                to="providers.provider",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipients",
                                to="quotes.quoterequest",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "quote recipient",
                        "db_table": "marketplace_quoterecipient",
                        "ordering": ["request", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Quote",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("sent", "Sent"),
                                    ("accepted", "Accepted"),
                                    ("declined", "Declined"),
                                    ("expired", "Expired"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="sent",
                                max_length=16,
                                verbose_name="status",
                            ),
                        ),
                        ("currency", models.CharField(max_length=3, verbose_name="currency")),
                        ("total_amount", models.BigIntegerField(verbose_name="total (minor units)")),
                        ("deposit_amount", models.BigIntegerField(verbose_name="deposit (minor units)")),
                        ("excluded", models.TextField(blank=True, verbose_name="not included")),
                        ("message", models.TextField(blank=True, verbose_name="message to the patient")),
                        ("valid_until", models.DateField(verbose_name="valid until")),
                        (
                            "payment_days",
                            models.PositiveSmallIntegerField(verbose_name="days to pay the deposit once accepted"),
                        ),
                        (
                            "max_variation_bps",
                            models.PositiveIntegerField(verbose_name="maximum price variation (basis points)"),
                        ),
                        ("cancellation_policy", models.CharField(max_length=40, verbose_name="cancellation policy")),
                        ("timezone", models.CharField(default="UTC", max_length=64, verbose_name="timezone")),
                        ("sent_at", models.DateTimeField(verbose_name="sent at")),
                        ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                        (
                            "patient_currency",
                            models.CharField(blank=True, max_length=3, verbose_name="patient's currency"),
                        ),
                        ("patient_total_amount", models.BigIntegerField(blank=True, null=True)),
                        ("patient_rate_date", models.DateField(blank=True, null=True)),
                        (
                            "author",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "booking",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quote",
                                to="bookings.booking",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="quotes",
                                to="providers.provider",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="quotes",
                                to="quotes.quoterequest",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "quote",
                        "db_table": "marketplace_quote",
                        "ordering": ["request", "total_amount", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="QuoteSlot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("start", models.DateTimeField(verbose_name="start")),
                        ("end", models.DateTimeField(verbose_name="end")),
                        (
                            "quote",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="slots", to="quotes.quote"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_quoteslot",
                        "ordering": ["quote", "start"],
                    },
                ),
                migrations.CreateModel(
                    name="QuoteLine",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("consultation", "Consultation"),
                                    ("procedure", "Procedure"),
                                    ("stay", "Hospital stay"),
                                    ("tests", "Tests and imaging"),
                                    ("fees", "Fees"),
                                    ("other", "Other"),
                                ],
                                max_length=16,
                                verbose_name="kind",
                            ),
                        ),
                        ("description", models.CharField(max_length=200, verbose_name="description")),
                        ("quantity", models.PositiveIntegerField(default=1, verbose_name="quantity")),
                        ("unit_amount", models.BigIntegerField(verbose_name="unit price (minor units)")),
                        (
                            "quote",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="quotes.quote"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "marketplace_quoteline",
                        "ordering": ["quote", "id"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("unit_amount__gte", 0)), name="marketplace_line_not_negative"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("quantity__gte", 1)), name="marketplace_line_quantity"
                            ),
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="quoterequest",
                    index=models.Index(fields=["status", "expires_at"], name="marketplace_status_ab57ec_idx"),
                ),
                migrations.AddConstraint(
                    model_name="quoterequest",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("desired_to__gte", models.F("desired_from"))),
                        name="marketplace_request_period",
                    ),
                ),
                migrations.AddIndex(
                    model_name="quoterecipient",
                    index=models.Index(fields=["provider", "first_answered_at"], name="marketplace_provide_99ef04_idx"),
                ),
                migrations.AddConstraint(
                    model_name="quoterecipient",
                    constraint=models.UniqueConstraint(
                        fields=("request", "provider"), name="marketplace_recipient_once"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("total_amount__gt", 0)), name="marketplace_quote_total_positive"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("deposit_amount__gte", 0), ("deposit_amount__lte", models.F("total_amount"))
                        ),
                        name="marketplace_quote_deposit_within_total",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("max_variation_bps__lte", 10000)), name="marketplace_quote_variation_bps"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quote",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("status", "sent")),
                        fields=("request", "provider"),
                        name="marketplace_one_open_quote_per_provider",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="quoteslot",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))), name="marketplace_slot_ordered"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
