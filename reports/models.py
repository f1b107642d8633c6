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
