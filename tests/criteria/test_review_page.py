"""The review page shows what the secretariat decides on (each evidence item in full, the
office profile, links to the brief and the assessment); publishing asks first and then
freezes everything, for every role and path; verification re-checks under the lock."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from criteria import workflow
from criteria.models import (
    Assessment,
    CriterionResponse,
    Evidence,
    FundingSource,
    ReviewComment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(palmira_draft, complete_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=2)
    link = Evidence.objects.create(
        response=response, kind="link", title="Council minutes",
        url="https://example.org/minutes?id=7", source="City council",
        date=datetime.date(2024, 1, 1), date_precision="month",
        note="Line one of the note.\nLine two of the note.")
    upload = Evidence.objects.create(
        response=response, kind="document", title="Budget law",
        file=ContentFile(b"%PDF-1.4 law", name="law.pdf"), original_name="ley-presupuesto.pdf",
        content_type="application/pdf", size=123456, source="Gaceta", created_by=editor_a)
    hostile = Evidence.objects.create(response=response, kind="link", title="Odd link",
                                      url="javascript:alert(1)")
    FundingSource.objects.create(profile=palmira_draft.profile, name="Municipal budget",
                                 kind="municipal", share_percent=80)
    workflow.submit_assessment(assessment=palmira_draft, by=editor_a)
    return {"assessment": palmira_draft, "link": link, "upload": upload, "hostile": hostile,
            "response": response}


def test_the_review_page_shows_each_evidence_item_in_full(client, secretariat, submitted):
    client.force_login(secretariat)
    a = submitted["assessment"]
    html = client.get(reverse("criteria:assessment-review", args=[a.pk])).content.decode()
    assert "Line one of the note.<br>Line two of the note." in html
    assert ('<a href="https://example.org/minutes?id=7" rel="noopener noreferrer nofollow"'
            in html)
    assert "City council" in html and "January 2024" in html  # month precision: no day
    assert "ley-presupuesto.pdf" in html and "120.6\xa0KB" in html
    assert reverse("criteria:evidence-download", args=[submitted["upload"].pk]) in html
    # A URL that is not http(s) is shown, never linked.
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html
    # Beside each item, its verify button.
    assert html.count(">Mark as verified<") == 3
    # The office profile (funding source with its share) and the links.
    assert "Municipal budget (Municipal budget, 80 %)" in html
    assert f'href="{a.get_absolute_url()}"' in html
    assert reverse("reports:brief", args=[a.pk]) in html


def test_publishing_asks_first_and_a_get_never_publishes(client, secretariat, submitted):
    client.force_login(secretariat)
    a = submitted["assessment"]
    url = reverse("criteria:publish", args=[a.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Yes, publish and freeze it" in page.content
    assert b"3 evidence items are not marked as verified." in page.content
    # A POST without the confirmation (an old form, another site's button) shows the question.
    assert client.post(url, {"make_public": "on"}).status_code == 200
    assert Assessment.objects.get(pk=a.pk).status == "submitted"
    done = client.post(url, {"confirm": "publish", "make_public": "on"})
    assert done.status_code == 302
    a.refresh_from_db()
    assert a.status == "published" and a.is_public


def _state(assessment):
    return {
        "assessment": Assessment.objects.filter(pk=assessment.pk).values(
            "status", "is_public", "summary").get(),
        "responses": list(CriterionResponse.objects.filter(assessment=assessment)
                          .order_by("pk").values("pk", "version", "current_strengths")),
        "evidence": list(Evidence.objects.filter(response__assessment=assessment)
                         .order_by("pk").values("pk", "strength", "title")),
        "comments": ReviewComment.objects.filter(assessment=assessment).count(),
    }


def test_after_publishing_no_role_changes_anything(client, secretariat, office_lead,
                                                   submitted):
    a = workflow.publish_assessment(assessment=submitted["assessment"], by=secretariat)
    response, link = submitted["response"], submitted["link"]
    before = _state(a)
    tries = [
        (office_lead, "post", reverse("criteria:response-edit", args=[a.pk, 2]),
         {"data": {"version": response.version, "level": "0", "current_strengths": "late",
                   "opportunities": "late", "confidence": "low"}}),
        (office_lead, "post", reverse("criteria:evidence-add", args=[a.pk, 2]),
         {"data": {"kind": "note", "title": "Late", "note": "N"}}),
        (office_lead, "patch", f"/api/responses/{response.pk}/",
         {"data": {"current_strengths": "late"}, "content_type": "application/json",
          "headers": {"If-Match": f'"{response.version}"'}}),
        (office_lead, "delete", f"/api/evidence/{link.pk}/", {}),
        (secretariat, "get", reverse("criteria:publish", args=[a.pk]), {}),
        (secretariat, "post", reverse("criteria:publish", args=[a.pk]),
         {"data": {"confirm": "publish"}}),
        (secretariat, "post", reverse("criteria:evidence-verify", args=[link.pk]), {}),
        (secretariat, "post", reverse("criteria:comment-add", args=[a.pk]),
         {"data": {"body": "After publication"}}),
    ]
    statuses = []
    for who, method, url, kwargs in tries:
        client.force_login(who)
        statuses.append((method, url, getattr(client, method)(url, **kwargs).status_code))
    assert all(code == 403 for _m, _u, code in statuses), statuses
    assert _state(a) == before
    # The review page of a published assessment offers no write.
    client.force_login(secretariat)
    html = client.get(reverse("criteria:assessment-review", args=[a.pk])).content.decode()
    assert "Mark as verified" not in html and "Add comment" not in html


def test_verification_rechecks_under_the_lock(secretariat, submitted):
    """The view read the assessment as submitted; it was published before the verification
    took the lock: the verification is refused and the evidence is unchanged."""
    link = Evidence.objects.select_related("response__assessment").get(pk=submitted["link"].pk)
    assert link.response.assessment.status == "submitted"  # what the view saw
    workflow.publish_assessment(assessment=submitted["assessment"], by=secretariat)
    with pytest.raises(PermissionDenied):
        workflow.verify_evidence(evidence=link, by=secretariat)
    assert Evidence.objects.get(pk=link.pk).strength != "verified"


def test_verification_marks_the_evidence(client, secretariat, submitted):
    client.force_login(secretariat)
    link = submitted["link"]
    assert client.post(reverse("criteria:evidence-verify", args=[link.pk])).status_code == 302
    assert Evidence.objects.get(pk=link.pk).strength == "verified"
