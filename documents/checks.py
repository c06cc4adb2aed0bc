"""`manage.py check` (and so every start) fails on a malformed DOCUMENT_KEYS, before any upload does."""

from __future__ import annotations

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from documents.crypto import check_keys


@register()
def document_keys_check(app_configs, **kwargs):
    try:
        check_keys()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="See DOCUMENT_KEYS in .env.example.", id="documents.E001")]
    return []
