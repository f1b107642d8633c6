"""Put background tasks left RUNNING by a worker that died back in the queue.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again, so
a worker killed mid-task (OOM, deploy, lost machine) would leave it stuck. A task is taken
as abandoned when its worker ran on this machine and that process is gone, or when it has
been running longer than --older-than (for workers on other machines). Tasks must be
idempotent (the batch export is): an abandoned one is simply run again. One that has already
lost its worker --max-attempts times is marked failed instead, so a task that kills its
worker cannot loop forever.

`manage.py run_worker` does this at start-up and every few minutes; this command is for
cron or for an operator after a machine was lost.
"""

import logging
import os
import socket
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("reports.tasks")

DEFAULT_OLDER_THAN = 60 * 60  # seconds; longer than any export should take
DEFAULT_MAX_ATTEMPTS = 3


def this_host():
    return socket.gethostname()[:40]


def worker_id_for_this_process():
    """`host:pid:random`, so a recovery on the same host can tell whether the worker lives."""
    from django.utils.crypto import get_random_string

    return f"{this_host()}:{os.getpid()}:{get_random_string(8)}"


def _worker_dead_here(worker_id):
    host, _, rest = worker_id.partition(":")
    pid = rest.split(":", 1)[0]
    if host != this_host() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def recover_tasks(*, older_than=timedelta(seconds=DEFAULT_OLDER_THAN),
                  max_attempts=DEFAULT_MAX_ATTEMPTS):
    """Requeue (or fail) abandoned RUNNING tasks; return {"requeued": [...], "failed": [...]}."""
    from reports.models import ExportJob

    cutoff = timezone.now() - older_than
    done = {"requeued": [], "failed": []}
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for result in running:
            last = result.worker_ids[-1] if result.worker_ids else ""
            stale = result.started_at is not None and result.started_at < cutoff
            if not (stale or _worker_dead_here(last)):
                continue
            if len(result.worker_ids) >= max_attempts:
                result.status = TaskResultStatus.FAILED
                result.finished_at = timezone.now()
                result.exception_class_path = "reports.WorkerLost"
                result.traceback = (
                    f"The worker stopped {len(result.worker_ids)} times while running this task."
                )
                result.save(update_fields=["status", "finished_at", "exception_class_path",
                                           "traceback"])
                ExportJob.objects.filter(
                    task_id=str(result.id), status__in=ExportJob.ACTIVE_STATUSES
                ).update(status=ExportJob.Status.FAILED, finished_at=timezone.now(),
                         error=result.traceback)
                done["failed"].append(str(result.id))
                logger.error("Task %s failed: its worker was lost %d times", result.id,
                             len(result.worker_ids), extra={"task_id": str(result.id)})
                continue
            result.status = TaskResultStatus.READY
            result.started_at = None
            result.save(update_fields=["status", "started_at"])
            done["requeued"].append(str(result.id))
            logger.warning("Task %s requeued: worker %s is gone", result.id, last or "?",
                           extra={"task_id": str(result.id), "worker_id": last})
    return done


class Command(BaseCommand):
    help = "Requeue background tasks whose worker died while running them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=DEFAULT_OLDER_THAN, metavar="SECONDS",
            help="Treat tasks running longer than this as abandoned (default: %(default)s).",
        )
        parser.add_argument("--max-attempts", type=int, default=DEFAULT_MAX_ATTEMPTS,
                            help="Fail a task whose worker was lost this many times.")

    def handle(self, *, older_than, max_attempts, **options):
        done = recover_tasks(older_than=timedelta(seconds=older_than), max_attempts=max_attempts)
        self.stdout.write(
            f"Requeued {len(done['requeued'])} task(s); failed {len(done['failed'])}."
        )
