"""The rules of the workflow, tested on the functions every view goes through."""

import pytest
from django.core.exceptions import PermissionDenied

from criteria import workflow
from criteria.models import Assessment, CriterionResponse, Evidence
from tests.conftest import fill_response
from tests.rounds import round_for_office

pytestmark = pytest.mark.django_db


def test_a_save_bumps_the_version_and_writes_one_history_row(palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=1)
    before = response.history.count()
    saved = fill_response(response, editor_a)
    assert saved.version == response.version + 1
    assert saved.history.count() == before + 1
    assert saved.history.first().history_user == editor_a
    assert saved.updated_by == editor_a


def test_a_stale_save_is_refused_and_changes_nothing(palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=1)
    fill_response(response, editor_a)  # someone else saved: version moved on
    history = response.history.count()
    with pytest.raises(workflow.StaleVersion) as exc:
        workflow.save_response(response=response, content={"current_strengths": "mine"},
                               base_version=response.version, by=editor_a)
    assert exc.value.current.current_strengths == "Strength 1"
    response.refresh_from_db()
    assert response.current_strengths == "Strength 1"
    assert response.history.count() == history


def test_submit_needs_all_nine_complete(palmira_draft, editor_a):
    for response in palmira_draft.responses.filter(criterion__number__lte=8):
        fill_response(response, editor_a)
    with pytest.raises(workflow.WorkflowError) as exc:
        workflow.submit_assessment(assessment=palmira_draft, by=editor_a)
    assert any("Criterion 9" in str(p) for p in exc.value.problems)
    palmira_draft.refresh_from_db()
    assert palmira_draft.status == Assessment.Status.DRAFT


def test_not_applicable_with_a_reason_counts_as_complete(palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=6)
    workflow.save_response(response=response, content={
        "not_applicable": True, "not_applicable_reason": "Budget is set by the province.",
        "level": None}, base_version=response.version, by=editor_a)
    assert palmira_draft.responses.get(criterion__number=6).is_complete


def test_viewer_cannot_submit(complete_draft, viewer_a):
    with pytest.raises(PermissionDenied):
        workflow.submit_assessment(assessment=complete_draft, by=viewer_a)


def test_full_review_cycle_with_notices(complete_draft, editor_a, secretariat, mailoutbox,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    assert complete_draft.__class__.objects.get(pk=complete_draft.pk).status == "submitted"
    assert secretariat.email in mailoutbox[-1].to
    assert "/review/" in mailoutbox[-1].body

    response = complete_draft.responses.get(criterion__number=3)
    workflow.add_comment(assessment=complete_draft, response=response,
                         body="Which year is the diagnosis from?", by=secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(assessment=complete_draft, note="Please date the diagnosis.",
                                 by=secretariat)
    assert editor_a.email in mailoutbox[-1].to
    fresh = Assessment.objects.get(pk=complete_draft.pk)
    assert fresh.status == "changes_requested" and fresh.is_editable

    fill_response(CriterionResponse.objects.get(pk=response.pk), editor_a, level=3)
    workflow.submit_assessment(assessment=fresh, by=editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        published = workflow.publish_assessment(assessment=fresh, by=secretariat)
    assert published.status == "published" and published.published_at
    assert "Published" in mailoutbox[-1].subject


def test_published_assessment_is_frozen(complete_draft, editor_a, secretariat):
    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    workflow.publish_assessment(assessment=complete_draft, by=secretariat)
    response = complete_draft.responses.get(criterion__number=1)
    with pytest.raises(workflow.WorkflowError):
        fill_response(response, editor_a)
    assert CriterionResponse.objects.get(pk=response.pk).current_strengths == "Strength 1"


def test_only_the_secretariat_reviews(complete_draft, editor_a, researcher, editor_b):
    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    for outsider in (editor_a, researcher, editor_b):
        with pytest.raises(PermissionDenied):
            workflow.publish_assessment(assessment=complete_draft, by=outsider)
        with pytest.raises(PermissionDenied):
            workflow.request_changes(assessment=complete_draft, note="x", by=outsider)
    assert Assessment.objects.get(pk=complete_draft.pk).status == "submitted"


def test_publishing_a_draft_is_refused(palmira_draft, secretariat):
    with pytest.raises(workflow.WorkflowError):
        workflow.publish_assessment(assessment=palmira_draft, by=secretariat)


def test_copy_forward_marks_answers_carried_over(complete_draft, editor_a, secretariat):
    evidence_response = complete_draft.responses.get(criterion__number=2)
    Evidence.objects.create(response=evidence_response, kind="note", title="Minutes",
                            note="Partners met monthly.")
    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    workflow.publish_assessment(assessment=complete_draft, by=secretariat)

    nxt = workflow.start_assessment(office=complete_draft.office,
                                    framework=complete_draft.framework,
                                    round=round_for_office(complete_draft.office, "2027"),
                                    by=editor_a, copy_from=complete_draft)
    responses = list(nxt.responses.all())
    assert len(responses) == 9 and all(r.carried_over for r in responses)
    assert responses[0].current_strengths == "Strength 1"
    assert nxt.responses.get(criterion__number=2).evidence.get().title == "Minutes"
    assert nxt.submit_problems()  # carried-over answers must be confirmed first

    first = responses[0]
    confirmed = workflow.confirm_response(response=first, base_version=first.version,
                                          by=editor_a)
    assert not confirmed.carried_over and confirmed.is_complete
    assert nxt.carried_from == complete_draft


def test_a_blank_start_takes_the_offices_known_facts(editor_b):
    from cities.models import Office
    from criteria.models import Framework

    oakland = Office.objects.get(slug="oakland-dvp")
    assessment = workflow.start_assessment(office=oakland, framework=Framework.objects.default(),
                                           round=round_for_office(oakland, "2026"), by=editor_b)
    assert assessment.responses.count() == 9
    assert assessment.profile.police_control == oakland.city.police_control
    assert not assessment.responses.filter(carried_over=True).exists()
