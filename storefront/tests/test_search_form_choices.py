"""The search form's selects render their options once per language and choice-set version
(storefront/choices.py), and show exactly what Django's Select shows."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from providers.models import Procedure, Specialty
from storefront.choices import OptionsOnceSelect, PlainInputMixin, PlainLabelsForm, forget_rendered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_options():
    forget_rendered()
    yield
    forget_rendered()


CHOICES = [("", "---------"), ("a&b", "Tom & <Jerry>"), ("GB", "United Kingdom"), ("TR", "Türkiye (3)")]


@pytest.mark.parametrize("value", [None, "", "GB", "TR", "a&b", "nope"])
@pytest.mark.parametrize("attrs", [{"id": "id_country"}, {"id": "id_x", "aria-invalid": "true", "required": True}])
def test_the_options_are_what_djangos_select_renders(value, attrs):
    ours = OptionsOnceSelect(key="test", choices=CHOICES)
    django_s = forms.Select(choices=CHOICES)

    assert ours.render("country", value, attrs=attrs) == django_s.render("country", value, attrs=attrs)


def test_the_options_are_rendered_once_per_language_then_reused():
    calls = []

    def choices():
        calls.append(translation.get_language())
        return [("x", f"x in {translation.get_language()}")]

    widget = OptionsOnceSelect(key="test", choices=choices)
    with translation.override("en"):
        widget.render("f", None)
        assert "x in en" in widget.render("f", "x")
    with translation.override("fr"):
        assert "x in fr" in widget.render("f", None)

    assert calls == ["en", "fr"]


def _select(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_a_new_specialty_and_a_renamed_procedure_appear_on_the_form(client):
    client.get(reverse("search"))  # renders and keeps the catalogue's options
    Specialty.objects.create(code="space-medicine", name_en="Space medicine", name_fr="Médecine spatiale")
    procedure = Procedure.objects.get(code="hip-replacement")
    procedure.name_en = "Hip replacement (total)"
    procedure.save()

    html = client.get(reverse("search")).content.decode()

    assert '<option value="space-medicine">Space medicine</option>' in _select(html, "specialty")
    assert '<option value="hip-replacement">Hip replacement (total)</option>' in _select(html, "procedure")


def test_a_deleted_specialty_leaves_the_form(client):
    Specialty.objects.create(code="space-medicine", name_en="Space medicine", name_fr="Médecine spatiale")
    assert "space-medicine" in _select(client.get(reverse("search")).content.decode(), "specialty")

    Specialty.objects.filter(code="space-medicine").delete()

    assert "space-medicine" not in _select(client.get(reverse("search")).content.decode(), "specialty")


def test_the_catalogue_is_read_once_not_on_every_page(client):
    client.get(reverse("search"))
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("search"), {"q": "hip"})

    assert response.status_code == 200
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "providers_specialty" not in tables
    assert "providers_procedure" not in tables


def test_the_chosen_values_stay_selected_after_a_search(client):
    client.get(reverse("search"))
    params = {"specialty": "orthopaedic-surgery", "procedure": "hip-replacement", "currency": "GBP", "language": "ar"}

    html = client.get(reverse("search"), params).content.decode()

    assert '<option value="orthopaedic-surgery" selected>' in _select(html, "specialty")
    assert '<option value="hip-replacement" selected>' in _select(html, "procedure")
    assert '<option value="GBP" selected>' in _select(html, "currency")
    assert '<option value="ar" selected>' in _select(html, "language")
    assert _select(html, "currency").count(" selected") == 1
    # the next page shows none selected again
    assert " selected" not in _select(client.get(reverse("search")).content.decode(), "currency").replace(
        '<option value="" selected>', ""
    )


def test_the_options_follow_the_language_of_the_page(client):
    client.get(reverse("search"))  # English, kept

    html = client.get(reverse("search"), {"lang": "fr"}).content.decode()

    assert "Chirurgie orthopédique" in _select(html, "specialty") or "orthopédique" in _select(html, "specialty")
    assert "GBP — livre sterling" in _select(html, "currency")


def test_an_unknown_specialty_is_still_a_form_error_not_a_server_error(client):
    response = client.get(reverse("search"), {"specialty": "no-such-thing"})

    assert response.status_code == 200
    assert "specialty" in response.context["form"].errors


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": "hip <b>", "city": "Paris", "spoken_only": "on", "price_min": "abc", "available_before": "2001-01-01"},
        {"specialty": "dentistry", "country": "TR", "kind": "facility", "currency": "GBP", "sort": "price"},
    ],
)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_form_is_what_djangos_templates_render(client, monkeypatch, query, language):
    """The labels, inputs and selects written without the template engine are the same bytes."""
    ours = client.get(reverse("search"), {**query, "lang": language}).content.decode()
    monkeypatch.setattr(PlainInputMixin, "_render", forms.Widget._render)
    monkeypatch.setattr(PlainLabelsForm, "render", forms.Form.render)
    monkeypatch.setattr(OptionsOnceSelect, "render", forms.Select.render)

    django_s = client.get(reverse("search"), {**query, "lang": language}).content.decode()

    def form(html: str) -> str:
        start = html.index('<form class="card search-filters"')
        return html[start : html.index("</form>", start)]

    assert form(ours) == form(django_s)
    assert form(ours).count("<option") > 100


def test_an_error_is_named_by_the_field_that_points_to_it(client):
    html = client.get(reverse("search"), {"price_min": "abc"}).content.decode()

    assert 'aria-describedby="id_price_min_error"' in html
    assert '<ul class="errorlist" id="id_price_min_error">' in html
