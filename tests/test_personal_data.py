"""Every model that holds personal data belongs to one app's declaration (`core.personal_data`).

A model is suspect when it has a foreign key to the user model, or a field named like personal data
(name, phone, e-mail, birth, address, passport, title, description, body, surname, given names). Each
suspect must be in exactly one declaration, in its `models` (what it holds about a person) or its
`not_personal` (why it does not). One case per model, named by its label: `-k bookings` runs an
app's.
"""

from __future__ import annotations

import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.personal_data import declarations

PERSONAL_NAME = re.compile(r"name|phone|e_?mail|birth|address|passport|title|description|body|surname|given_names")

# Django's own apps, outside the project's declarations, and why.
OUT_OF_SCOPE = {
    "sessions": "A session names its user only inside its encoded data; accounts' erasure deletes the "
    "person's sessions (accounts.services.sessions_delete), and expired ones go nightly.",
    "auth": "Permissions and groups: the names of roles, not of people (a user's groups are on the user).",
    "contenttypes": "The names of models.",
}


def _suspect(model) -> bool:
    user_model = get_user_model()
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is user_model:
            return True
        if PERSONAL_NAME.search(field.name):
            return True
    return False


SUSPECTS = sorted(
    model._meta.label for model in apps.get_models() if model._meta.app_label not in OUT_OF_SCOPE and _suspect(model)
)


def _claims(label: str) -> list[str]:
    """The declarations that name `label`, as "app.models" or "app.not_personal"."""
    found = []
    for declaration in declarations():
        if label in declaration.models:
            found.append(f"{declaration.app}.models")
        if label in declaration.not_personal:
            found.append(f"{declaration.app}.not_personal")
    return found


def test_the_heuristic_finds_the_obvious_ones():
    assert {"accounts.PatientProfile", "documents.MedicalDocument", "marketplace.IdempotencyRecord"} <= set(SUSPECTS)
    assert "account.EmailAddress" in SUSPECTS
    assert "mfa.Authenticator" in SUSPECTS


@pytest.mark.parametrize("label", SUSPECTS)
def test_model_is_declared_once(label):
    claims = _claims(label)
    assert len(claims) == 1, (
        f"{label} looks personal (a foreign key to the user or a field named like personal data) and is "
        f"declared {claims or 'nowhere'}: name it once, in its app's core.personal_data Declaration, in "
        "`models` (what it holds about a person) or `not_personal` (why not)."
    )


def test_declared_labels_are_real_models():
    for declaration in declarations():
        for label in [*declaration.models, *declaration.not_personal]:
            app_label, name = label.split(".")
            assert apps.get_model(app_label, name), label  # LookupError on a typo
            assert str(declaration.models.get(label) or declaration.not_personal.get(label)).strip(), label


def test_every_declaration_says_what_erasing_removes():
    for declaration in declarations():
        assert str(declaration.erased).strip(), declaration.app


def test_accounts_is_erased_last():
    assert declarations()[-1].app == "accounts"


@pytest.mark.django_db
def test_export_of_a_person_with_nothing_is_plain_json(django_user_model):
    person = django_user_model.objects.create_user(email="nobody@example.test", password="x")
    now = timezone.now()
    for declaration in declarations():
        section = declaration.export(person, now)
        assert isinstance(section, dict), declaration.app
        json.dumps(section)  # plain values only: a date or a lazy string raises TypeError
        assert list(declaration.files(person, now)) == [], declaration.app
        json.dumps([str(kept.what) + str(kept.why) for kept in declaration.kept(person, now)])
        assert declaration.blockers(person, now) == [], declaration.app
