"""The OpenAPI schema: generated without warnings, and every API route is in it."""

from __future__ import annotations

import pytest
from django.core.management import call_command


def test_the_schema_validates_with_no_warning(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/providers/" in text
    assert "/api/v1/my/providers/{provider_id}/offerings/" in text


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "MediBroker API"
