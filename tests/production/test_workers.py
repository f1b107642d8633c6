"""Background work across machines: workers share PostgreSQL without running a task twice,
and a worker killed in the middle of a task is made good by the next one.

The worker tests start real `manage.py run_worker` processes on the test database, so they
need PostgreSQL (CI runs them there); the recovery rules are also tested in-process.
"""

import io
import os
import signal
import time
import zipfile
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cities.models import User
from reports.exports import start_export
from reports.management.commands.recover_tasks import recover_tasks, this_host
from reports.models import ExportJob

from .conftest import child_env, database_url, manage, popen_manage, postgres_only
from .tasks import record_run

pytestmark = pytest.mark.django_db(transaction=True)


def _claim_as(result, worker_id, *, started=None):
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=[worker_id],
        started_at=started or timezone.now(),
    )


def _dead_pid():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def test_a_task_whose_worker_died_on_this_machine_is_requeued_at_once(tmp_path):
    result = record_run.enqueue(str(tmp_path / "runs"), 1)
    _claim_as(result, f"{this_host()}:{_dead_pid()}:abcdefgh")
    assert recover_tasks()["requeued"] == [str(result.id)]
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY


def test_a_task_whose_worker_lives_is_left_alone_until_it_is_stale(tmp_path):
    result = record_run.enqueue(str(tmp_path / "runs"), 1)
    _claim_as(result, f"{this_host()}:{os.getppid()}:abcdefgh")
    assert recover_tasks() == {"requeued": [], "failed": []}
    # A worker on another machine is judged by age alone.
    _claim_as(result, "elsewhere:123:abcdefgh", started=timezone.now() - timedelta(hours=2))
    assert recover_tasks(older_than=timedelta(hours=1))["requeued"] == [str(result.id)]


def test_a_task_that_keeps_losing_its_worker_fails_with_its_export(tmp_path):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    secretariat = User.objects.get(username="demo-secretariat")
    job = start_export(user=secretariat, round="2023")
    result = DBTaskResult.objects.get(task_path__endswith="export_round_briefs")
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id),
                                               status=ExportJob.Status.RUNNING)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, worker_ids=["a:1:x", "b:2:y", "gone:3:z"],
        started_at=timezone.now() - timedelta(hours=3),
    )
    assert recover_tasks()["failed"] == [str(result.id)]
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "stopped 3 times" in job.error


@postgres_only
def test_two_workers_on_postgresql_never_run_the_same_task_twice(tmp_path):
    runs = tmp_path / "runs"
    results = [record_run.enqueue(str(runs), n) for n in range(40)]
    env = child_env(DATABASE_URL=database_url())
    workers = [popen_manage("run_worker", "--batch", "--no-startup-delay", "--interval", "0",
                            env=env) for _ in range(2)]
    for worker in workers:
        out, _ = worker.communicate(timeout=120)
        assert worker.returncode == 0, out

    lines = runs.read_text().split()
    numbers = Counter(int(n) for n in lines[0::2])
    pids = set(lines[1::2])
    assert sorted(numbers) == list(range(40))
    assert set(numbers.values()) == {1}, "a task ran twice"
    assert len(pids) == 2, "both workers should have taken tasks"
    for result in DBTaskResult.objects.filter(pk__in=[r.id for r in results]):
        assert result.status == TaskResultStatus.SUCCESSFUL
        assert len(result.worker_ids) == 1


@postgres_only
def test_worker_killed_in_the_middle_of_a_pdf_export_rerun_leaves_exactly_one_output(
    tmp_path, settings
):
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=io.StringIO())
    secretariat = User.objects.get(username="demo-secretariat")
    job = start_export(user=secretariat, round="2023")  # autocommit: enqueued at once
    job.refresh_from_db()
    assert job.task_id
    env = child_env(DATABASE_URL=database_url(), DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT))

    worker = popen_manage("run_worker", "--no-startup-delay", "--interval", "0.2", env=env)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == ExportJob.Status.RUNNING and 1 <= job.completed < job.total:
                break
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.05)
        else:
            pytest.fail("the export never started")
        worker.send_signal(signal.SIGKILL)  # mid-export: some PDFs done, not all
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    job.refresh_from_db()
    task = DBTaskResult.objects.get(pk=job.task_id)
    assert job.status == ExportJob.Status.RUNNING and task.status == TaskResultStatus.RUNNING
    assert not list((settings.MEDIA_ROOT / "exports").glob("*")) if (
        settings.MEDIA_ROOT / "exports").exists() else True

    # The next worker on this machine sees its predecessor is gone and reruns the export.
    out = manage("run_worker", "--batch", "--no-startup-delay", env=env).stdout
    job.refresh_from_db()
    task.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, out
    assert task.status == TaskResultStatus.SUCCESSFUL and len(task.worker_ids) == 2
    assert job.attempts == 2
    outputs = list((settings.MEDIA_ROOT / "exports").glob("*"))
    assert [p.name for p in outputs] == [os.path.basename(job.file.name)]
    with zipfile.ZipFile(outputs[0]) as archive:
        names = archive.namelist()
    # five briefs, each once, and the citation sidecar
    assert "about.json" in names
    assert len(names) == len(set(names)) == job.total + 1 == 6
