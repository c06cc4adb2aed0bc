"""The error pages render in the site's layout with a helpful sentence and a way home: 403 (with the
view's reason), 404 (the view's message, never an exception's class name), 500 (with no request, no
database) and a refused CSRF check."""

from __future__ import annotations

import pytest
from django.template import Context, loader
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def in_layout(page: str) -> None:
    assert '<header class="site-header">' in page
    assert '<footer class="site-footer">' in page
    assert f'href="{reverse("home")}"' in page


def test_a_forbidden_page_is_styled_and_says_why(client, patient):
    client.force_login(patient)
    response = client.get(reverse("finance:trust_register"))
    assert response.status_code == 403
    page = response.content.decode()
    in_layout(page)
    assert "You cannot open this page" in page
    assert "Only finance can see this page." in page
    assert 'class="card error-page"' in page


def test_an_unknown_address_is_styled_without_internals(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    in_layout(page)
    assert "We cannot find this page" in page
    assert "Resolver404" not in page
    assert 'data-testid="error-reason"' not in page


def test_a_not_found_object_shows_the_views_message(client, patient):
    client.force_login(patient)
    response = client.get(reverse("bookings:detail", args=[999999]))
    assert response.status_code == 404
    page = response.content.decode()
    in_layout(page)
    assert "You have no booking with this number." in page


def test_the_server_error_page_renders_without_a_request_or_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        page = loader.get_template("500.html").render(Context({}).flatten())
    in_layout(page)
    assert "Something went wrong on our side" in page


def test_a_refused_form_is_styled_and_keeps_the_signed_in_menu(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    response = client.post(reverse("set_language"), {"language": "fr"})
    assert response.status_code == 403
    page = response.content.decode()
    in_layout(page)
    assert "The form has expired" in page
    assert "Sign out" in page
