"""Destroy the API tokens of rest_framework.authtoken (table `authtoken_token`).

They were kept in clear (the secret was the primary key), never expired and could not be revoked:
every one of them must stop working, and the secrets must leave the database. The table is dropped
if it exists (databases made before accounts.ApiToken); their holders sign in again for a new token.
Nothing is restored on the way back: the secrets are gone on purpose.
"""

from django.db import migrations

TABLE = "authtoken_token"


def drop_clear_text_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    if TABLE in tables:
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token"),
    ]

    operations = [
        migrations.RunPython(drop_clear_text_tokens, migrations.RunPython.noop, elidable=False),
    ]
