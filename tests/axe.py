"""axe-core in the browser tests: WCAG 2.0, 2.1 and 2.2 levels A and AA, on the page as it is now.

axe-core is vendored for the tests only (tests/vendor/axe-core/README.md). It is evaluated in the
page through the DevTools protocol (`page.evaluate`), which the page's Content-Security-Policy does
not govern: a `<script>` added to the page (`page.add_script_tag`) would be an inline script, which
our policy refuses (config/settings.py, CONTENT_SECURITY_POLICY), and the browser fixtures fail a
test on any CSP violation. So the policy is tested as it is served, and axe still runs.
"""

from __future__ import annotations

from pathlib import Path

AXE_SOURCE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA, as axe tags them (2.2 adds only AA rules,
# such as target-size: 24 × 24 CSS pixels).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_RUN = """async ([context, tags]) => {
  const result = await axe.run(context === null ? document : context, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary || "", html: n.html})),
  }));
}"""


def _load(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The source is a script, not a function: evaluated as is, it defines window.axe.
        page.evaluate(AXE_SOURCE_PATH.read_text(encoding="utf-8"))


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """The WCAG A/AA violations axe finds on the page (or in the `context` selector), each a dict of
    id, impact, help, helpUrl and nodes (target selectors, axe's summary, the element's HTML)."""
    _load(page)
    return page.evaluate(_RUN, [context, WCAG_TAGS])


def describe(violations: list[dict], *, where: str = "") -> str:
    """A readable list: one paragraph per rule (id, impact, help), one line per element."""
    lines = []
    for violation in violations:
        lines.append(f"{where}{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(node["summary"].split())
            lines.append(f"    {target}: {summary[:300]}")
            lines.append(f"      {node['html'][:200]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, context: str | None = None, label: str = "") -> None:
    """Fail with every violation on the page (rule, impact, selectors, help) when axe finds any."""
    violations = axe_violations(page, context=context)
    where = f"{label or page.url}: "
    assert not violations, f"axe found {len(violations)} violation(s):\n" + describe(violations, where=where)
