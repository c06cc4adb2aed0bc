"""scripts/audit_dependencies.py (CI's dependency audit): fails on a known vulnerability, and says
loudly, without failing, when pip-audit could not look packages up (it would otherwise pass silently)."""

from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

from tests.support import ROOT

spec = importlib.util.spec_from_file_location("audit_dependencies", ROOT / "scripts" / "audit_dependencies.py")
audit_dependencies = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit_dependencies)

SKIPPED = {"name": "amqp", "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)"}
CLEAN = {"name": "django", "version": "5.2.9", "vulns": []}
VULNERABLE = {
    "name": "django",
    "version": "5.2.0",
    "vulns": [{"id": "PYSEC-2025-1", "fix_versions": ["5.2.1"], "aliases": [], "description": "SQL injection"}],
}


def _pip_audit_answers(monkeypatch, dependencies, returncode=0):
    def run(args, **kwargs):
        assert "--require-hashes" in args
        assert "--disable-pip" in args
        report = {"dependencies": dependencies, "fixes": []}
        return subprocess.CompletedProcess(args, returncode, stdout=json.dumps(report), stderr="")

    monkeypatch.setattr(audit_dependencies.subprocess, "run", run)


def test_a_known_vulnerability_fails_the_audit(monkeypatch, capsys):
    _pip_audit_answers(monkeypatch, [CLEAN, VULNERABLE], returncode=1)

    assert audit_dependencies.main(["requirements/production.txt"]) == 1
    assert "VULNERABLE django 5.2.0: PYSEC-2025-1 (fixed in 5.2.1)" in capsys.readouterr().out


def test_a_vulnerability_fails_even_when_other_packages_were_skipped(monkeypatch):
    _pip_audit_answers(monkeypatch, [SKIPPED, VULNERABLE], returncode=1)

    assert audit_dependencies.main(["requirements/production.txt"]) == 1


def test_nothing_audited_is_a_loud_warning_not_a_pass_in_silence(monkeypatch, capsys):
    _pip_audit_answers(monkeypatch, [SKIPPED, {**SKIPPED, "name": "kombu"}])

    assert audit_dependencies.main(["requirements/production.txt"]) == 0
    out = capsys.readouterr().out
    assert "2 packages, 0 audited, 2 skipped, 0 vulnerable" in out
    assert "WARNING: 2 of 2 packages in requirements/production.txt were NOT audited" in out
    assert "NOTHING was checked" in out


def test_a_clean_audit_passes_quietly(monkeypatch, capsys):
    _pip_audit_answers(monkeypatch, [CLEAN])

    assert audit_dependencies.main(["requirements/production.txt"]) == 0
    assert "WARNING" not in capsys.readouterr().out


def test_pip_audit_without_a_report_stops_the_audit(monkeypatch):
    monkeypatch.setattr(
        audit_dependencies.subprocess,
        "run",
        lambda args, **kwargs: subprocess.CompletedProcess(args, 2, stdout="", stderr="hash mismatch"),
    )

    with pytest.raises(SystemExit, match="pip-audit failed"):
        audit_dependencies.main(["requirements/production.txt"])
