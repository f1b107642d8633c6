"""The brief's "Since the last round" and "Action plan" sections."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from criteria import plans, workflow
from criteria.models import Action, CriterionTarget
from tests.conftest import fill_response
from tests.rounds import round_for_office

from .conftest import pdf_text

pytestmark = pytest.mark.django_db


def _publish(assessment, editor, secretariat, level=1):
    for response in assessment.responses.all():
        fill_response(response, editor, level=level)
    workflow.submit_assessment(assessment=assessment, by=editor)
    return workflow.publish_assessment(assessment=assessment, by=secretariat)


def test_brief_without_a_plan_or_previous_round_has_neither_section(client, part4):
    html = client.get(reverse("reports:brief", args=[part4["cali"].pk])).content.decode()
    assert 'id="plan"' not in html and 'id="since"' not in html
    assert '<span class="sec-no">7</span>Evidence appendix' in html


def test_draft_brief_shows_the_plan_what_who_by_when_status(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    html = client.get(reverse("reports:brief", args=[palmira_draft.pk])).content.decode()
    assert '<span class="sec-no">7</span>Action plan' in html
    assert '<span class="sec-no">8</span>Evidence appendix' in html
    assert "[Demo] Publish a yearly activity report" in html
    assert "Communications lead (example owner)" in html
    assert 'class="is-late"' in html and "late</strong>" in html
    assert 'id="since"' not in html


def test_two_rounds_of_one_office_show_what_changed(client, palmira_draft, editor_a,
                                                    secretariat):
    """Round 2026 published with targets and actions; round 2027 copied forward from it."""
    criteria = {c.number: c for c in palmira_draft.framework.criteria.all()}
    Action.objects.filter(assessment=palmira_draft).delete()
    CriterionTarget.objects.filter(assessment=palmira_draft).delete()
    CriterionTarget.objects.create(assessment=palmira_draft, criterion=criteria[1], level=2)
    CriterionTarget.objects.create(assessment=palmira_draft, criterion=criteria[2], level=3)
    past = timezone.localdate() - timedelta(days=10)

    def act(title, number, status, due=None):
        return plans.create_action(assessment=palmira_draft, by=editor_a, content={
            "title": title, "criterion": criteria[number], "status": status, "due_date": due})

    act("Done before publishing", 1, Action.Status.DONE)
    act("Given up", 2, Action.Status.DROPPED)
    finished_later = act("Finished in the new round", 1, Action.Status.IN_PROGRESS)
    act("Still behind", 2, Action.Status.PLANNED, due=past)
    published = _publish(palmira_draft, editor_a, secretariat, level=1)
    later = workflow.start_assessment(office=published.office, framework=published.framework,
                                      round=round_for_office(published.office, "2027"),
                                      by=editor_a, copy_from=published)
    carried = Action.objects.get(assessment=later, carried_from=finished_later)
    plans.save_action(action=carried, content={"status": Action.Status.DONE},
                      base_version=carried.version, by=editor_a)
    for response in later.responses.all():
        level = {1: 2, 3: 0}.get(response.criterion.number, 1)
        fill_response(response, editor_a, level=level)

    client.force_login(editor_a)
    html = client.get(reverse("reports:brief", args=[later.pk])).content.decode()
    assert '<span class="sec-no">7</span>Since the last round' in html
    assert '<span class="sec-no">8</span>Action plan' in html  # targets carried forward
    assert '<span class="sec-no">9</span>Evidence appendix' in html
    since = html[html.index('id="since"'):html.index('id="plan"')]
    assert "round 2026" in since
    assert '<span class="change-up">+1</span>' in since  # criterion 1: 1 → 2
    assert '<span class="change-down">−1</span>' in since  # criterion 3: 1 → 0
    assert "2 · <strong>met</strong>" in since and "3 · not met" in since
    assert "Targets: 1 of 2 met." in since
    assert "2 done, 1 late, 1 dropped, 0 still open and on time" in since
    assert "Still behind" in since
    # The earlier round has no previous one: no such section there.
    earlier = client.get(reverse("reports:brief", args=[published.pk])).content.decode()
    assert 'id="since"' not in earlier and 'id="plan"' in earlier


def test_brief_sections_in_spanish_and_portuguese(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    for lang, heading in (("es", "Plan de acción"), ("pt-br", "Plano de ação")):
        client.cookies["django_language"] = lang
        html = client.get(reverse("reports:brief", args=[palmira_draft.pk])).content.decode()
        assert heading in html


def test_pdf_of_a_brief_with_a_plan(client, palmira_draft, editor_a, tmp_path):
    client.force_login(editor_a)
    response = client.get(reverse("reports:brief-pdf", args=[palmira_draft.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Action plan" in text and "[Demo] Commission an update" in text
