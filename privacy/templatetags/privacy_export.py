"""Filters of the export's readable summary (privacy/export_summary.html)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple):
        return "list"
    return "value"


@register.filter
def humanize_key(value: Any) -> str:
    return str(value).replace("_", " ").capitalize()
