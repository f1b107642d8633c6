"""Private answers are never stored by a cache; every answer says which browser features the
site refuses (Permissions-Policy)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cities.models import ApiToken
from criteria.models import Assessment, Evidence
from reports.models import ExportJob

pytestmark = pytest.mark.django_db


def is_private(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.fixture
def evidence(palmira_draft, editor_a):
    return Evidence.objects.create(
        response=palmira_draft.responses.get(criterion__number=1), kind="document",
        title="Minutes", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        original_name="minutes.pdf", content_type="application/pdf", created_by=editor_a,
    )


def test_every_answer_carries_a_permissions_policy(client, editor_a):
    for url in (reverse("home"), reverse("cities:city-list"), "/api/cities/",
                reverse("admin:login"), "/static/css/app.css"):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy, url
        assert "geolocation=()" in policy, url


def test_public_pages_for_anonymous_visitors_may_be_cached(client):
    assert not is_private(client.get(reverse("home")))
    public = Assessment.objects.filter(status="published", is_public=True).first()
    assert not is_private(client.get(reverse("reports:brief", args=[public.pk])))


def test_a_draft_and_its_pages_are_private(client, editor_a, palmira_draft, evidence):
    client.force_login(editor_a)
    for url in (
        palmira_draft.get_absolute_url(),
        reverse("criteria:response-edit", args=[palmira_draft.pk, 1]),
        reverse("criteria:response-history", args=[palmira_draft.pk, 1]),
        reverse("reports:brief", args=[palmira_draft.pk]),
        reverse("reports:brief-pdf", args=[palmira_draft.pk]),
        reverse("criteria:evidence-download", args=[evidence.pk]),
        reverse("reports:network-brief", args=["2026"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url


def test_exports_and_downloads_are_private(client, secretariat):
    client.force_login(secretariat)
    job = ExportJob.objects.create(round="2026", requested_by=secretariat,
                                   status=ExportJob.Status.DONE, total=1, completed=1)
    job.file.save("test.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    for url in (reverse("reports:export-download", args=[job.pk]),
                reverse("reports:export-status", args=[job.pk]),
                reverse("reports:compare-export", args=["csv"]),
                reverse("criteria:review-queue")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert is_private(response), url


def test_api_detail_of_a_draft_with_a_token_is_private(client, editor_a, palmira_draft):
    _token, key = ApiToken.issue(user=editor_a, name="headers")
    response = client.get(f"/api/assessments/{palmira_draft.pk}/",
                          headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    assert is_private(response)
    answer = palmira_draft.responses.first()
    detail = client.get(f"/api/responses/{answer.pk}/",
                        headers={"Authorization": f"Token {key}"})
    assert detail.status_code == 200 and is_private(detail)
