"""Batch export of a round: permissions, idempotence, failure and retry, progress, download."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from reports import exports
from reports.exports import retry_export, run_export, start_export
from reports.models import ExportJob

pytestmark = pytest.mark.django_db


def _zip_names(job):
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return sorted(zipfile.ZipFile(io.BytesIO(handle.read())).namelist())


def test_secretariat_export_contains_one_pdf_per_brief_and_the_network_brief(
    secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_export(user=secretariat, round="2023")
    # Queued in the database for a worker, not run in the request.
    assert DBTaskResult.objects.filter(task_path__endswith="export_round_briefs").exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.task_id
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert (job.completed, job.total, job.percent) == (5, 5, 100)
    names = _zip_names(job)
    assert len(names) == 6
    assert "network-brief-2023.pdf" in names
    # The sidecar says what is inside and cites the open data as the open-data page does.
    with job.file.open("rb") as handle:
        about = json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("about.json"))
    assert about["round"] == "2023" and len(about["briefs"]) == 4
    assert [d["network"] for d in about["datasets"]] == ["pioc"]
    assert about["datasets"][0]["citation"].endswith("/open-data/#pioc")
    assert sum(name.startswith("cali-") for name in names) == 1


def test_rerunning_an_export_never_duplicates(secretariat):
    job = start_export(user=secretariat, round="2023")
    run_export(job.pk)
    first = _zip_names(job)
    file_name = job.file.name
    run_export(job.pk)  # delivered twice: a no-op
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.QUEUED)
    run_export(job.pk)  # run again from scratch: same entries, same file
    assert _zip_names(job) == first
    job.refresh_from_db()
    assert job.file.name == file_name
    assert job.attempts == 2


def test_asking_twice_while_running_reuses_the_job(secretariat):
    first = start_export(user=secretariat, round="2023")
    assert start_export(user=secretariat, round="2023") == first
    assert ExportJob.objects.count() == 1


@pytest.mark.parametrize("persona", ["editor_a", "viewer_a", "editor_b", "researcher"])
def test_only_the_secretariat_may_export(request, persona):
    with pytest.raises(PermissionDenied):
        start_export(user=request.getfixturevalue(persona), round="2023")


def test_failed_export_shows_its_error_and_can_be_retried(
    secretariat, monkeypatch, as_persona, django_capture_on_commit_callbacks
):
    job = start_export(user=secretariat, round="2023")
    real = exports.renderers.render_brief_pdf
    calls = {"n": 0}

    def flaky(brief, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("fonts missing on the worker")
        return real(brief, **kwargs)

    monkeypatch.setattr(exports.renderers, "render_brief_pdf", flaky)
    with pytest.raises(RuntimeError):
        run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "fonts missing on the worker" in job.error
    assert job.completed == 1

    client = as_persona("secretariat")
    page = client.get(reverse("reports:export-list")).content.decode()
    assert "fonts missing on the worker" in page
    assert reverse("reports:export-retry", args=[job.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:export-retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ExportJob.Status.QUEUED and job.error == ""
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert len(_zip_names(job)) == 6  # four briefs, the network brief, about.json


def test_retrying_a_finished_export_changes_nothing(secretariat):
    job = start_export(user=secretariat, round="2023")
    run_export(job.pk)
    job.refresh_from_db()
    assert retry_export(job=job, by=secretariat).status == ExportJob.Status.DONE


def test_export_page_and_status_follow_the_job(as_persona, secretariat):
    client = as_persona("secretariat")
    response = client.post(reverse("reports:export-list"), {"round": "2023", "paper": "letter"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.paper == "letter"
    status = client.get(reverse("reports:export-status", args=[job.pk])).json()
    assert status["status"] == "queued" and status["download"] == ""
    run_export(job.pk)
    status = client.get(reverse("reports:export-status", args=[job.pk])).json()
    assert status["percent"] == 100
    download = client.get(status["download"])
    assert download["Content-Type"] == "application/zip"
    assert "attachment" in download["Content-Disposition"]


def test_unknown_round_is_refused_with_a_message(as_persona):
    response = as_persona("secretariat").post(
        reverse("reports:export-list"), {"round": "1999"}, follow=True
    )
    assert b"Choose a round" in response.content
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona,status", [
    ("anonymous", 302), ("editor_a", 403), ("viewer_a", 403), ("editor_b", 403),
    ("researcher", 403), ("secretariat", 200),
])
def test_export_page_permissions(as_persona, persona, status):
    assert as_persona(persona).get(reverse("reports:export-list")).status_code == status


@pytest.mark.parametrize("route", ["reports:export-status", "reports:export-download"])
def test_someone_elses_export_is_a_404(as_persona, secretariat, route):
    job = start_export(user=secretariat, round="2023")
    run_export(job.pk)
    response = as_persona("researcher").get(reverse(route, args=[job.pk]))
    assert response.status_code == 404
