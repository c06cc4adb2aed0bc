"""STORAGE_URL: the local disk by default, a private S3-compatible bucket when set (config/storage.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.storage import LOCAL_STORAGE, S3_BACKEND, storage_from_url
from tests.support import manage, production_environment


@pytest.mark.parametrize("url", ["", "   "])
def test_without_a_url_files_stay_on_the_local_disk(url):
    assert storage_from_url(url) == LOCAL_STORAGE


def test_a_url_makes_a_private_bucket_with_signed_urls_and_no_overwrite():
    storage = storage_from_url("s3://medibroker-files?endpoint_url=http://127.0.0.1:9000&region_name=eu-west-3")

    assert storage["BACKEND"] == S3_BACKEND
    assert storage["OPTIONS"] == {
        "bucket_name": "medibroker-files",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-west-3",
        "default_acl": "private",
        "file_overwrite": False,
        "querystring_auth": True,
        "custom_domain": None,
    }


def test_credentials_in_the_url_are_decoded_and_otherwise_left_to_the_environment():
    with_credentials = storage_from_url("s3://AKIA123:se%2Fcr%2Bet@bucket?addressing_style=path&querystring_expire=600")
    without = storage_from_url("s3://bucket")

    assert with_credentials["OPTIONS"]["access_key"] == "AKIA123"
    assert with_credentials["OPTIONS"]["secret_key"] == "se/cr+et"
    assert with_credentials["OPTIONS"]["addressing_style"] == "path"
    assert with_credentials["OPTIONS"]["querystring_expire"] == 600
    assert "access_key" not in without["OPTIONS"]
    assert "secret_key" not in without["OPTIONS"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://bucket.example", "must start with s3://"),
        ("s3://", "must name the bucket"),
        ("s3://bucket/some/path", "must name the bucket"),
        ("s3://bucket?acl=public-read", "acl='public-read' is not accepted"),
        ("s3://bucket?querystring_expire=soon", "querystring_expire='soon' is not accepted"),
        ("s3://bucket?endpoint_url=ftp://files", "endpoint_url must be an http"),
        ("s3://onlykey@bucket", "both the access key and the secret"),
    ],
)
def test_a_malformed_url_stops_with_a_clear_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storage_from_url(url)


def test_a_malformed_url_never_echoes_the_secret():
    with pytest.raises(ImproperlyConfigured) as failure:
        storage_from_url("s3://key:topsecret@bucket?acl=public")

    assert "topsecret" not in str(failure.value)


def test_the_setting_switches_the_default_storage_and_production_still_passes_its_checks():
    url = "s3://medibroker-files?endpoint_url=https://s3.example&region_name=eu-west-3"
    local = manage(
        "shell", "--no-imports", "-c", "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])"
    )
    remote = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.core.files.storage import default_storage as d; "
        "print(d.bucket_name, d.default_acl, d.file_overwrite)",
        STORAGE_URL=url,
    )
    deploy = manage("check", "--deploy", "--fail-level", "WARNING", **production_environment(STORAGE_URL=url))

    assert local.stdout.split() == ["django.core.files.storage.FileSystemStorage"], local.stderr
    assert remote.stdout.split() == ["medibroker-files", "private", "False"], remote.stderr
    assert deploy.returncode == 0, deploy.stderr
