"""Public portal reads from the replica (`DATABASES["replica"]`, set by DATABASE_REPLICA_URL).

The portal (`/public/…`, anonymous GET and HEAD) is most of the read traffic and tolerates a
second of replication lag; the working pages (filling in, review, publication) must read what
they just wrote, and task workers and commands run outside requests: all of them use the
primary. Without a replica alias every read goes to "default" (`make run`, the tests).
"""
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
PORTAL_PREFIX = "/public/"
use_replica = ContextVar("use_replica", default=False)


def replica_configured():
    return REPLICA in settings.DATABASES


class PublicPortalReplicaMiddleware:
    """GET and HEAD requests of the public portal read from the replica while they run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reads_replica = (
            replica_configured() and request.method in ("GET", "HEAD") and request.path.startswith(PORTAL_PREFIX)
        )
        token = use_replica.set(reads_replica)
        try:
            return self.get_response(request)
        finally:
            use_replica.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if use_replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
