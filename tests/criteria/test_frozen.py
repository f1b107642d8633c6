"""A published (frozen) assessment cannot change through any path: page, htmx partial, API,
admin, evidence verification, comment, profile, submit, review decisions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from criteria import workflow
from criteria.models import CriterionResponse, Evidence, FundingSource, OfficeProfile, ReviewComment

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen(palmira_draft, complete_draft, editor_a, secretariat):
    response = palmira_draft.responses.get(criterion__number=1)
    evidence = Evidence.objects.create(response=response, kind="note", title="Minutes",
                                       note="N")
    workflow.submit_assessment(assessment=palmira_draft, by=editor_a)
    assessment = workflow.publish_assessment(assessment=palmira_draft, by=secretariat)
    return {"assessment": assessment, "response": response, "evidence": evidence}


def state(assessment):
    return {
        "assessment": type(assessment).objects.filter(pk=assessment.pk).values(
            "status", "summary", "office_id", "round").get(),
        "responses": list(CriterionResponse.objects.filter(assessment=assessment)
                          .order_by("pk").values()),
        "evidence": list(Evidence.objects.filter(response__assessment=assessment)
                         .order_by("pk").values("pk", "title", "strength", "note")),
        "profile": OfficeProfile.objects.filter(assessment=assessment).values().get(),
        "funding": FundingSource.objects.filter(profile__assessment=assessment).count(),
        "comments": ReviewComment.objects.filter(assessment=assessment).count(),
    }


def _answer(response):
    return {"version": response.version, "level": "0", "current_strengths": "changed",
            "opportunities": "changed", "confidence": "low", "not_applicable_reason": ""}


def test_a_published_assessment_cannot_change_through_any_path(
        client, frozen, editor_a, secretariat, superuser):
    assessment, response, evidence = frozen["assessment"], frozen["response"], frozen["evidence"]
    before = state(assessment)
    pk, number = assessment.pk, response.criterion.number
    attempts = []

    def attempt(who, method, url, expected, **kwargs):
        client.force_login(who)
        result = getattr(client, method)(url, **kwargs)
        attempts.append((who.username, method, url, result.status_code, expected))

    # The editor's pages and htmx partials.
    attempt(editor_a, "post", reverse("criteria:response-edit", args=[pk, number]), 403,
            data=_answer(response))
    attempt(editor_a, "post", reverse("criteria:response-edit", args=[pk, number]), 403,
            data=_answer(response), headers={"HX-Request": "true"})
    attempt(editor_a, "post", reverse("criteria:response-confirm", args=[pk, number]), 403,
            data={"version": response.version})
    attempt(editor_a, "post", reverse("criteria:evidence-add", args=[pk, number]), 403,
            data={"kind": "note", "title": "Late", "note": "N", "strength": "self_reported"})
    attempt(editor_a, "post", reverse("criteria:evidence-delete", args=[evidence.pk]), 403)
    attempt(editor_a, "post", reverse("criteria:profile-edit", args=[pk]), 403,
            data={"institutional_location": "mayors_office"})
    attempt(editor_a, "post", reverse("criteria:assessment-submit", args=[pk]), 403)
    # The API.
    attempt(editor_a, "patch", f"/api/responses/{response.pk}/", 403,
            data={"current_strengths": "changed"}, content_type="application/json",
            headers={"If-Match": f'"{response.version}"'})
    attempt(editor_a, "post", "/api/evidence/", 403,
            data={"response": response.pk, "kind": "note", "title": "Late", "note": "N"},
            content_type="application/json")
    attempt(editor_a, "delete", f"/api/evidence/{evidence.pk}/", 403)
    # The secretariat's review: verification, comments, decisions.
    attempt(secretariat, "post", reverse("criteria:evidence-verify", args=[evidence.pk]), 403)
    attempt(secretariat, "post", reverse("criteria:comment-add", args=[pk]), 403,
            data={"body": "After publication"})
    attempt(secretariat, "post", reverse("criteria:request-changes", args=[pk]), 403,
            data={"note": "Reopen"})
    attempt(secretariat, "post", reverse("criteria:publish", args=[pk]), 403,
            data={"confirm": "publish"})
    attempt(secretariat, "get", reverse("criteria:publish", args=[pk]), 403)
    # The admin, for the secretariat and for a superuser alike.
    for who in (secretariat, superuser):
        attempt(who, "post", reverse("admin:criteria_criterionresponse_change",
                                     args=[response.pk]), 403,
                data={"criterion": response.criterion_id, "level": "0"})
        attempt(who, "post", reverse("admin:criteria_assessment_change", args=[pk]), 403,
                data={"round": "2026", "summary": "changed"})
        attempt(who, "post", reverse("admin:criteria_officeprofile_change",
                                     args=[assessment.profile.pk]), 403,
                data={"institutional_location": "mayors_office"})
        attempt(who, "post", reverse("admin:criteria_evidence_change", args=[evidence.pk]),
                403, data={"response": response.pk, "kind": "note", "title": "X",
                           "note": "N", "strength": "verified"})
        attempt(who, "post", reverse("admin:criteria_evidence_delete", args=[evidence.pk]),
                403, data={"post": "yes"})
        attempt(who, "post", reverse("admin:criteria_assessment_delete", args=[pk]), 403,
                data={"post": "yes"})
        attempt(who, "post", reverse("admin:criteria_reviewcomment_add"), 200,
                data={"assessment": pk, "body": "After publication"})  # refused: no such choice
        attempt(who, "post", reverse("admin:criteria_evidence_add"), 200,
                data={"response": response.pk, "kind": "note", "title": "Late", "note": "N",
                      "strength": "self_reported",
                      "file": SimpleUploadedFile("a.csv", b"a,b\n1,2\n")})

    wrong = [a for a in attempts if a[3] != a[4]]
    assert not wrong, wrong
    assert state(assessment) == before
