"""Shapes every API shares: the error body, amounts as decimal strings, money, named enums.

Amounts travel as decimal strings in major units ("1234.50") and come out as
`{"amount": "1234.50", "currency": "EUR", "minor": 123450}`.
"""

from __future__ import annotations

import re
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
