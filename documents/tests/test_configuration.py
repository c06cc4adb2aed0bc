"""DOCUMENT_KEYS: required in production, may come from a file, checked at start; a fixed key in development.

Settings are read once per process, so each case runs `manage.py` in a fresh one.
"""

from __future__ import annotations

from cryptography.fernet import Fernet

from tests.support import manage, production_environment

# Production without DOCUMENT_KEYS: these tests give the keys their own way, or none.
PRODUCTION = production_environment(DOCUMENT_KEYS="")
PRINT_KEYS = "from django.conf import settings; print(','.join(settings.DOCUMENT_KEYS))"


def test_production_refuses_to_start_without_document_keys():
    result = manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "Production mode needs DOCUMENT_KEYS to be set" in result.stderr


def test_production_refuses_the_public_development_key():
    development_key = manage("shell", "--no-imports", "-c", PRINT_KEYS).stdout.strip()

    result = manage("check", **{**PRODUCTION, "DOCUMENT_KEYS": development_key})

    assert result.returncode != 0
    assert "DOCUMENT_KEYS holds the public development key" in result.stderr


def test_production_reads_the_keys_newest_first_from_a_file(tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys_file = tmp_path / "document_keys"
    keys_file.write_text(f"{new}, {old}\n")

    checked = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, DOCUMENT_KEYS_FILE=str(keys_file))
    printed = manage("shell", "--no-imports", "-c", PRINT_KEYS, **PRODUCTION, DOCUMENT_KEYS_FILE=str(keys_file))

    assert checked.returncode == 0, checked.stderr
    assert printed.stdout.strip() == f"{new},{old}"


def test_a_malformed_key_stops_the_checks_without_showing_it():
    result = manage("check", DOCUMENT_KEYS=f"{Fernet.generate_key().decode()},not-a-key-at-all")

    assert result.returncode != 0
    assert "documents.E001" in result.stderr
    assert "key number 2 is not a Fernet key" in result.stderr
    assert "not-a-key-at-all" not in result.stderr


def test_outside_production_a_fixed_development_key_is_used():
    first = manage("shell", "--no-imports", "-c", PRINT_KEYS)
    second = manage("shell", "--no-imports", "-c", PRINT_KEYS, DOCUMENT_KEYS="")

    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key == second.stdout.strip()  # the same in every process: stored documents stay readable
    Fernet(key)  # and a usable key
