"""The targets API (one per criterion, ETag / If-Match like actions) and the read-only
exchange-requests API, scoped like the pages."""

import pytest

from criteria.models import CriterionTarget, ExchangeRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(palmira_draft):
    return CriterionTarget.objects.filter(assessment=palmira_draft).first()


@pytest.mark.parametrize("persona,listed", [
    ("anonymous", False), ("viewer_a", True), ("editor_a", True), ("editor_b", False),
    ("secretariat", True), ("researcher", False),
])
def test_targets_follow_the_assessment(api_as, target, persona, listed):
    client = api_as(persona)
    ids = [t["id"] for t in client.get("/api/targets/").json()["results"]]
    assert (target.pk in ids) == listed
    assert client.get(f"/api/targets/{target.pk}/").status_code == (200 if listed else 404)


def test_editor_sets_a_target_once_per_criterion(api_as, palmira_draft):
    client = api_as("editor_a")
    body = {"assessment": palmira_draft.pk, "criterion_number": 2, "level": 3,
            "target_date": "2028-06-30"}
    first = client.post("/api/targets/", body, format="json")
    assert first.status_code == 201 and first["ETag"] == '"1"'
    again = client.post("/api/targets/", body, format="json")
    assert again.status_code == 400 and "criterion_number" in again.json()
    assert CriterionTarget.objects.filter(assessment=palmira_draft,
                                          criterion__number=2).count() == 1


def test_bad_input_names_the_field(api_as, palmira_draft):
    client = api_as("editor_a")
    for body, field in [
        ({"assessment": palmira_draft.pk, "criterion_number": 2, "level": 7}, "level"),
        ({"assessment": palmira_draft.pk, "criterion_number": 42, "level": 2},
         "criterion_number"),
        ({"assessment": palmira_draft.pk, "criterion_number": 2, "level": 2,
          "target_date": "soon"}, "target_date"),
    ]:
        answer = client.post("/api/targets/", body, format="json")
        assert answer.status_code == 400 and field in answer.json()


def test_patch_needs_the_current_version(api_as, target):
    client = api_as("editor_a")
    url = f"/api/targets/{target.pk}/"
    assert client.patch(url, {"level": 4}, format="json").status_code == 428
    saved = client.patch(url, {"level": 4}, format="json", HTTP_IF_MATCH=f'"{target.version}"')
    assert saved.status_code == 200 and saved.json()["level"] == 4
    stale = client.patch(url, {"level": 1}, format="json", HTTP_IF_MATCH=f'"{target.version}"')
    assert stale.status_code == 412 and stale.json()["current"]["level"] == 4
    target.refresh_from_db()
    assert target.level == 4 and target.version == 2
    assert client.delete(url, HTTP_IF_MATCH=f'"{target.version - 1}"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=f'"{target.version}"').status_code == 204


def test_viewers_do_not_write_targets(api_as, target):
    answer = api_as("viewer_a").patch(f"/api/targets/{target.pk}/", {"level": 4},
                                      format="json", HTTP_IF_MATCH=f'"{target.version}"')
    assert answer.status_code == 403
    target.refresh_from_db()
    assert target.version == 1


@pytest.mark.parametrize("persona,listed", [
    ("anonymous", False), ("viewer_a", True), ("editor_a", True), ("editor_b", False),
    ("secretariat", True), ("researcher", False),
])
def test_exchange_requests_are_the_two_offices_and_their_secretariats(api_as, palmira_draft,
                                                                      persona, listed):
    demo = ExchangeRequest.objects.get(requester_office=palmira_draft.office)
    client = api_as(persona)
    ids = [e["id"] for e in client.get("/api/exchanges/").json()["results"]]
    assert (demo.pk in ids) == listed
    detail = client.get(f"/api/exchanges/{demo.pk}/")
    assert detail.status_code == (200 if listed else 404)
    if listed:
        assert detail.json()["peer_office"] == "reach-edmonton"
        assert [e["status"] for e in detail.json()["events"]] == ["requested"]
