"""Helpers for migrations that run different SQL on SQLite and PostgreSQL."""

from django.db import migrations


def vendor_sql(forwards: dict[str, list[str]], backwards: dict[str, list[str]]) -> migrations.RunPython:
    """Run the statements listed for the connection's vendor; vendors not listed run nothing."""

    def run(statements):
        def apply(apps, schema_editor):
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forwards), run(backwards))
