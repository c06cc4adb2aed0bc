"""The API's JSON parser: bounded in size and depth, an object at the top, no NUL characters.

DRF's own JSONParser hands any body to `json.loads`: `[` × 5000 ends in a RecursionError (a 500),
a list or a string reaches views that expect an object, and a NUL character in a string reaches
PostgreSQL, which refuses it in text and jsonb. Every API view parses its JSON body here, so each
of these is a 400 `invalid_body` (413 `too_large` for size) in the error shape of core.errors.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

# A JSON string literal, to blank out before counting brackets (brackets inside strings are text).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


def invalid_body(message: str) -> ParseError:
    return ParseError(message, code="invalid_body")


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (0 for a scalar), without parsing it."""
    steps = (_DEPTH_STEP[m.group()] for m in _BRACKET.finditer(_STRING.sub('""', text)))
    return max(itertools.accumulate(steps, initial=0))


def find_nul(value: Any, path: str = "") -> str | None:
    """The path ("lines.0.description") of the first string or key holding a NUL, or None."""
    if isinstance(value, str):
        return path or "body" if "\x00" in value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = find_nul(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = find_nul(item, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


class LimitedJSONParser(JSONParser):
    """DEFAULT_PARSER_CLASSES' JSON parser (see the module).

    A view that takes another top-level type names it in `json_body_types` (default: objects only).
    """

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise BodyTooLarge(_("The request body is larger than %(limit)d bytes.") % {"limit": limit})
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise invalid_body(_("The request body is not valid %(encoding)s.") % {"encoding": encoding}) from exc
        max_depth = settings.API_JSON_MAX_DEPTH
        if json_depth(text) > max_depth:
            raise invalid_body(_("The JSON body nests deeper than %(depth)d levels.") % {"depth": max_depth})
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as exc:
            raise invalid_body(_("The request body is not valid JSON.")) from exc
        allowed = getattr(parser_context.get("view"), "json_body_types", (dict,))
        if not isinstance(data, allowed):
            raise invalid_body(_("The request body must be a JSON object."))
        where = find_nul(data)
        if where:
            raise invalid_body(_("The NUL character is not allowed (in %(field)s).") % {"field": where})
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN, Infinity: Python accepts them, JSON does not


def _refuse_nul_in_form(data: Any) -> None:
    for key, values in data.lists():
        if "\x00" in key or any(isinstance(value, str) and "\x00" in value for value in values):
            raise invalid_body(
                _("The NUL character is not allowed (in %(field)s).") % {"field": key.replace("\x00", "")}
            )


class NulFreeFormParser(FormParser):
    """DRF's form parser, refusing NUL in field names and values (see the module)."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul_in_form(data)
        return data


class NulFreeMultiPartParser(MultiPartParser):
    """DRF's multipart parser, refusing NUL in field names and values (file contents are bytes, kept)."""

    def parse(
        self, stream: IO[bytes], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul_in_form(parsed.data)
        return parsed
