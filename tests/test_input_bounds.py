"""Every writable number and date an API serializer takes is bounded, so that no value reaches a
column or date arithmetic that cannot hold it (the input-limits guard: a new unbounded field fails here)."""

from __future__ import annotations

import contextlib
import importlib
import re
from pathlib import Path

import pytest
from rest_framework import serializers

from core.serializers import BoundedDateField, BoundedDateTimeField

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "bookings", "core", "documents", "providers", "quotes", "storefront"]


def _input_serializer_names() -> set[str]:
    """The serializers the API reads request data with (`XSerializer(data=...)`), and the sign-up
    form's documented twin."""
    names = {"SignupRequestSerializer"}
    for app in APPS:
        for path in (ROOT / app).glob("*.py"):
            names |= set(re.findall(r"(\w+Serializer)\((?:\w+, )?data=", path.read_text()))
    return names


def _serializer_classes() -> list[type[serializers.Serializer]]:
    for app in APPS:
        for module in ("serializers", "api"):
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{app}.{module}")
    found, todo = [], [serializers.BaseSerializer]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in APPS:
            found.append(cls)
    return found


def _writable_fields(serializer: serializers.Serializer, prefix: str = ""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ListField):
            field = field.child
        if isinstance(field, serializers.Serializer):
            yield from _writable_fields(field, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field


def _unbounded(field: serializers.Field) -> bool:
    if isinstance(field, serializers.IntegerField):
        return field.max_value is None or field.min_value is None
    if isinstance(field, serializers.DateTimeField):
        return not isinstance(field, BoundedDateTimeField)
    if isinstance(field, serializers.DateField):
        return not isinstance(field, BoundedDateField)
    if isinstance(field, serializers.FloatField | serializers.DurationField):
        return field.max_value is None
    return False


def test_every_writable_number_and_date_of_an_api_serializer_is_bounded():
    unbounded = []
    names = _input_serializer_names()
    assert len(names) > 15  # the search found the API's input serializers
    for cls in _serializer_classes():
        if cls.__name__ not in names:
            continue
        fields = list(_writable_fields(cls()))
        unbounded += [f"{cls.__module__}.{cls.__name__}.{name}" for name, field in fields if _unbounded(field)]
    assert unbounded == [], "\n".join(unbounded)


pytestmark = pytest.mark.django_db
