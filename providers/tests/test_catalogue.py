"""The catalogue seeded by migration 0002: specialties and procedures, named in English and French."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation import override

from providers.models import Procedure, Specialty

pytestmark = pytest.mark.django_db

catalogue = importlib.import_module("providers.migrations.0002_catalogue")


def test_the_catalogue_is_sizeable():
    assert Specialty.objects.count() >= 40
    assert Procedure.objects.count() >= 80


@pytest.mark.parametrize("model", [Specialty, Procedure])
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_every_entry_is_named_in_every_language_of_the_site(model, language):
    rows = list(model.objects.values_list("code", "name_en", f"name_{language}"))

    assert [code for code, _en, name in rows if not name.strip()] == []
    translated = [code for code, name_en, name in rows if name_en != name]
    assert len(translated) >= 0.9 * len(rows)


@pytest.mark.parametrize("language", ["ar", "es", "de", "ru", "fr", "en"])
def test_an_entry_is_shown_by_its_name_in_the_viewers_language(language):
    specialty = Specialty.objects.get(code="cardiology")

    with translation.override(language):
        shown = specialty.name

    assert shown == getattr(specialty, f"name_{language}")
    assert specialty.name_in("pt-br") == specialty.name_en  # a language the catalogue does not have


@pytest.mark.parametrize(
    ("procedure", "specialty"),
    [
        ("knee-replacement", "orthopaedic-surgery"),
        ("hip-replacement", "orthopaedic-surgery"),
        ("ivf", "reproductive-medicine"),
        ("cataract-surgery", "ophthalmology"),
        ("dental-implant", "dentistry"),
        ("gastric-sleeve", "digestive-surgery"),
        ("cabg", "cardiac-surgery"),
        ("rhinoplasty", "plastic-surgery"),
        ("cochlear-implant", "otorhinolaryngology"),
        ("bone-marrow-transplant", "haematology"),
    ],
)
def test_key_procedures_sit_under_the_specialty_that_performs_them(procedure, specialty):
    assert Procedure.objects.get(code=procedure).specialty.code == specialty


def test_the_name_follows_the_active_language():
    specialty = Specialty.objects.get(code="ophthalmology")
    procedure = Procedure.objects.get(code="gastric-sleeve")

    with override("fr"):
        assert specialty.name == "Ophtalmologie"
        assert procedure.name == "Sleeve gastrectomie"
    with override("en"):
        assert specialty.name == "Ophthalmology"
        assert str(procedure) == "Gastric sleeve"


def test_seeding_again_changes_nothing():
    def snapshot():
        return (
            sorted(Specialty.objects.values_list("code", "name_en", "name_fr")),
            sorted(Procedure.objects.values_list("code", "name_en", "name_fr", "specialty__code")),
        )

    before = snapshot()

    catalogue.seed(apps, None)

    assert snapshot() == before


def test_seeding_restores_an_edited_name():
    Specialty.objects.filter(code="urology").update(name_fr="Urologie (à revoir)")

    catalogue.seed(apps, None)

    assert Specialty.objects.get(code="urology").name_fr == "Urologie"
