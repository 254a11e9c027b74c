"""Public portal reads go to the replica alias when one is configured (config/db_router.py);
everything else, and everything without a replica, reads the primary. Against a running
replica alias (a second alias on the same PostgreSQL server): tests/topology."""
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import RequestFactory

from config import db_router
from public.models import PublishedFile


def _read_alias(method, path, *, replica):
    seen = []

    def view(request):
        seen.append((db_router.PrimaryReplicaRouter().db_for_read(PublishedFile),
                     db_router.PrimaryReplicaRouter().db_for_write(PublishedFile)))
        return None

    middleware = db_router.PublicPortalReplicaMiddleware(view)
    original = db_router.replica_configured
    db_router.replica_configured = lambda: replica
    try:
        middleware(getattr(RequestFactory(), method)(path))
    finally:
        db_router.replica_configured = original
    return seen[0]


@pytest.mark.parametrize("method", ["get", "head"])
def test_public_pages_read_from_the_replica_and_write_to_the_primary(method):
    assert _read_alias(method, "/public/units/1/2024/", replica=True) == ("replica", "default")


@pytest.mark.parametrize("method, path", [
    ("post", "/public/bureaus/1/2024/zip/"), ("get", "/review/"), ("get", "/projects/1/step/goals/"), ("get", "/"),
])
def test_working_pages_and_posts_read_the_primary(method, path):
    assert _read_alias(method, path, replica=True) == ("default", "default")


def test_without_a_replica_the_portal_reads_the_primary():
    assert _read_alias("get", "/public/", replica=False) == ("default", "default")


def test_outside_a_request_reads_go_to_the_primary():
    assert db_router.PrimaryReplicaRouter().db_for_read(PublishedFile) == "default"


def test_migrations_run_on_the_primary_only():
    router = db_router.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "public") and not router.allow_migrate("replica", "public")


def test_database_replica_url_adds_the_replica_alias_named_for_the_portal():
    code = "from django.conf import settings; import json; print(json.dumps(settings.DATABASES['replica']))"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local",
             "DATABASE_REPLICA_URL": "postgres://reader@replica.internal:5432/targets"}, timeout=120,
    )
    replica = json.loads(result.stdout.strip().splitlines()[-1])
    assert (replica["HOST"], replica["USER"], replica["NAME"]) == ("replica.internal", "reader", "targets")
    assert replica["TEST"]["MIRROR"] == "default" and replica["OPTIONS"]["application_name"] == "pjd-replica"


def test_media_go_to_the_bucket_only_when_one_is_configured():
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    env.pop("MEDIA_S3_BUCKET", None)

    def backend(**extra):
        result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=settings.BASE_DIR,
                                capture_output=True, text=True, env={**env, **extra}, timeout=120)
        return result.stdout.strip().splitlines()[-1]

    assert backend() == "django.core.files.storage.FileSystemStorage"
    assert backend(MEDIA_S3_BUCKET="pjd-media", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000") == (
        "storages.backends.s3.S3Storage")
