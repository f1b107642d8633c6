"""Batch export: every brief of a round, rendered in the background into one ZIP.

The task is idempotent: it rebuilds the ZIP from scratch into a temporary file and replaces
the job's file under a fixed name, with one entry per brief, so a rerun (a worker retry, a
user's retry after a failure, or a duplicate delivery) never leaves duplicates or half files.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from cities.access import is_secretariat
from cities.models import Network
from criteria.models import Assessment

from . import brief_cache, open_data, renderers
from .models import ExportJob
from .selectors import brief_queryset, build_network_brief

logger = logging.getLogger(__name__)


def can_export(user) -> bool:
    """Batch exports are the secretariat's tool (a superuser counts as one)."""
    return is_secretariat(user)


def _enqueue(job_id):
    result = export_round_briefs.enqueue(job_id)
    ExportJob.objects.filter(pk=job_id).update(task_id=str(result.id))


def start_export(*, user, round, language="en", paper="a4") -> ExportJob:
    """Queue an export of `round` for `user`, or return the one already under way."""
    if not can_export(user):
        raise PermissionDenied
    paper = renderers.paper_or_default(paper)
    active = ExportJob.objects.filter(
        requested_by=user, round=round, language=language, paper=paper,
        status__in=ExportJob.ACTIVE_STATUSES,
    ).first()
    if active:
        return active
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(
                requested_by=user, round=round, language=language, paper=paper
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:  # a concurrent request created it first
        return ExportJob.objects.get(
            requested_by=user, round=round, language=language, paper=paper,
            status__in=ExportJob.ACTIVE_STATUSES,
        )
    return job


def retry_export(*, job, by) -> ExportJob:
    """Queue a failed export again; anything else is returned unchanged."""
    if job.requested_by_id != by.pk and not by.is_superuser:
        raise PermissionDenied
    if not job.can_retry:
        return job
    try:
        with transaction.atomic():
            job.status = ExportJob.Status.QUEUED
            job.error = ""
            job.completed = 0
            job.finished_at = None
            job.save(update_fields=["status", "error", "completed", "finished_at"])
            transaction.on_commit(lambda: _enqueue(job.pk))
    except IntegrityError:  # another export of the same round is already under way
        job.refresh_from_db()
    return job


def _entry_name(filename, assessment_id, paper, taken):
    # The PDF's own name less its "brief-" prefix and paper suffix: one entry per brief.
    stem = filename.removeprefix("brief-").removesuffix(".pdf")
    if paper == "letter":
        stem = stem.removesuffix("-letter")
    name = f"{stem}.pdf"
    if name in taken:
        name = f"{stem}-{assessment_id}.pdf"
    taken.add(name)
    return name


@task()
def export_round_briefs(job_id: int) -> str:
    return run_export(job_id)


def run_export(job_id: int) -> str:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ExportJob.Status.DONE:
            return job.file.name  # delivered twice: the first run already produced the file
        job.status = ExportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.completed = 0
        job.error = ""
        job.save(update_fields=["status", "started_at", "attempts", "completed", "error"])
    try:
        name = _build_zip(job)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE, file=name, finished_at=timezone.now()
    )
    return name


def _about(job, assessments) -> dict:
    """The ZIP's sidecar: what was asked, what is inside, and the open datasets to cite."""
    base = settings.SITE_URL.rstrip("/") + reverse("reports:open-data")
    networks = Network.objects.filter(
        pk__in={a.round.network_id for a in assessments}).order_by("name")
    return {
        "title": f"Briefs of round {job.round}", "round": job.round, "language": job.language,
        "paper": job.paper, "generated_at": timezone.now().isoformat(),
        "briefs": [{"assessment_id": a.pk, "subject": a.subject, "status": a.status,
                    "published_at": a.published_at} for a in assessments],
        "datasets": [open_data.dataset(n, base_url=base).as_dict() for n in networks],
        "note": "Briefs can include assessments that are not open data; the datasets cited "
                "are the open data of the round's network.",
    }


def _build_zip(job) -> str:
    visible = Assessment.objects.visible_to(job.requested_by)
    assessments = list(
        brief_queryset(visible.filter(round__code=job.round)).order_by("city__name", "pk")
    )
    if not assessments:
        raise ValueError(f"No assessment of round {job.round} is visible to the requester.")
    # Progress counts the briefs plus the network brief.
    ExportJob.objects.filter(pk=job.pk).update(total=len(assessments) + 1, completed=0)
    taken: set[str] = set()
    with tempfile.TemporaryFile() as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, assessment in enumerate(assessments, start=1):
                # A published brief already rendered for this key comes from storage.
                filename, _type, pdf = brief_cache.office_brief_pdf(
                    assessment, reader=job.requested_by, lang=job.language, paper=job.paper
                )
                archive.writestr(_entry_name(filename, assessment.pk, job.paper, taken), pdf)
                ExportJob.objects.filter(pk=job.pk).update(completed=done)
            with translation.override(job.language):
                network = build_network_brief(visible, round=job.round)
            filename, _type, pdf = renderers.render_network_pdf(
                network, lang=job.language, paper=job.paper
            )
            archive.writestr(filename, pdf)
            archive.writestr("about.json", json.dumps(_about(job, assessments), indent=2,
                                                      ensure_ascii=False, default=str))
            ExportJob.objects.filter(pk=job.pk).update(completed=len(assessments) + 1)
        handle.seek(0)
        name = f"exports/briefs-{job.round}-{job.pk}.zip"
        # One file per job: a rerun replaces it rather than adding a suffixed copy.
        if default_storage.exists(name):
            default_storage.delete(name)
        return default_storage.save(name, File(handle, name=name))
