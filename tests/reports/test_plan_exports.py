"""The improvement plan's actions as CSV, XLSX and JSON."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from criteria import plans

pytestmark = pytest.mark.django_db


def _get(client, assessment, fmt):
    response = client.get(reverse("reports:plan-export", args=[assessment.pk, fmt]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_actions_export_in_three_formats_with_formulas_quoted(client, palmira_draft, editor_a):
    plans.create_action(assessment=palmira_draft, by=editor_a, content={
        "title": "=HYPERLINK(\"x\")", "criterion": palmira_draft.framework.criteria.get(
            number=2), "status": "done"})
    client.force_login(editor_a)
    response, body = _get(client, palmira_draft, "csv")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("action_id,assessment_id,round")
    assert "[Demo] Publish a yearly activity report" in text
    assert "'=HYPERLINK" in text
    _r, body = _get(client, palmira_draft, "json")
    rows = json.loads(body)
    late = [r for r in rows if r["title"].startswith("[Demo] Publish a yearly")]
    assert late[0]["late"] is True and late[0]["status"] == "planned"
    assert any(r["cost_currency"] == "COP" and r["cost_amount"] == 45000000 for r in rows)
    _r, body = _get(client, palmira_draft, "xlsx")
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    titles = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"x\")" in titles


@pytest.mark.parametrize("persona,code", [("editor_b", 404), ("anonymous", 404),
                                          ("viewer_a", 200)])
def test_export_follows_the_assessment(as_persona, palmira_draft, persona, code):
    response = as_persona(persona).get(reverse("reports:plan-export",
                                               args=[palmira_draft.pk, "csv"]))
    assert response.status_code == code


def test_unknown_format_is_a_404(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    assert client.get(reverse("reports:plan-export",
                              args=[palmira_draft.pk, "pdf"])).status_code == 404
