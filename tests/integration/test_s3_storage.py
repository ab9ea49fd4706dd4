"""Uploads on S3 (moto_server on 127.0.0.1): private objects, served by signed URLs.

The storage is configured from what ``lms/settings.py`` produces when
``AWS_STORAGE_BUCKET_NAME`` is set (read in a settings subprocess), so this tests
the production configuration, not a copy of it.
"""

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from storages.backends.s3 import S3Storage

from tests.integration.conftest import http_get
from tests.settings_probe import settings_snapshot

pytestmark = pytest.mark.services

BUCKET = "balise-it-media"
REGION = "eu-west-3"
ACCESS_KEY = "balise-test-key"
SECRET_KEY = "balise-test-secret"


@pytest.fixture
def s3_settings(settings, moto_endpoint, monkeypatch, tmp_path):
    """Django settings for the S3 storage, as lms/settings.py computes them."""
    # No AWS profile of the developer's may leak in.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    values = settings_snapshot(
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=moto_endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
    )
    for name, value in values.items():
        if name.startswith("AWS_"):
            setattr(settings, name, value)
    settings.STORAGES = {**settings.STORAGES, "default": values["STORAGES"]["default"]}
    return values


@pytest.fixture
def s3_client(moto_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_uploads_are_private_and_served_by_signed_urls(s3_settings, s3_client, moto_endpoint):
    storage = storages["default"]
    assert isinstance(storage, S3Storage)
    # The storage in this process is configured as the settings subprocess's one.
    expected = s3_settings["default_storage"]
    for key in ("bucket_name", "endpoint_url", "region_name", "signature_version", "default_acl"):
        assert getattr(storage, key) == expected[key], key
    assert (
        storage.object_parameters
        == expected["object_parameters"]
        == {"ACL": "private", "ContentDisposition": "attachment"}
    )

    content = b"Fiche atelier : mon modele economique\n"
    name = storage.save("documents/fiche-atelier.txt", ContentFile(content))

    with storage.open(name) as stored:
        assert stored.read() == content
    grants = s3_client.get_object_acl(Bucket=BUCKET, Key=name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant

    signed_url = storage.url(name)
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in signed_url
    assert "X-Amz-Signature=" in signed_url
    object_url = signed_url.split("?", 1)[0]
    assert object_url == f"{moto_endpoint}/{BUCKET}/{name}"

    assert http_get(object_url)[0] == 403
    assert http_get(signed_url) == (200, content)


def test_the_refusal_comes_from_the_acl(s3_client, moto_endpoint):
    """Control for the test above: an object made public is readable without a signature,
    so the 403 there is the private ACL at work, not a wrong address."""
    s3_client.put_object(Bucket=BUCKET, Key="public.txt", Body=b"public", ACL="public-read")

    assert http_get(f"{moto_endpoint}/{BUCKET}/public.txt") == (200, b"public")
