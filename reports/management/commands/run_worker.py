"""`db_worker` plus recovery: the background worker to run in production.

Same options as django-tasks-db's `db_worker`; the worker id says host and process
(`host:pid:random`), abandoned tasks are requeued at start-up and every --recover-every
seconds (see `recover_tasks`), so a worker killed mid-task is made good by the next one
that starts on its machine, or by any worker once the task is older than --recover-after.
"""

import logging
import threading
from datetime import timedelta

from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from cities import audit
from criteria.exchanges import send_pending_exchange_notices
from criteria.models import SubmissionKey
from criteria.reminders import send_deadline_reminders
from reports import brief_cache

from .recover_tasks import DEFAULT_OLDER_THAN, recover_tasks, worker_id_for_this_process

logger = logging.getLogger("reports.tasks")


class Command(DBWorkerCommand):
    help = "Run a background worker that also recovers tasks abandoned by dead workers."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=worker_id_for_this_process())
        parser.add_argument("--recover-after", type=int, default=DEFAULT_OLDER_THAN,
                            metavar="SECONDS",
                            help="Requeue tasks running longer than this (default: %(default)s).")
        parser.add_argument("--recover-every", type=int, default=300, metavar="SECONDS",
                            help="How often to look for abandoned tasks; 0 only at start-up.")

    def handle(self, *args, recover_after, recover_every, **options):
        older_than = timedelta(seconds=recover_after)
        self._recover(older_than)
        if recover_every > 0 and not options.get("batch"):
            stop = threading.Event()
            thread = threading.Thread(
                target=self._sweep, args=(older_than, recover_every, stop), daemon=True,
                name="task-recovery",
            )
            thread.start()
        return super().handle(*args, **options)

    def _recover(self, older_than):
        try:
            done = recover_tasks(older_than=older_than)
            # The same sweep keeps the audit trail and the idempotency keys within their
            # retention, and queues the deadline reminders (criteria/reminders.py; idempotent,
            # so queuing it on every sweep of every worker sends each reminder once).
            audit.prune()
            SubmissionKey.objects.prune()
            brief_cache.prune_stored()  # reports/brief_cache.py
            send_deadline_reminders.enqueue()
            send_pending_exchange_notices.enqueue()  # criteria/exchanges.py, also idempotent
        except Exception:  # the worker itself must keep running
            logger.exception("Task recovery failed")
        else:
            if done["requeued"] or done["failed"]:
                logger.warning("Recovered tasks: %s", done)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connection.close()

    def _sweep(self, older_than, every, stop):
        while not stop.wait(every):
            self._recover(older_than)
