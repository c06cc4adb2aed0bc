"""Helpers for migrations that run different SQL on SQLite and PostgreSQL."""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def vendor_sql(forwards: dict[str, list[str]], backwards: dict[str, list[str]]) -> migrations.RunPython:
    """Run the statements listed for the connection's vendor; vendors not listed run nothing."""

    def run(statements: dict[str, list[str]]) -> Callable[[Apps, BaseDatabaseSchemaEditor], None]:
        def apply(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
            for sql in statements.get(schema_editor.connection.vendor, []):
                schema_editor.execute(sql)

        return apply

    return migrations.RunPython(run(forwards), run(backwards))
