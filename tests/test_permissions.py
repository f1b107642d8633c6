"""Every page and action × every persona: the expected status, and refused writes change nothing.

404 where the object is not theirs to see; 403 where they may see it but not do this;
302 to the sign-in page where signing in could help.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from cities.models import OfficeMembership
from criteria.models import Assessment, CriterionResponse, Evidence, ReviewComment

pytestmark = pytest.mark.django_db

P = ["anonymous", "editor_a", "viewer_a", "editor_b", "secretariat", "researcher"]


def expect(*codes):
    return dict(zip(P, codes, strict=True))


SEE_DRAFT = expect(404, 200, 200, 404, 200, 404)
EDIT_DRAFT = expect(404, 200, 403, 404, 403, 404)
REVIEW = expect(404, 403, 403, 404, 200, 404)
SIGNED_IN = expect(302, 200, 200, 200, 200, 200)
PUBLIC = expect(200, 200, 200, 200, 200, 200)

GET_TABLE = [
    ("home", lambda o: reverse("home"), PUBLIC),
    ("criteria", lambda o: reverse("criteria:criterion-list"), PUBLIC),
    ("cities", lambda o: reverse("cities:city-list"), PUBLIC),
    ("office", lambda o: reverse("cities:office-detail", args=["palmira-security-coexistence"]),
     PUBLIC),
    ("published chart", lambda o: o["cali"].get_absolute_url(), PUBLIC),
    ("draft", lambda o: o["draft"].get_absolute_url(), SEE_DRAFT),
    ("edit criterion", lambda o: reverse("criteria:response-edit", args=[o["draft"].pk, 1]),
     expect(404, 200, 302, 404, 302, 404)),
    ("history", lambda o: reverse("criteria:response-history", args=[o["draft"].pk, 1]),
     SEE_DRAFT),
    ("profile", lambda o: reverse("criteria:profile-edit", args=[o["draft"].pk]), EDIT_DRAFT),
    ("submit page", lambda o: reverse("criteria:assessment-submit", args=[o["draft"].pk]),
     EDIT_DRAFT),
    # A GET of the add-evidence URL (a reload or language switch after a refused form)
    # goes back to the criterion for those who may see it.
    ("add evidence (GET)", lambda o: reverse("criteria:evidence-add", args=[o["draft"].pk, 1]),
     expect(404, 302, 302, 404, 302, 404)),
    ("evidence download", lambda o: reverse("criteria:evidence-download",
                                            args=[o["evidence"].pk]), SEE_DRAFT),
    ("evidence delete page", lambda o: reverse("criteria:evidence-delete",
                                               args=[o["evidence"].pk]), EDIT_DRAFT),
    ("my assessments", lambda o: reverse("criteria:my-assessments"), SIGNED_IN),
    ("account", lambda o: reverse("account"), SIGNED_IN),
    ("start", lambda o: reverse("criteria:assessment-start",
                                args=["palmira-security-coexistence"]),
     expect(302, 200, 403, 403, 403, 403)),
    ("review queue", lambda o: reverse("criteria:review-queue"),
     expect(302, 403, 403, 403, 200, 403)),
    ("review", lambda o: reverse("criteria:assessment-review", args=[o["draft"].pk]), REVIEW),
    ("members", lambda o: reverse("cities:office-members",
                                  args=["palmira-security-coexistence"]),
     expect(302, 403, 403, 403, 200, 403)),
]


@pytest.fixture
def objects(palmira_draft, editor_a):
    evidence = Evidence.objects.create(
        response=palmira_draft.responses.get(criterion__number=1), kind="document",
        title="Minutes", file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        original_name="minutes.pdf", content_type="application/pdf", created_by=editor_a,
    )
    return {
        "draft": palmira_draft,
        "cali": Assessment.objects.get(city__slug="cali", round="2023"),
        "evidence": evidence,
        "response": palmira_draft.responses.get(criterion__number=1),
    }


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize(("name", "url", "statuses"), GET_TABLE, ids=[t[0] for t in GET_TABLE])
def test_get(as_persona, objects, persona, name, url, statuses):
    result = as_persona(persona).get(url(objects))
    assert result.status_code == statuses[persona], (name, persona)


def snapshot():
    """Everything a write in the table could change."""
    return {
        "responses": list(CriterionResponse.objects.order_by("pk").values_list("pk", "version")),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", "strength")),
        "assessments": list(Assessment.objects.order_by("pk").values_list("pk", "status")),
        "comments": ReviewComment.objects.count(),
        "memberships": list(OfficeMembership.objects.order_by("pk").values_list("pk", "role")),
    }


def _answer(o):
    return {"version": o["response"].version, "level": "1", "current_strengths": "x",
            "opportunities": "y", "confidence": "low", "not_applicable_reason": ""}


WRITE_OK = expect(404, 302, 403, 404, 403, 404)
REVIEW_OK = expect(404, 403, 403, 404, 302, 404)

POST_TABLE = [
    ("save criterion", lambda o: reverse("criteria:response-edit", args=[o["draft"].pk, 1]),
     _answer, WRITE_OK),
    ("confirm", lambda o: reverse("criteria:response-confirm", args=[o["draft"].pk, 1]),
     lambda o: {"version": o["response"].version}, WRITE_OK),
    ("add evidence", lambda o: reverse("criteria:evidence-add", args=[o["draft"].pk, 1]),
     lambda o: {"kind": "note", "title": "T", "note": "N", "strength": "self_reported"},
     WRITE_OK),
    ("delete evidence", lambda o: reverse("criteria:evidence-delete", args=[o["evidence"].pk]),
     lambda o: {}, WRITE_OK),
    ("verify evidence", lambda o: reverse("criteria:evidence-verify", args=[o["evidence"].pk]),
     lambda o: {}, REVIEW_OK),
    ("profile", lambda o: reverse("criteria:profile-edit", args=[o["draft"].pk]),
     lambda o: {"institutional_location": "mayors_office", "police_control": "national",
                "staffing_model": "mixed", "staff_expertise": "both",
                "funding-TOTAL_FORMS": "0", "funding-INITIAL_FORMS": "0",
                "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "1000"}, WRITE_OK),
    ("comment", lambda o: reverse("criteria:comment-add", args=[o["draft"].pk]),
     lambda o: {"body": "Looks good"}, REVIEW_OK),
    ("request changes", lambda o: reverse("criteria:request-changes", args=[o["draft"].pk]),
     lambda o: {"note": "Change it"}, REVIEW_OK),
    ("publish", lambda o: reverse("criteria:publish", args=[o["draft"].pk]),
     lambda o: {}, REVIEW_OK),
    ("start", lambda o: reverse("criteria:assessment-start",
                                args=["palmira-security-coexistence"]),
     lambda o: {"round": "2031"}, expect(302, 302, 403, 403, 403, 403)),
    ("invite", lambda o: reverse("cities:office-members", args=["palmira-security-coexistence"]),
     lambda o: {"email": "new@example.org", "role": "viewer"},
     expect(302, 403, 403, 403, 302, 403)),
]


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize(("name", "url", "data", "statuses"), POST_TABLE,
                         ids=[t[0] for t in POST_TABLE])
def test_post(as_persona, objects, persona, name, url, data, statuses):
    before = snapshot()
    result = as_persona(persona).post(url(objects), data(objects))
    assert result.status_code == statuses[persona], (name, persona)
    refused = result.status_code in (403, 404) or (
        persona == "anonymous" and "/accounts/login/" in result.get("Location", "")
    )
    if refused:
        assert snapshot() == before, f"{persona} changed data through {name}"
