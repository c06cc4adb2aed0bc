"""Shapes every API shares: the error body, amounts as decimal strings, money, named enums.

Amounts travel as decimal strings in major units ("1234.50") and come out as
`{"amount": "1234.50", "currency": "EUR", "minor": 123450}`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_spectacular.utils import Direction, extend_schema_field
from rest_framework import serializers

from core.money import Money, currency_choices

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema


class ApiErrorSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of every error: a stable code, a message for people, and messages per field."""

    code = serializers.CharField()
    message = serializers.CharField()
    details = serializers.DictField(help_text="Field name → list of messages; empty when no field is at fault.")


class NamedEnumField(serializers.ChoiceField):
    """A choice field documented as the named OpenAPI enum `enum_name`.

    drf-spectacular names enums after the field, and warns when one name ("kind") carries several
    choice sets or one choice set (currencies, countries) several names. Naming the set here keeps
    the schema free of warnings without a settings-wide ENUM_NAME_OVERRIDES table.
    """

    def __init__(self, *, enum_name: str, **kwargs: Any):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedEnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedEnumField

    def map_serializer_field(self, auto_schema: AutoSchema, direction: Direction) -> dict[str, Any]:
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)
        component = ResolvedComponent(
            name=self.target.enum_name, type=ResolvedComponent.SCHEMA, object=self.target.enum_name, schema=schema
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def currency_field(**kwargs: Any) -> NamedEnumField:
    return NamedEnumField(enum_name="CurrencyEnum", choices=currency_choices(), **kwargs)


def country_field(**kwargs: Any) -> NamedEnumField:
    return NamedEnumField(enum_name="CountryEnum", choices=list(countries), **kwargs)


_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")


@extend_schema_field({"type": "string", "format": "decimal", "pattern": _AMOUNT.pattern, "example": "1234.50"})
class AmountField(serializers.Field[str, Any, str, Any]):
    """A major-unit amount written as a decimal string; numbers are refused, as a float would round."""

    default_error_messages = {
        "invalid": _('Write the amount as a decimal string in major units, for example "1234.50".'),
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not _AMOUNT.match(data.strip()):
            self.fail("invalid")
        return data.strip()

    def to_representation(self, value: Any) -> str:
        return str(value)


class MoneySerializer(serializers.Serializer[Money]):
    amount = serializers.CharField(source="to_decimal", help_text="Major units, as many decimals as the currency has.")
    currency = currency_field()
    minor = serializers.IntegerField(source="amount", help_text="Integer minor units (cents, fils, yen).")


# One entry of an object's `available_actions` (core.checks.actions_payload).
ACTION_SCHEMA = {
    "type": "object",
    "required": ["allowed", "code", "reason"],
    "properties": {
        "allowed": {"type": "boolean"},
        "code": {"type": "string", "nullable": True, "description": "The refusal's stable code when not allowed."},
        "reason": {"type": "string", "description": "Why not, for people; empty when allowed."},
    },
}


def available_actions_field(*names: str) -> serializers.SerializerMethodField:
    """Document a `get_available_actions` method answering `actions_payload` for these actions.

    The schema sits on a class made for these names: DRF copies declared fields by building a new
    instance of the field's class, which would lose a schema set on the instance.
    """
    schema = {"type": "object", "properties": dict.fromkeys(names, ACTION_SCHEMA), "required": list(names)}

    @extend_schema_field(schema)
    class AvailableActionsField(serializers.SerializerMethodField):
        pass

    return AvailableActionsField(help_text="Action → whether this user may do it now, and why not.")


# --- Input limits: numbers and dates bounded to what the columns and the calendar code hold ---------

# Dates a person may mean: a birth date, a trip, a slot. Far outside, date arithmetic overflows
# (year 9999 + a day) and nothing useful is asked.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)
# PostgreSQL's integer, which Django's PositiveIntegerField and IntegerField columns are.
INT_MAX = 2**31 - 1


def _date_range_message() -> str:
    return str(
        _("Give a date between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
    )


class BoundedDateField(serializers.DateField):
    """A date between DATE_MIN and DATE_MAX (documented as such is not possible in OpenAPI's `date`)."""

    def to_internal_value(self, value: Any) -> dt.date:
        if not isinstance(value, str | dt.date):
            self.fail("invalid", format="YYYY-MM-DD")
        parsed = super().to_internal_value(value)
        if not DATE_MIN <= parsed <= DATE_MAX:
            raise serializers.ValidationError(_date_range_message(), code="out_of_range")
        return parsed


class BoundedDateTimeField(serializers.DateTimeField):
    """A datetime whose date is between DATE_MIN and DATE_MAX."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        if not isinstance(value, str | dt.datetime):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|-HH:MM|Z]")
        # A naive or offset-less far date is made aware by DRF: that addition overflows near 9999.
        if isinstance(value, str) and value[:4].isdigit() and not DATE_MIN.year <= int(value[:4]) <= DATE_MAX.year:
            raise serializers.ValidationError(_date_range_message(), code="out_of_range")
        try:
            parsed = super().to_internal_value(value)
        except OverflowError as exc:
            raise serializers.ValidationError(_date_range_message(), code="out_of_range") from exc
        if not DATE_MIN <= parsed.date() <= DATE_MAX:
            raise serializers.ValidationError(_date_range_message(), code="out_of_range")
        return parsed


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
        "example": "09:00",
        "description": "A wall-clock time at the location, HH:MM[:SS], without an offset.",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local time of day. OpenAPI's `format: time` is RFC 3339's, which requires an offset that
    opening hours do not have: the schema says what is sent instead."""


def bounded_integer(**kwargs: Any) -> serializers.IntegerField:
    """An IntegerField that fits an integer column unless told a smaller range."""
    kwargs.setdefault("max_value", INT_MAX)
    kwargs.setdefault("min_value", -INT_MAX - 1)
    return serializers.IntegerField(**kwargs)


def strict_boolean(self: serializers.BooleanField, data: Any) -> bool | None:
    """DRF's BooleanField, strict: JSON true/false, or "true"/"false" written in a form or a query.

    DRF also takes 1, 0, "yes", "on", "1"...; a client sending those most likely means something
    else (a count, a typo), and `1 in {True}` makes them hard to refuse by value alone.
    """
    if isinstance(data, bool):
        return data
    if isinstance(data, str):
        lowered = data.strip().lower()
        if lowered in {"true", "false"}:
            return lowered == "true"
        if self.allow_null and lowered in {"", "null"}:
            return None
    elif data is None and self.allow_null:
        return None
    self.fail("invalid", input=data)
    raise AssertionError  # fail() raises


def form_data(data: Any) -> dict[str, str]:
    """A JSON object as a Django form's data: every value a string, as a browser sends them.

    Django forms expect strings: `true` for a date or a list for a name ended in an AttributeError.
    Booleans become "true"/"false", numbers their text; a list or an object is refused.
    """
    from core.errors import ValidationFailed

    if hasattr(data, "dict"):
        return dict(data.dict())
    if not isinstance(data, Mapping):
        raise ValidationFailed(str(_("The request body must be a JSON object.")), code="invalid_body")
    result: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if isinstance(value, bool):
            result[key] = "true" if value else "false"
        elif value is None:
            result[key] = ""
        elif isinstance(value, str | int | float):
            result[key] = str(value)
        else:
            errors[key] = [str(_("Give a single value (text, number or true/false), not a list or an object."))]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    return result
