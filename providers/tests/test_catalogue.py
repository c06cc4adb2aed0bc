"""The catalogue seeded by migration 0002: specialties and procedures, named in English and French."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils.translation import override

from providers.models import Procedure, Specialty

pytestmark = pytest.mark.django_db

catalogue = importlib.import_module("providers.migrations.0002_catalogue")


def test_the_catalogue_is_sizeable():
    assert Specialty.objects.count() >= 40
    assert Procedure.objects.count() >= 80


@pytest.mark.parametrize("model", [Specialty, Procedure])
def test_every_entry_is_named_in_both_languages(model):
    rows = list(model.objects.values_list("code", "name_en", "name_fr"))

    assert all(name_en.strip() and name_fr.strip() for _, name_en, name_fr in rows)
    translated = [code for code, name_en, name_fr in rows if name_en != name_fr]
    assert len(translated) >= 0.9 * len(rows)


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
