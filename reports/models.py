from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A job's ZIP holds what its requester may see, so only they (or a superuser) read it."""
        if not user.is_authenticated:
            return self.none()
        return self if user.is_superuser else self.filter(requested_by=user)


class ExportJob(models.Model):
    """One background export of every brief of a round into one ZIP file."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    round = models.CharField(_("round"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs",
        verbose_name=_("requested by"),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    paper = models.CharField(_("paper size"), max_length=10, default="a4")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("briefs to render"), default=0)
    completed = models.PositiveIntegerField(_("briefs rendered"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("ZIP file"), upload_to="exports/", blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        constraints = [
            # Asking twice for the same round while one export runs reuses it.
            models.UniqueConstraint(
                fields=["requested_by", "round", "language", "paper"],
                condition=Q(status__in=["queued", "running"]),
                name="one_active_export_per_round",
            ),
            models.CheckConstraint(
                condition=Q(completed__lte=models.F("total")),
                name="export_completed_not_above_total",
            ),
        ]

    def __str__(self):
        return f"Export {self.round} ({self.get_status_display()})"

    @property
    def percent(self):
        if self.status == self.Status.DONE:
            return 100
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def is_active(self):
        return self.status in self.ACTIVE_STATUSES

    @property
    def can_retry(self):
        return self.status == self.Status.FAILED


class BriefInputs(models.Model):
    """One row: a counter that moves whenever something a published brief shows may have
    changed outside the frozen assessment — directory names, the framework and its practices,
    outcome figures and goals, the office's plan, another assessment published. Part of every
    stored brief's key (reports/brief_cache.py), so a change never serves a stale brief."""

    generation = models.PositiveBigIntegerField(_("generation"), default=0)
    #: When the generation last moved: stored briefs made before it can no longer be served.
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("brief inputs")
        verbose_name_plural = _("brief inputs")

    def __str__(self):
        return f"Brief inputs, generation {self.generation}"


class StoredBrief(models.Model):
    """A published brief rendered once and kept in storage (local disk or S3), found by its key:
    (assessment version, what else it shows, language, paper, template and catalog version).

    The row is written after its file is complete, and only the row's file is ever served, so
    a concurrent first request never reads a half-written file."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF")
        PAGE = "page", _("Web page")

    key = models.CharField(_("key"), max_length=64, unique=True)
    assessment = models.ForeignKey(
        "criteria.Assessment", on_delete=models.CASCADE, related_name="stored_briefs",
        verbose_name=_("assessment"),
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=10)
    paper = models.CharField(_("paper size"), max_length=10, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="briefs/", max_length=300)
    size = models.PositiveIntegerField(_("bytes"), default=0)
    created_at = models.DateTimeField(_("rendered"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored brief")
        verbose_name_plural = _("stored briefs")

    def __str__(self):
        return f"{self.filename} ({self.language}, {self.key[:12]})"
