"""The API takes and gives a date's precision (evidence) and a publication's."""

import pytest

pytestmark = pytest.mark.django_db


def test_api_takes_a_month_and_names_the_field_when_wrong(api_as, palmira_draft):
    answer = palmira_draft.responses.get(criterion__number=1)
    client = api_as("editor_a")
    bad = client.post("/api/evidence/", {
        "response": answer.pk, "kind": "note", "title": "Plan", "note": "City plan",
        "date": "2024-01-01",
        "date_precision": "week",
    }, format="json")
    assert bad.status_code == 400
    assert "date_precision" in bad.json()
    good = client.post("/api/evidence/", {
        "response": answer.pk, "kind": "note", "title": "Plan", "note": "City plan",
        "date": "2024-01-01",
        "date_precision": "month",
    }, format="json")
    assert good.status_code == 201, good.content
    assert good.json()["date_precision"] == "month"
    listed = client.get(f"/api/assessments/{palmira_draft.pk}/").json()
    assert listed["published_precision"] == "day"
