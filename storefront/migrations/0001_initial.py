"""The search vocabulary (`SearchTerm`) moves from the kernel (label `marketplace`) to this app.

State only: the table keeps its name, `marketplace_searchterm`, and with it the unique index and
PostgreSQL's trigram index that the kernel's migration 0004 made; the kernel's migration 0007
takes the model out of its own state. The content type follows (the kernel's migration 0005
created it, also on a fresh database), so that its permissions keep pointing at the same rows.
"""

from django.db import migrations, models

MODELS = ["searchterm"]


def _move_content_types(apps, schema_editor, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if ContentType.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        ContentType.objects.using(db).filter(app_label=source, model=model).update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="marketplace", target="storefront")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, source="storefront", target="marketplace")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("marketplace", "0006_quotes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchTerm",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("word", models.CharField(max_length=80, unique=True)),
                    ],
                    options={
                        "db_table": "marketplace_searchterm",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
