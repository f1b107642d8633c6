"""A workbook upload waiting for its person to confirm the preview (see criteria/workbook.py).

The parsed cells are kept here, on the server, tied to the person and the assessment, so the
confirm step applies exactly what was previewed and never trusts values sent back by the page.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: How long an upload waits for its confirmation; after that it must be uploaded again.
WORKBOOK_UPLOAD_HOURS = 24


class WorkbookUploadQuerySet(models.QuerySet):
    def expired(self, *, now=None):
        cutoff = (now or timezone.now()) - timedelta(hours=WORKBOOK_UPLOAD_HOURS)
        return self.filter(created_at__lt=cutoff)


class WorkbookUpload(models.Model):
    """One uploaded workbook, parsed, waiting for (or past) its confirmation.

    `key` doubles as the idempotency key of the confirm form (workflow.claim_submission):
    a second confirm finds it taken and applies nothing.
    """

    key = models.UUIDField(_("key"), primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(
        "criteria.Assessment", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("assessment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("uploaded by"),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content = models.JSONField(_("parsed workbook"), default=dict)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    objects = WorkbookUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("workbook upload")
        verbose_name_plural = _("workbook uploads")
        indexes = [models.Index(fields=["user", "assessment"], name="workbook_upload_owner")]

    def __str__(self):
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_expired(self):
        return self.created_at < timezone.now() - timedelta(hours=WORKBOOK_UPLOAD_HOURS)
