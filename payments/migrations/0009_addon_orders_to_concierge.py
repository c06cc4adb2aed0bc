# The add-on orders moved to concierge (concierge 0001), their table `payments_addonorder` with them:
# payments forgets the model, and the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0008_reconciliation_runs'),
        ('concierge', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AddonOrder')],
            database_operations=[],
        ),
    ]
