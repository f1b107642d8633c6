"""The actions API: scoped reads, editors' writes, ETag / If-Match, idempotent creates."""

import uuid

import pytest

from criteria import plans
from criteria.models import Action

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(palmira_draft, editor_a):
    return plans.create_action(assessment=palmira_draft, by=editor_a, content={
        "title": "Train staff", "criterion": palmira_draft.framework.criteria.get(number=7),
        "status": Action.Status.PLANNED})


def _new(palmira_draft, **extra):
    return {"assessment": palmira_draft.pk, "criterion_number": 3, "title": "Update diagnosis",
            "status": "planned", **extra}


@pytest.mark.parametrize("persona,listed", [
    ("anonymous", False), ("viewer_a", True), ("editor_a", True), ("editor_b", False),
    ("secretariat", True), ("researcher", False),
])
def test_actions_follow_the_assessment_they_belong_to(api_as, action, persona, listed):
    client = api_as(persona)
    ids = [a["id"] for a in client.get("/api/actions/").json()["results"]]
    assert (action.pk in ids) == listed
    assert client.get(f"/api/actions/{action.pk}/").status_code == (200 if listed else 404)


def test_read_carries_the_version_as_etag_and_late_is_derived(api_as, action):
    response = api_as("viewer_a").get(f"/api/actions/{action.pk}/")
    assert response["ETag"] == f'"{action.version}"'
    assert response.json()["late"] is False


def test_editor_creates_once_per_idempotency_key(api_as, palmira_draft):
    client = api_as("editor_a")
    key = str(uuid.uuid4())
    body = _new(palmira_draft, cost_amount="2500000.00", cost_currency="cop")
    first = client.post("/api/actions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = client.post("/api/actions/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["cost_currency"] == "COP"
    assert Action.objects.filter(title="Update diagnosis").count() == 1


@pytest.mark.parametrize("extra,field", [
    ({"cost_amount": "10", "cost_currency": "ABC"}, "cost_currency"),
    ({"cost_amount": "10"}, "cost_currency"),
    ({"start_date": "2027-05-01", "due_date": "2027-01-01"}, "due_date"),
    ({"title": "x" * 201}, "title"),
    ({"criterion_number": 42}, "criterion_number"),
    ({"status": "late"}, "status"),
    ({"owner_member": 999999}, "owner_member"),
])
def test_bad_input_is_a_400_naming_the_field(api_as, palmira_draft, extra, field):
    response = api_as("editor_a").post("/api/actions/", _new(palmira_draft, **extra),
                                       format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Action.objects.filter(title="Update diagnosis").exists()


@pytest.mark.parametrize("persona,code", [
    ("viewer_a", 403), ("secretariat", 403), ("editor_b", 400), ("anonymous", 401),
])
def test_only_the_offices_editors_create(api_as, palmira_draft, persona, code):
    response = api_as(persona).post("/api/actions/", _new(palmira_draft), format="json")
    assert response.status_code == code
    assert not Action.objects.filter(title="Update diagnosis").exists()


def test_patch_needs_if_match_and_refuses_a_stale_one(api_as, action, editor_a):
    client = api_as("editor_a")
    url = f"/api/actions/{action.pk}/"
    assert client.patch(url, {"status": "done"}, format="json").status_code == 428
    ok = client.patch(url, {"status": "in_progress"}, format="json",
                      HTTP_IF_MATCH=f'"{action.version}"')
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    assert ok["ETag"] == f'"{action.version + 1}"'
    stale = client.patch(url, {"status": "done"}, format="json",
                         HTTP_IF_MATCH=f'"{action.version}"')
    assert stale.status_code == 412
    assert stale.json()["current"]["status"] == "in_progress"
    action.refresh_from_db()
    assert action.status == "in_progress"


def test_delete_with_a_stale_if_match_is_refused(api_as, action):
    client = api_as("editor_a")
    url = f"/api/actions/{action.pk}/"
    assert client.delete(url, HTTP_IF_MATCH='"99"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=f'"{action.version}"').status_code == 204
    assert not Action.objects.filter(pk=action.pk).exists()


def test_viewers_cannot_change_or_delete(api_as, action):
    client = api_as("viewer_a")
    url = f"/api/actions/{action.pk}/"
    assert client.patch(url, {"status": "done"}, format="json",
                        HTTP_IF_MATCH=f'"{action.version}"').status_code == 403
    assert client.delete(url).status_code == 403
    action.refresh_from_db()
    assert action.status == "planned"


def test_the_schema_documents_the_actions_endpoints(api_as):
    schema = api_as("anonymous").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/actions/" in paths and "/api/actions/{id}/" in paths
    patch = paths["/api/actions/{id}/"]["patch"]
    assert "412" in patch["responses"] and "428" in patch["responses"]
    assert any(p["name"] == "If-Match" for p in patch["parameters"])


@pytest.mark.parametrize("extra", [0, 15])
def test_action_list_query_count_is_fixed(client, palmira_draft, editor_a,
                                          django_assert_num_queries, extra):
    criterion = palmira_draft.framework.criteria.get(number=5)
    for i in range(extra):
        plans.create_action(assessment=palmira_draft, by=editor_a, content={
            "title": f"Action {i}", "criterion": criterion, "status": "planned"})
    client.force_login(editor_a)
    # session, user, their roles (cities.models.roles_of: the MFA rule, the access rules),
    # count, the page
    # (+criterion, assessment): the same for 3 actions or 18.
    with django_assert_num_queries(5):
        assert client.get("/api/actions/").status_code == 200
