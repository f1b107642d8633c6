"""Faults in the middle of a request: nothing half-saved, no orphan file.

Runs on SQLite and, in CI, on PostgreSQL. Concurrent saves: tests/criteria/test_concurrency.py.
"""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from simple_history.models import HistoricalRecords

from criteria.models import CriterionResponse, Evidence

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_upload_whose_database_write_fails_leaves_no_row_and_no_file(
    client, editor_a, palmira_draft, settings, monkeypatch
):
    response = palmira_draft.responses.get(criterion__number=1)
    evidence_before = Evidence.objects.count()
    history_before = Evidence.history.count()
    real_insert = Evidence._do_insert

    def failing_insert(self, *args, **kwargs):
        assert self.file and self.file._committed  # the file is already on disk
        assert _files(settings), "the upload should be stored before the row is written"
        raise DatabaseError("disk full on the database server")

    monkeypatch.setattr(Evidence, "_do_insert", failing_insert)
    client.force_login(editor_a)
    client.raise_request_exception = False
    result = client.post(
        reverse("criteria:evidence-add", args=[palmira_draft.pk, 1]),
        {"kind": "document", "title": "Budget law", "source": "City council",
         "strength": "documented", "file": SimpleUploadedFile("law.pdf", PDF)},
    )
    assert result.status_code == 500
    monkeypatch.setattr(Evidence, "_do_insert", real_insert)
    assert Evidence.objects.count() == evidence_before
    assert Evidence.history.count() == history_before
    assert _files(settings) == [], "no orphan file"
    assert CriterionResponse.objects.get(pk=response.pk).version == response.version


@pytest.mark.django_db
def test_save_whose_history_write_fails_changes_nothing(
    client, editor_a, palmira_draft, monkeypatch
):
    response = palmira_draft.responses.get(criterion__number=2)
    history_before = response.history.count()

    def failing_history(*args, **kwargs):
        raise DatabaseError("connection lost while writing history")

    # The row is updated first; the history row comes after, inside the same transaction.
    monkeypatch.setattr(HistoricalRecords, "create_historical_record", failing_history)
    client.force_login(editor_a)
    client.raise_request_exception = False
    result = client.post(
        reverse("criteria:response-edit", args=[palmira_draft.pk, 2]),
        {"level": 3, "current_strengths": "Half-saved?", "opportunities": "",
         "confidence": "", "not_applicable_reason": "", "version": response.version},
    )
    assert result.status_code == 500
    fresh = CriterionResponse.objects.get(pk=response.pk)
    assert fresh.version == response.version
    assert fresh.current_strengths == response.current_strengths
    assert fresh.history.count() == history_before


# Concurrent saves of one response (2 and 6 editors, both databases) are tested in
# tests/criteria/test_concurrency.py.