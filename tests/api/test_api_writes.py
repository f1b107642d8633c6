"""Writes through the API follow the pages' rules: versions, validation, upload checks."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from criteria.models import CriterionResponse, Evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(palmira_draft):
    return palmira_draft.responses.order_by("criterion__number").first()


def test_etag_is_the_version_and_if_match_writes(api_as, answer):
    client = api_as("editor_a")
    read = client.get(f"/api/responses/{answer.pk}/")
    assert read["ETag"] == f'"{answer.version}"'
    saved = client.patch(f"/api/responses/{answer.pk}/", {"opportunities": "More staff"},
                         format="json", HTTP_IF_MATCH=read["ETag"])
    assert saved.status_code == 200
    assert saved.json()["version"] == answer.version + 1
    assert saved["ETag"] == f'"{answer.version + 1}"'


def test_stale_write_is_412_and_changes_nothing(api_as, answer, editor_a):
    client = api_as("editor_a")
    history_before = answer.history.count()
    first = client.patch(f"/api/responses/{answer.pk}/", {"current_strengths": "First"},
                         format="json", HTTP_IF_MATCH=f'"{answer.version}"')
    assert first.status_code == 200
    stale = client.patch(f"/api/responses/{answer.pk}/", {"current_strengths": "Second"},
                         format="json", HTTP_IF_MATCH=f'"{answer.version}"')
    assert stale.status_code == 412
    assert stale.json()["current"]["current_strengths"] == "First"
    assert stale["ETag"] == f'"{answer.version + 1}"'
    fresh = CriterionResponse.objects.get(pk=answer.pk)
    assert (fresh.current_strengths, fresh.version) == ("First", answer.version + 1)
    assert fresh.history.count() == history_before + 1


def test_missing_if_match_is_428(api_as, answer):
    result = api_as("editor_a").patch(f"/api/responses/{answer.pk}/", {"level": 1},
                                      format="json")
    assert result.status_code == 428
    assert CriterionResponse.objects.get(pk=answer.pk).version == answer.version


@pytest.mark.parametrize(("body", "field"), [
    ({"level": 7}, "level"),
    ({"level": "high"}, "level"),
    ({"not_applicable": True}, "not_applicable_reason"),
    ({"confidence": "total"}, "confidence"),
])
def test_invalid_write_names_the_field(api_as, answer, body, field):
    result = api_as("editor_a").patch(f"/api/responses/{answer.pk}/", body, format="json",
                                      HTTP_IF_MATCH=f'"{answer.version}"')
    assert result.status_code == 400
    assert field in result.json()
    assert CriterionResponse.objects.get(pk=answer.pk).version == answer.version


def test_evidence_upload_is_checked_by_content(api_as, answer):
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", "application/pdf")
    result = api_as("editor_a").post("/api/evidence/", {
        "response": answer.pk, "kind": "document", "title": "Report", "file": fake,
    }, format="multipart")
    assert result.status_code == 400
    assert "file" in result.json()
    assert not Evidence.objects.filter(response=answer).exists()


def test_evidence_upload_and_delete(api_as, answer):
    client = api_as("editor_a")
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4 report\n%%EOF\n", "application/pdf")
    created = client.post("/api/evidence/", {
        "response": answer.pk, "kind": "document", "title": "Report", "file": pdf,
    }, format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["has_file"] and body["original_name"] == "report.pdf"
    assert body["download_url"] == f"/evidence/{body['id']}/download/"
    stale = client.delete(f"/api/evidence/{body['id']}/", HTTP_IF_MATCH='"999"')
    assert stale.status_code == 412
    assert client.delete(f"/api/evidence/{body['id']}/").status_code == 204
    assert not Evidence.objects.filter(pk=body["id"]).exists()
