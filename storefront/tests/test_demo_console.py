"""`make run`'s demo: the logins come last on the console (the seed's e-mails and SMS go to a file),
and every phone number the demo seeds is a valid number, so that its SMS go out."""

from __future__ import annotations

import io

import phonenumbers
import pytest
from django.apps import apps
from django.core.management import call_command
from phonenumber_field.modelfields import PhoneNumberField

from accounts.demo import PEOPLE


def _phone_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "concrete", False) and (isinstance(field, PhoneNumberField) or "phone" in field.name):
                yield model, field.name


@pytest.mark.django_db
def test_every_phone_number_the_demo_seeds_is_a_valid_number():
    call_command("seed_demo", stdout=io.StringIO())

    checked = []
    for model, name in _phone_fields():
        values = model.objects.exclude(**{name: ""}).exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)
        for value in values:
            number = phonenumbers.parse(str(value), None)
            assert phonenumbers.is_valid_number(number), f"{model.__name__}.{name}: {value}"
            checked.append(str(value))
    # The three patients' phones at least (and the concierge's suppliers').
    assert {str(p.details.phone) for p in PEOPLE if p.details} <= set(checked)
    assert len(checked) > 3


def test_the_demo_patients_phones_are_from_ranges_reserved_for_fiction():
    reserved = ("+442079460", "+33465710", "+467017406")  # Ofcom (London drama), ARCEP, PTS
    phones = [str(p.details.phone) for p in PEOPLE if p.details]
    assert phones
    assert all(phone.startswith(reserved) for phone in phones), phones


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_seed_writes_its_messages_to_a_file_and_prints_the_logins_last(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # as `make run` has it
    out = io.StringIO()

    call_command("seed_demo", stdout=out)

    printed = out.getvalue()
    messages = (tmp_path / "demo-messages.log").read_text()
    assert "Subject: " in messages  # the seed did send e-mails (its invitations, quotes, orders)
    assert "Subject: " not in printed
    lines = printed.rstrip().splitlines()
    assert lines[0].startswith("The seed's ")
    assert str(tmp_path / "demo-messages.log") in lines[0]
    logins = [i for i, line in enumerate(lines) if "medibroker-demo" in line]
    assert len(logins) == len(PEOPLE) + 8  # the staff and patients, and the eight providers' admins
    assert lines[-1].startswith("Test card: 4242 4242 4242 4242")
    assert logins[-1] > len(lines) - 10  # the table ends just above the closing lines (one per feature)
    assert (tmp_path / "demo-logins.txt").read_text().splitlines() == lines[1:]


@pytest.mark.django_db
def test_seeding_again_mends_a_demo_seeded_with_the_old_invalid_phone():
    from accounts.models import PatientProfile

    call_command("seed_demo", stdout=io.StringIO())
    PatientProfile.objects.filter(user__email="amelia.hughes@example.test").update(phone="+447700900123")

    call_command("seed_demo", stdout=io.StringIO())

    amelia = PatientProfile.objects.get(user__email="amelia.hughes@example.test")
    assert str(amelia.phone) == "+442079460123"
    assert phonenumbers.is_valid_number(amelia.phone)
