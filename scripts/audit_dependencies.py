"""Audit the hashed locks for known vulnerabilities with pip-audit: `python scripts/audit_dependencies.py`.

Exits 1 when any package of any lock has a known vulnerability (each is listed). A package the
vulnerability service cannot look up is "skipped" by pip-audit, which then still says "No known
vulnerabilities found" and exits 0: an audit that checked nothing would pass silently. This script
counts the skipped packages and prints a loud warning when some (or all) were not audited, without
failing, so CI stays honest about what it did and did not check. See docs/decisions.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = Path(sys.executable).parent / "pip-audit"
# What a production install gets, then what `make run` adds (the Stripe emulator) and the dev tools.
LOCKS = ["requirements/production.txt", "requirements/local.txt", "requirements/dev.txt"]


def audit(lock: str) -> tuple[list[dict], list[dict], list[dict]]:
    """Run pip-audit on one lock: (every dependency, the vulnerable ones, the skipped ones)."""
    result = subprocess.run(  # noqa: S603 -- our own tool on our own lock files
        [
            str(PIP_AUDIT),
            "-r",
            lock,
            "--disable-pip",
            "--require-hashes",
            "--format",
            "json",
            "--progress-spinner",
            "off",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"pip-audit failed on {lock} (exit {result.returncode}): no report") from None
    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    return dependencies, vulnerable, skipped


def main(locks: list[str]) -> int:
    found = False
    for lock in locks:
        dependencies, vulnerable, skipped = audit(lock)
        audited = len(dependencies) - len(skipped)
        total = len(dependencies)
        counts = f"{total} packages, {audited} audited, {len(skipped)} skipped, {len(vulnerable)} vulnerable"
        print(f"{lock}: {counts}")
        for dependency in vulnerable:
            found = True
            for vuln in dependency["vulns"]:
                fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
                print(f"  VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
        if skipped:
            reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
            bar = "!" * 100
            print(bar)
            print(f"!! WARNING: {len(skipped)} of {len(dependencies)} packages in {lock} were NOT audited.")
            print(f"!! pip-audit said: {'; '.join(reasons)}.")
            if audited == 0:
                print("!! NOTHING was checked: the vulnerability service has no data here. This is not a pass.")
            print(bar)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or LOCKS))
