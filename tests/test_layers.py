"""The floors contract (pyproject.toml, run by `make lint`) names every app of the project, so a
new app cannot slip outside the layering by being forgotten."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def contract() -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    [layers] = [c for c in config["contracts"] if c["type"] == "layers"]
    return {"root_packages": config["root_packages"], "layers": layers["layers"]}


def project_apps() -> set[str]:
    """The project's own Django apps: those whose package sits at the repository's root."""
    return {
        app.name for app in apps.get_app_configs() if Path(app.path).resolve().parent == ROOT and "." not in app.name
    }


def test_every_app_and_config_stand_on_a_floor():
    floors = {name.strip() for layer in contract()["layers"] for name in re.split(r"[|:]", layer)}

    assert project_apps() | {"config"} == floors


def test_the_contract_analyses_every_package_it_layers():
    floors = {name.strip() for layer in contract()["layers"] for name in re.split(r"[|:]", layer)}

    assert set(contract()["root_packages"]) == floors


def test_the_kernel_is_the_ground_floor_and_config_the_top():
    layers = contract()["layers"]

    assert (layers[0], layers[-1]) == ("config", "core")
