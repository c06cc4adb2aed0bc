"""The search form's selects, their <option>s rendered once per language (docs/decisions.md,
"The search form's choices and a provider's page under load"), and its labels and inputs rendered
without the template engine.

The search page's filters offer some 300 to 500 options (specialties, procedures, destinations,
spoken languages, currencies). Django's Select renders each option through the template engine,
which cost more than the search itself. `OptionsOnceSelect` renders the options of a choice set
once, as one string, and keeps it in this process under (field, language, version); a request then
only marks its selected value and wraps the string in the <select> element, byte for byte what
Django's Select renders.

The version says when a choice set changed:

- the catalogue (specialties, procedures): `catalogue_version()`, a token in the Django cache
  (Redis in production, so every process sees it) replaced by `catalogue_changed` when a specialty
  or a procedure is saved or deleted, after `migrate`, and at the latest every
  CATALOGUE_VERSION_SECONDS (a change that sends no signal: a bulk update, or a migration run by a
  process whose local-memory cache is not the web's);
- the destinations: the cached list itself (storefront.search.destinations, forgotten when
  offerings change), so a new count is a new version;
- the languages, currencies, kinds and orders: fixed for a language (no version).

The labels and the other inputs (`PlainLabelsForm`, `Plain*Input`) keep Django's context and write
the element its template would: a dozen template renders per page were most of what was left.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable
from typing import Any

from django import forms
from django.core.cache import cache
from django.db import transaction
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CATALOGUE_VERSION_KEY = "storefront:catalogue-version"
CATALOGUE_VERSION_SECONDS = 600
# Rendered option lists kept per process: a few fields × the site's languages × recent versions.
_RENDERED_MAX = 256
_rendered: dict[tuple[str, str, Hashable], str] = {}


def catalogue_version() -> str:
    """The current version of the catalogue's choices (a token in the shared cache)."""
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(CATALOGUE_VERSION_KEY, version, CATALOGUE_VERSION_SECONDS):
            version = cache.get(CATALOGUE_VERSION_KEY) or version
    return version


def _new_catalogue_version() -> None:
    cache.set(CATALOGUE_VERSION_KEY, uuid.uuid4().hex, CATALOGUE_VERSION_SECONDS)


def catalogue_changed(**_: object) -> None:
    """A specialty or a procedure changed: every process renders the catalogue's options again.

    Now, and again once the change commits: a page rendered in between (with the old rows) would
    otherwise keep its options under the new version."""
    _new_catalogue_version()
    transaction.on_commit(_new_catalogue_version)


def _attributes(attrs: dict[str, Any]) -> str:
    """HTML attributes as django/forms/widgets/attrs.html writes them."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _options(choices) -> str:
    """The options as django/forms/widgets/select.html writes them, none selected (no optgroups)."""
    return "".join(
        f'\n  <option value="{escape(str(value))}">{escape(str(label))}</option>\n' for value, label in choices
    )


def forget_rendered() -> None:
    """Drop this process's rendered options (the tests' fixtures start from nothing)."""
    _rendered.clear()


class PlainInputMixin:
    """An input rendered by Python rather than the template engine: the same element as
    django/forms/widgets/input.html, from the same context (`get_context` is Django's)."""

    def _render(self, template_name, context, renderer=None) -> SafeString:
        widget = context["widget"]
        value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        html = f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}'
        return mark_safe(f"{html}{_attributes(widget['attrs'])}>")  # noqa: S308 -- every value is escaped


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainNumberInput(PlainInputMixin, forms.NumberInput):
    pass


class PlainDateInput(PlainInputMixin, forms.DateInput):
    pass


class PlainCheckboxInput(PlainInputMixin, forms.CheckboxInput):
    pass


class PlainLabelsForm(forms.Form):
    """A form whose labels are rendered by Python rather than the template engine: the same
    element as django/forms/label.html, from the context `BoundField.label_tag` builds."""

    def render(self, template_name=None, context=None, renderer=None):
        if template_name == self.template_name_label and context is not None:
            label = conditional_escape(context["label"])
            if not context["use_tag"]:
                return mark_safe(label)  # noqa: S308 -- escaped above
            tag = escape(context["tag"])
            return mark_safe(f"<{tag}{_attributes(context['attrs'] or {})}>{label}</{tag}>")  # noqa: S308
        return super().render(template_name, context, renderer)


class OptionsOnceSelect(forms.Select):
    """A Select whose options are rendered once per (field, language, version), then reused.

    `version` returns what the choices depend on besides the language (None: nothing). Only flat
    choices (no optgroups) and one selected value, as the search form's selects have.
    """

    def __init__(self, *, key: str, version: Callable[[], Hashable] | None = None, attrs=None, choices=()):
        super().__init__(attrs=attrs, choices=choices)
        self.key = key
        self.version = version

    def rendered_options(self) -> str:
        language = get_language() or ""
        version = self.version() if self.version is not None else None
        memo_key = (self.key, language, version)
        found = _rendered.get(memo_key)
        if found is None:
            found = _options(self.choices)
            if len(_rendered) >= _RENDERED_MAX:
                _rendered.clear()
            _rendered[memo_key] = found
        return found

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        options = self.rendered_options()
        # As Select.optgroups: the first option whose value is the (first) value given is selected;
        # none given selects the blank option.
        for selected in self.format_value(value)[:1]:
            plain = f'\n  <option value="{escape(selected)}">'
            options = options.replace(plain, f"{plain[:-1]} selected>", 1)
        final_attrs = self.build_attrs(self.attrs, attrs)
        return mark_safe(f'<select name="{escape(name)}"{_attributes(final_attrs)}>{options}\n</select>')  # noqa: S308 -- every value and label is escaped above
