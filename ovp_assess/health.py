"""`/healthz`: is this app server able to serve? Database reachable, migrations applied.

Answers JSON, 200 when healthy and 503 when not, without sessions or templates, so a load
balancer may call it every few seconds. Exempt from the HTTPS redirect (settings).
"""

import logging
import time

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

# Once every migration is applied, the answer holds until new code (a new process) comes;
# re-check now and then in case someone migrates backwards.
_MIGRATIONS_OK_FOR = 60.0
_migrations_ok_until = 0.0


def _pending_migrations():
    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


@never_cache
@require_GET
def healthz(request):
    global _migrations_ok_until
    checks = {}
    healthy = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError as exc:
        logger.error("healthz: database unreachable: %s", exc)
        checks["database"] = "unreachable"
        healthy = False
    if healthy:
        if time.monotonic() < _migrations_ok_until:
            checks["migrations"] = "ok"
        else:
            try:
                pending = _pending_migrations()
            except DatabaseError as exc:
                logger.error("healthz: cannot read migrations: %s", exc)
                pending = ["unknown"]
            if pending:
                checks["migrations"] = f"{len(pending)} not applied"
                healthy = False
            else:
                checks["migrations"] = "ok"
                _migrations_ok_until = time.monotonic() + _MIGRATIONS_OK_FOR
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
