# The add-on orders were payments' (payments 0007 created their table). They move to concierge with
# their table, `payments_addonorder`, and its constraints and indexes as they are: only Django's state
# changes here (payments 0009 forgets the model), and the content type is renamed so that permissions
# and admin history follow the model.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _rename_content_type(apps, schema_editor, *, old, new):
    """The model's content type (and so its permissions and admin history) takes the new label. On
    a fresh database there is none yet (a no-op). When both labels have one (the model was moved
    back and forth, and Django made a new one meanwhile), the older row is kept and the newer one,
    with the permissions Django made for it, is removed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label__in=[old, new], model="addonorder"
    )
    kept = rows.order_by("pk").first()
    if kept is None:
        return
    rows.exclude(pk=kept.pk).delete()
    if kept.app_label != new:
        kept.app_label = new
        kept.save(update_fields=["app_label"])


def content_type_to_concierge(apps, schema_editor):
    _rename_content_type(apps, schema_editor, old="payments", new="concierge")


def content_type_to_payments(apps, schema_editor):
    _rename_content_type(apps, schema_editor, old="concierge", new="payments")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("payments", "0007_addon_orders"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AddonOrder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('second_opinion', 'Remote second opinion'), ('interpreter', 'On-site interpreter'), ('transfer', 'Airport–hotel–hospital transfer'), ('visa_letter', 'Visa invitation letter'), ('vip_concierge', 'VIP concierge'), ('careteam', 'Careteam assistance')], max_length=20, verbose_name='add-on')),
                        ('description', models.CharField(max_length=300, verbose_name='description')),
                        ('amount', models.BigIntegerField(verbose_name='price (minor units)')),
                        ('currency', models.CharField(max_length=3, verbose_name='currency')),
                        ('status', models.CharField(choices=[('pending', 'Awaiting payment'), ('paid', 'Paid'), ('refunded', 'Refunded')], default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('setup_intent_id', models.CharField(blank=True, max_length=255)),
                        ('payment_intent_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('stripe_refund_id', models.CharField(blank=True, max_length=255, null=True, unique=True)),
                        ('paid_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField()),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='addon_orders', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'add-on order',
                        'db_table': 'payments_addonorder',
                        'ordering': ['-created_at', '-id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payments_addon_positive')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_concierge, content_type_to_payments, elidable=True),
    ]
