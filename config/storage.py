"""Where stored files go: the local disk by default, an S3-compatible bucket when STORAGE_URL is set.

`STORAGE_URL` names the bucket and how to reach it, for example
`s3://medibroker-files?endpoint_url=https://s3.fr-par.scw.cloud&region_name=fr-par`. The credentials
come from the URL's user and password (URL-encoded), or else from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY in the environment (read by django-storages and boto3 themselves). Objects
are private, never overwritten (a clash gets a new name, which the document services refuse), and
only reachable through signed, expiring URLs: nothing in the bucket is public. Medical documents
are encrypted before they leave the process (documents.crypto), so the bucket holds ciphertext.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

LOCAL_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
S3_BACKEND = "storages.backends.s3.S3Storage"

# Query parameters STORAGE_URL accepts, as django-storages' S3Storage names its options.
_TEXT_OPTIONS = {"endpoint_url", "region_name", "addressing_style", "signature_version", "location"}
_INT_OPTIONS = {"querystring_expire"}


def storage_from_url(url: str) -> dict[str, Any]:
    """The STORAGES["default"] entry for `url`: the local disk when it is empty, else S3Storage.

    Raises ImproperlyConfigured, naming the problem (never the credentials), for another scheme,
    a missing bucket, an unknown or malformed parameter.
    """
    url = (url or "").strip()
    if not url:
        return dict(LOCAL_STORAGE)
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise ImproperlyConfigured(f"STORAGE_URL must start with s3:// (got {parts.scheme or 'no'} scheme).")
    bucket = parts.hostname or ""
    if not bucket or parts.path not in {"", "/"}:
        raise ImproperlyConfigured("STORAGE_URL must name the bucket: s3://bucket-name?endpoint_url=…")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "custom_domain": None,  # never unsigned URLs on a public domain
    }
    if parts.username or parts.password:
        if not (parts.username and parts.password):
            raise ImproperlyConfigured("STORAGE_URL: give both the access key and the secret (s3://key:secret@bucket).")
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password)
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name in _TEXT_OPTIONS and value:
            options[name] = value
        elif name in _INT_OPTIONS and value.isdigit() and int(value) > 0:
            options[name] = int(value)
        else:
            known = ", ".join(sorted(_TEXT_OPTIONS | _INT_OPTIONS))
            raise ImproperlyConfigured(f"STORAGE_URL: {name}={value!r} is not accepted (known: {known}).")
    endpoint = options.get("endpoint_url", "")
    if endpoint and urlsplit(endpoint).scheme not in {"http", "https"}:
        raise ImproperlyConfigured("STORAGE_URL: endpoint_url must be an http:// or https:// address.")
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
