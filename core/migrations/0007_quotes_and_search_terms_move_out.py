"""The quote models move to the `quotes` app and `SearchTerm` to `storefront`: state only.

Their tables, constraints and indexes stay as they are (the models name them in their Meta);
`quotes` 0001 and `storefront` 0001 took the models into their own state and moved the content types.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0006_quotes"),
        ("quotes", "0001_initial"),
        ("storefront", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="QuoteLine"),
                migrations.DeleteModel(name="QuoteSlot"),
                migrations.DeleteModel(name="Quote"),
                migrations.DeleteModel(name="QuoteRecipient"),
                migrations.DeleteModel(name="QuoteRequest"),
                migrations.DeleteModel(name="SearchTerm"),
            ],
            database_operations=[],
        ),
    ]
