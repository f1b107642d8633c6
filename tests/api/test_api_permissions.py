"""Every API endpoint × every persona: what each may read, and writes refused change nothing."""

import pytest

from criteria.models import Assessment, CriterionResponse, Evidence

pytestmark = pytest.mark.django_db

P = ["anonymous", "editor_a", "viewer_a", "editor_b", "secretariat", "researcher"]


def expect(*codes):
    return dict(zip(P, codes, strict=True))


PUBLIC = expect(200, 200, 200, 200, 200, 200)
SEE_DRAFT = expect(404, 200, 200, 404, 200, 404)


@pytest.fixture
def objs(palmira_draft):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    return {
        "draft": palmira_draft,
        "draft_response": palmira_draft.responses.order_by("criterion__number").first(),
        "cali": cali,
        "cali_response": cali.responses.order_by("criterion__number").first(),
        "cali_evidence": Evidence.objects.filter(response__assessment=cali).first(),
    }


GET_TABLE = [
    ("networks", lambda o: "/api/networks/", PUBLIC),
    ("cities", lambda o: "/api/cities/", PUBLIC),
    ("offices", lambda o: "/api/offices/", PUBLIC),
    ("indicators", lambda o: "/api/indicators/", PUBLIC),
    ("frameworks", lambda o: "/api/frameworks/", PUBLIC),
    ("criteria", lambda o: "/api/criteria/", PUBLIC),
    ("good practices", lambda o: "/api/good-practices/", PUBLIC),
    ("assessments", lambda o: "/api/assessments/", PUBLIC),
    ("comparison", lambda o: "/api/comparison/", PUBLIC),
    ("published assessment", lambda o: f"/api/assessments/{o['cali'].pk}/", PUBLIC),
    ("published response", lambda o: f"/api/responses/{o['cali_response'].pk}/", PUBLIC),
    ("published evidence", lambda o: f"/api/evidence/{o['cali_evidence'].pk}/", PUBLIC),
    ("draft assessment", lambda o: f"/api/assessments/{o['draft'].pk}/", SEE_DRAFT),
    ("draft response", lambda o: f"/api/responses/{o['draft_response'].pk}/", SEE_DRAFT),
    ("schema", lambda o: "/api/schema/", PUBLIC),
    ("docs", lambda o: "/api/docs/", PUBLIC),
]


@pytest.mark.parametrize("persona", P)
@pytest.mark.parametrize(("name", "url", "statuses"), GET_TABLE, ids=[t[0] for t in GET_TABLE])
def test_read(api_as, objs, persona, name, url, statuses):
    assert api_as(persona).get(url(objs)).status_code == statuses[persona]


@pytest.mark.parametrize("persona", P)
def test_lists_hold_only_what_the_persona_may_see(api_as, objs, persona, request):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    from django.contrib.auth.models import AnonymousUser

    visible = set(Assessment.objects.visible_to(user or AnonymousUser())
                  .filter(is_synthetic=False).values_list("pk", flat=True))
    client = api_as(persona)
    listed = {a["id"] for a in client.get("/api/assessments/?page_size=500").json()["results"]}
    assert listed == visible
    responses = client.get("/api/responses/?page_size=500").json()["results"]
    assert {r["assessment"] for r in responses} <= visible
    rows = client.get("/api/comparison/?page_size=500").json()["results"]
    assert {r["assessment_id"] for r in rows} <= visible
    assert (objs["draft"].pk in listed) == (persona in {"editor_a", "viewer_a", "secretariat"})


WRITE = expect(401, 200, 403, 404, 403, 404)


@pytest.mark.parametrize("persona", P)
def test_patch_response(api_as, objs, persona):
    response = objs["draft_response"]
    result = api_as(persona).patch(
        f"/api/responses/{response.pk}/", {"level": 4, "current_strengths": "Changed"},
        format="json", HTTP_IF_MATCH=f'"{response.version}"',
    )
    assert result.status_code == WRITE[persona]
    fresh = CriterionResponse.objects.get(pk=response.pk)
    if WRITE[persona] == 200:
        assert (fresh.level, fresh.current_strengths, fresh.version) == (4, "Changed", 2)
        assert result["ETag"] == '"2"'
    else:
        assert (fresh.level, fresh.current_strengths, fresh.version) == (
            response.level, response.current_strengths, response.version)


@pytest.mark.parametrize("persona", P)
def test_add_evidence(api_as, objs, persona):
    response = objs["draft_response"]
    before = Evidence.objects.count()
    result = api_as(persona).post("/api/evidence/", {
        "response": response.pk, "kind": "link", "title": "Council minutes",
        "url": "https://example.org/minutes",
    }, format="json")
    expected = {**WRITE, "editor_b": 400, "researcher": 400}
    expected = {k: (201 if v == 200 else v) for k, v in expected.items()}
    assert result.status_code == expected[persona], result.content
    assert Evidence.objects.count() == before + (1 if expected[persona] == 201 else 0)


@pytest.mark.parametrize("persona", P)
def test_nobody_writes_a_published_assessment(api_as, objs, persona):
    response = objs["cali_response"]
    result = api_as(persona).patch(f"/api/responses/{response.pk}/", {"level": 0},
                                   format="json", HTTP_IF_MATCH=f'"{response.version}"')
    assert result.status_code in {401, 403}
    assert CriterionResponse.objects.get(pk=response.pk).level == response.level
