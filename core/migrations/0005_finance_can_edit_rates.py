"""Finance may add, change, view and delete exchange rates (in the admin)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "finance"
CODENAMES = ["add_exchangerate", "change_exchangerate", "view_exchangerate", "delete_exchangerate"]


def _permissions(apps, using):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.using(using).filter(
        content_type__app_label="marketplace", content_type__model="exchangerate", codename__in=CODENAMES
    )


def grant(apps, schema_editor):
    using = schema_editor.connection.alias
    # On a fresh database permissions are only created after all migrations (post_migrate).
    app_config = apps.get_app_config("marketplace")
    app_config.models_module = True
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=using)
    finally:
        app_config.models_module = None
    group, _created = apps.get_model("auth", "Group").objects.using(using).get_or_create(name=GROUP)
    group.permissions.add(*_permissions(apps, using))


def revoke(apps, schema_editor):
    using = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(using).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*_permissions(apps, using))


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_search_pg"),
        ("accounts", "0002_staff_groups_and_first_terms"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
