"""Every destructive submit button on the site looks destructive and asks first.

A button whose label cancels, declines, withdraws, removes, rejects, revokes, deletes or refuses
something must be styled `button-danger` and sit inside a `<details class="confirm">` (the pattern
of templates/_confirm.html: the first button only opens the consequence). The scan reads every
template of the project; the few exceptions are listed below with their reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "node_modules", "var", "static", "locale", ".git"}

DESTRUCTIVE = re.compile(r"\b(cancel|decline|withdraw|remove|reject|revoke|delete|refuse)", re.IGNORECASE)

# (template, label): why this destructive-sounding button needs no confirmation.
ALLOWED = {
    ("storefront/templates/storefront/compare.html", "Remove"): "takes an offering off the comparison; "
    "adding it back is one click",
    ("storefront/templates/storefront/search.html", "Remove from comparison"): "the same toggle, on a result",
    ("secondopinion/templates/secondopinion/patient/withdraw.html", "Withdraw my request"): "the page is "
    "itself the confirmation: it states the refund and offers “Keep it”",
}

BUTTON = re.compile(r"<button\b(?P<attrs>[^>]*)>(?P<label>.*?)</button>", re.DOTALL | re.IGNORECASE)
SUBMIT_INPUT = re.compile(r"<input\b(?P<attrs>[^>]*\btype=\"submit\"[^>]*)>", re.IGNORECASE)
DETAILS = re.compile(r"<details\b(?P<attrs>[^>]*)>|</details>", re.IGNORECASE)
TRANSLATED = re.compile(r"{%\s*(?:translate|trans)\s+(?P<quote>[\"'])(?P<text>.*?)(?P=quote)[^%]*%}")
TEMPLATE_TAG = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]+>", re.DOTALL)


@dataclass(frozen=True)
class Button:
    template: str
    line: int
    label: str
    danger: bool
    in_confirm: bool


def label_text(markup: str) -> str:
    """What the button says: its translated strings and text, without template tags or markup."""
    text = TRANSLATED.sub(lambda m: m.group("text"), markup)
    return " ".join(TEMPLATE_TAG.sub(" ", text).split())


def _classes(attrs: str) -> set[str]:
    found = re.search(r"class=\"([^\"]*)\"", attrs)
    return set(found.group(1).split()) if found else set()


def _is_submit(attrs: str) -> bool:
    kind = re.search(r"type=\"([^\"]*)\"", attrs)
    return kind is None or kind.group(1).lower() == "submit"  # a button submits unless told otherwise


def _confirm_depth_at(source: str) -> list[bool]:
    """For each character offset, whether it lies inside a `<details class="confirm">`."""
    inside = [False] * (len(source) + 1)
    stack: list[bool] = []
    position = 0
    for match in DETAILS.finditer(source):
        current = any(stack)
        for offset in range(position, match.start()):
            inside[offset] = current
        if match.group(0).startswith("</"):
            if stack:
                stack.pop()
        else:
            stack.append("confirm" in _classes(match.group("attrs") or ""))
        position = match.start()
    for offset in range(position, len(source) + 1):
        inside[offset] = any(stack)
    return inside


def buttons_in(source: str, template: str) -> list[Button]:
    inside = _confirm_depth_at(source)
    found = []
    for match in BUTTON.finditer(source):
        if not _is_submit(match.group("attrs")):
            continue
        found.append(
            Button(
                template,
                source.count("\n", 0, match.start()) + 1,
                label_text(match.group("label")),
                "button-danger" in _classes(match.group("attrs")),
                inside[match.start()],
            )
        )
    for match in SUBMIT_INPUT.finditer(source):
        value = re.search(r"value=\"(?P<value>(?:{%[^%]*%}|[^\"])*)\"", match.group("attrs"))
        found.append(
            Button(
                template,
                source.count("\n", 0, match.start()) + 1,
                label_text(value.group("value")) if value else "",
                "button-danger" in _classes(match.group("attrs")),
                inside[match.start()],
            )
        )
    return found


def project_templates() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.html")
        if "templates" in path.relative_to(ROOT).parts and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
    )


def offending(buttons: list[Button]) -> list[Button]:
    return [
        b
        for b in buttons
        if DESTRUCTIVE.search(b.label) and not (b.danger and b.in_confirm) and (b.template, b.label) not in ALLOWED
    ]


def all_buttons() -> list[Button]:
    return [
        button
        for path in project_templates()
        for button in buttons_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]


def test_the_scan_reads_the_project_templates():
    templates = {str(path.relative_to(ROOT)) for path in project_templates()}
    assert "templates/_confirm.html" in templates
    assert "quotes/templates/quotes/request_detail.html" in templates
    assert len(all_buttons()) > 50


def test_every_destructive_button_is_styled_as_such_and_asks_first():
    problems = [
        f"{b.template}:{b.line} “{b.label}”"
        + ("" if b.danger else " is not button-danger")
        + ("" if b.in_confirm else ' does not sit in a <details class="confirm"> (templates/_confirm.html)')
        for b in offending(all_buttons())
    ]
    assert problems == []


def test_every_allowed_exception_still_exists():
    """An exception fixed or gone leaves the list, so the list stays the truth."""
    present = {(b.template, b.label) for b in all_buttons() if DESTRUCTIVE.search(b.label)}
    assert sorted(set(ALLOWED) - present) == []


# The scanner itself, on small samples: what it must catch and what it must let through.


@pytest.mark.parametrize(
    "markup",
    [
        '<form method="post"><button type="submit">{% translate "Cancel the order" %}</button></form>',
        '<form><button class="button-danger">{% translate "Decline" %}</button></form>',
        '<details class="confirm"><summary>x</summary><form><button type="submit">Remove it</button></form></details>',
        '<details class="other"><form><button class="button-danger">Revoke</button></form></details>',
        '<form><input type="submit" value="{% translate \'Delete\' %}"></form>',
        '<details class="confirm"></details><form><button class="button-danger">Reject</button></form>',
    ],
)
def test_the_scan_catches(markup):
    assert len(offending(buttons_in(markup, "sample.html"))) == 1


@pytest.mark.parametrize(
    "markup",
    [
        '<details class="confirm"><summary class="button button-danger">Cancel</summary>'
        '<form><button type="submit" class="button-danger">{% translate "Yes, cancel it" %}</button></form></details>',
        '<form><button type="submit">{% translate "Accept this quote" %}</button></form>',
        '<button type="button">Cancel</button>',
        '<details class="confirm"{% if form.errors %} open{% endif %}><form>'
        '<button type="submit" name="action" value="decline" class="button-danger">Yes, decline</button>'
        "</form></details>",
    ],
)
def test_the_scan_lets_through(markup):
    assert offending(buttons_in(markup, "sample.html")) == []
