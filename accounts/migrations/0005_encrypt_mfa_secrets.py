"""Encrypt the second-factor secrets stored in clear before accounts.mfa.MFAAdapter (and back)."""

from django.db import migrations

from accounts.mfa import decrypt_secret, encrypt_secret, is_encrypted, transform_data


def forwards(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all().iterator():

        def encrypt(value: str) -> str:
            # Running twice (or on rows written by the adapter) must not encrypt twice.
            return value if is_encrypted(value) else encrypt_secret(value)

        authenticator.data = transform_data(authenticator.data, encrypt)
        authenticator.save(update_fields=["data"])


def backwards(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.all().iterator():

        def decrypt(value: str) -> str:
            return decrypt_secret(value) if is_encrypted(value) else value

        authenticator.data = transform_data(authenticator.data, decrypt)
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_drop_clear_text_api_tokens"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
