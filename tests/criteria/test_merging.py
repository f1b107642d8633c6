"""Saves based on an older version: merged when the editors changed different fields, a
three-way merge screen when they changed the same one, no conflict with oneself."""

import json
import re
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cities.models import Office
from criteria import workflow
from criteria.models import (
    ANSWER_MAX_CHARS,
    Assessment,
    CriterionResponse,
    Evidence,
    FundingSource,
    OfficeProfile,
)
from tests.rounds import round_for_office

pytestmark = pytest.mark.django_db

BLANK = {"level": None, "current_strengths": "", "opportunities": "", "confidence": "",
         "not_applicable": False, "not_applicable_reason": "", "language": "en"}


def edit_url(assessment, number):
    return reverse("criteria:response-edit", args=[assessment.pk, number])


def form_data(version, content):
    data = {"version": version}
    for name, value in content.items():
        if name == "not_applicable":
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else value
    return data


def test_different_fields_changed_by_two_editors_are_both_kept(palmira_draft, editor_a,
                                                               viewer_a):
    response = palmira_draft.responses.get(criterion__number=2)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "current_strengths": "Theirs."})
    saved = workflow.save_response(response=response, by=editor_a, base_version=opened,
                                   content={**BLANK, "opportunities": "Mine."})
    fresh = CriterionResponse.objects.get(pk=response.pk)
    assert (fresh.current_strengths, fresh.opportunities) == ("Theirs.", "Mine.")
    assert saved.kept == ["current_strengths"]
    assert fresh.version == opened + 2


def test_a_stale_save_equal_to_what_is_stored_is_not_a_conflict(palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=2)
    opened = response.version
    content = {**BLANK, "level": 3, "current_strengths": "Same."}
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content=content)
    history = response.history.count()
    again = workflow.save_response(response=response, by=editor_a, base_version=opened,
                                   content=content)
    assert again.version == opened + 1  # nothing written, no new version
    assert response.history.count() == history


def test_the_same_field_changed_by_both_is_a_conflict_with_the_base(palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=2)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "current_strengths": "Theirs.",
                                    "confidence": "high"})
    with pytest.raises(workflow.StaleVersion) as stale:
        workflow.save_response(response=response, by=editor_a, base_version=opened,
                               content={**BLANK, "current_strengths": "Mine.",
                                        "opportunities": "Only mine."})
    assert stale.value.conflicts == ["current_strengths"]
    assert stale.value.base["current_strengths"] == ""
    assert stale.value.merged["confidence"] == "high"  # their other change is kept
    assert stale.value.merged["opportunities"] == "Only mine."
    assert CriterionResponse.objects.get(pk=response.pk).current_strengths == "Theirs."


def test_own_autosave_then_save_and_next_with_the_old_version_moves_on(client, editor_a,
                                                                      palmira_draft):
    """The 400 ms link: the Save button's post still carries the version autosave used."""
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    content = {**BLANK, "level": 2, "current_strengths": "S.", "opportunities": "O."}
    autosave = client.post(edit_url(palmira_draft, 1), form_data(response.version, content),
                           headers={"HX-Request": "true"})
    assert autosave.status_code == 200
    result = client.post(edit_url(palmira_draft, 1),
                         {**form_data(response.version, content), "save_next": "1"})
    assert result.status_code == 302 and result.url == edit_url(palmira_draft, 2)


def test_the_merge_screen_shows_base_theirs_and_mine_and_keeps_both_texts(
    client, editor_a, palmira_draft
):
    response = palmira_draft.responses.get(criterion__number=3)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "level": 1,
                                    "current_strengths": "Weekly meetings with the police."})
    client.force_login(editor_a)
    result = client.post(edit_url(palmira_draft, 3), form_data(opened, {
        **BLANK, "level": 3, "current_strengths": "A youth council advises the office."}))
    assert result.status_code == 409
    body = result.content.decode()
    assert "When you opened it" in body and "Yours (not saved yet)" in body
    textarea = re.search(r'<textarea name="current_strengths"[^>]*>(.*?)</textarea>', body,
                         re.S).group(1)
    assert "Weekly meetings with the police." in textarea
    assert "A youth council advises the office." in textarea
    # Both chose a level: none is pre-selected and one must be picked.
    assert not re.search(r'name="level"[^>]*checked', body)
    current = CriterionResponse.objects.get(pk=response.pk)
    data = form_data(current.version, {**BLANK, "current_strengths": "Both."})
    data.pop("level")
    unpicked = client.post(edit_url(palmira_draft, 3), data | {"must_choose": "level"})
    assert unpicked.status_code == 422 and "pick one" in unpicked.content.decode()
    picked = client.post(edit_url(palmira_draft, 3), form_data(current.version, {
        **BLANK, "level": 3, "current_strengths": "Both."}) | {"must_choose": "level"})
    assert picked.status_code == 302


def test_an_autosave_merge_returns_the_stored_values_and_says_what_merged(
    client, editor_a, palmira_draft
):
    response = palmira_draft.responses.get(criterion__number=4)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "opportunities": "Theirs."})
    client.force_login(editor_a)
    result = client.post(edit_url(palmira_draft, 4),
                         form_data(opened, {**BLANK, "current_strengths": "Mine."}),
                         headers={"HX-Request": "true"})
    assert result.status_code == 200
    body = result.content.decode()
    assert "Merged:" in body and "Opportunities" in body
    values = json.loads(re.search(r'data-values="([^"]*)"', body).group(1)
                        .replace("&quot;", '"'))
    assert values["opportunities"] == "Theirs." and values["current_strengths"] == "Mine."


def test_an_autosave_after_submission_says_it_was_submitted(client, editor_a,
                                                             complete_draft):
    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    client.force_login(editor_a)
    response = complete_draft.responses.get(criterion__number=1)
    result = client.post(edit_url(complete_draft, 1),
                         form_data(response.version, {**BLANK, "current_strengths": "Late."}),
                         headers={"HX-Request": "true"})
    assert result.status_code == 403
    body = result.content.decode()
    assert 'data-state="refused"' in body and "submitted" in body.lower()


# --- length limits -------------------------------------------------------------------------


def test_an_answer_over_20000_characters_is_refused_naming_the_field(client, editor_a,
                                                                    palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    result = client.post(edit_url(palmira_draft, 1), form_data(response.version, {
        **BLANK, "opportunities": "x" * (ANSWER_MAX_CHARS + 1)}))
    assert result.status_code == 422
    body = result.content.decode()
    assert "Opportunities to enhance effectiveness: Ensure this value has at most 20000" in body
    assert 'data-maxlength="20000"' in body and "maxlength=" not in body.replace(
        "data-maxlength", "")


def test_the_database_refuses_an_overlong_answer(palmira_draft):
    response = palmira_draft.responses.get(criterion__number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionResponse.objects.filter(pk=response.pk).update(
            current_strengths="x" * (ANSWER_MAX_CHARS + 1))


def test_the_api_and_the_page_share_the_limit(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    response = palmira_draft.responses.get(criterion__number=1)
    result = client.patch(
        f"/api/responses/{response.pk}/",
        data=json.dumps({"opportunities": "x" * (ANSWER_MAX_CHARS + 1)}),
        content_type="application/json", headers={"If-Match": f'"{response.version}"'},
    )
    assert result.status_code == 400 and "opportunities" in result.json()


def test_an_overlong_evidence_note_is_refused(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:evidence-add", args=[palmira_draft.pk, 1]),
                         {"kind": "note", "title": "Long", "note": "n" * 10_001,
                          "strength": "self_reported"})
    assert result.status_code == 422 and "Note: Ensure this value has at most 10000" in (
        result.content.decode())


# --- double submissions and the evidence form after a refusal -----------------------------


def test_starting_twice_with_one_form_makes_one_assessment(client, editor_a):
    client.force_login(editor_a)
    url = reverse("criteria:assessment-start", args=["palmira-security-coexistence"])
    from cities.models import Office
    rnd = round_for_office(Office.objects.get(slug="palmira-security-coexistence"), "2031")
    data = {"round": str(rnd.pk), "submission_key": str(uuid.uuid4())}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Assessment.objects.filter(office__slug="palmira-security-coexistence",
                                     round=rnd).count() == 1


def test_adding_evidence_twice_with_one_form_adds_it_once(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    url = reverse("criteria:evidence-add", args=[palmira_draft.pk, 2])
    data = {"kind": "note", "title": "Minutes", "note": "Met.", "strength": "self_reported",
            "submission_key": str(uuid.uuid4())}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Evidence.objects.filter(title="Minutes").count() == 1


def test_the_worker_sweep_prunes_only_keys_past_their_retention(settings, editor_a):
    from datetime import timedelta

    from django.utils import timezone

    from criteria.models import SubmissionKey

    settings.SUBMISSION_KEY_RETENTION_DAYS = 30
    old = SubmissionKey.objects.create(key=uuid.uuid4(), user=editor_a)
    recent = SubmissionKey.objects.create(key=uuid.uuid4(), user=editor_a)
    SubmissionKey.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=31))
    SubmissionKey.objects.filter(pk=recent.pk).update(
        created_at=timezone.now() - timedelta(days=29))
    assert SubmissionKey.objects.prune() == 1
    assert list(SubmissionKey.objects.values_list("pk", flat=True)) == [recent.pk]


def test_after_a_refused_evidence_form_a_get_goes_back_with_what_was_typed(
    client, editor_a, palmira_draft
):
    client.force_login(editor_a)
    url = reverse("criteria:evidence-add", args=[palmira_draft.pk, 1])
    refused = client.post(url, {"kind": "link", "title": "Website of the office",
                                "strength": "self_reported"})
    assert refused.status_code == 422
    again = client.get(url, follow=True)  # a reload or a language switch lands here
    assert again.status_code == 200
    body = again.content.decode()
    assert "A link needs its URL" in body and 'value="Website of the office"' in body


# --- the office profile --------------------------------------------------------------------


def profile_post(profile, **extra):
    data = {"version": profile.version, "institutional_location": profile.institutional_location,
            "police_control": profile.police_control, "staffing_model": profile.staffing_model,
            "staff_expertise": profile.staff_expertise, "budget_note": profile.budget_note,
            "staff_note": profile.staff_note, "focus_population": profile.focus_population,
            "mandate_goals": profile.mandate_goals,
            "prevention_primary": "unknown", "prevention_secondary": "unknown",
            "prevention_tertiary": "unknown", "has_baseline": "unknown",
            "buy_in_single_champion": "unknown",
            "funding-TOTAL_FORMS": "0", "funding-INITIAL_FORMS": "0",
            "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "1000"}
    data.update(extra)
    return data


def test_two_editors_change_different_profile_facts_and_both_are_kept(client, editor_a,
                                                                     palmira_draft):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    profile = OfficeProfile.objects.get(assessment=palmira_draft)
    first = profile_post(profile, staff_note="Twelve outreach workers.")
    second = profile_post(profile, budget_note="Municipal budget law of 2023.")
    assert client.post(url, first).status_code == 302
    result = client.post(url, second)
    assert result.status_code == 302
    profile.refresh_from_db()
    assert profile.staff_note == "Twelve outreach workers."
    assert profile.budget_note == "Municipal budget law of 2023."


@pytest.fixture
def colleague_a(db):
    """A second editor of office A."""
    from cities.models import OfficeMembership, User

    user = User.objects.create_user("colleague-a", first_name="Camila", last_name="Ríos")
    OfficeMembership.objects.create(user=user, office=Office.objects.get(
        slug="palmira-security-coexistence"), role=OfficeMembership.Role.EDITOR)
    return user


def test_the_same_profile_fact_changed_by_both_shows_the_three_versions(
    client, editor_a, colleague_a, palmira_draft
):
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    profile = OfficeProfile.objects.get(assessment=palmira_draft)
    client.force_login(colleague_a)
    assert client.post(url, profile_post(profile, mandate_goals="Halve homicides.")
                       ).status_code == 302
    client.force_login(editor_a)
    result = client.post(url, profile_post(profile, mandate_goals="Reach youth."))
    assert result.status_code == 409
    body = result.content.decode()
    assert "someone else saved the office profile too" in body
    assert "Saved by Camila Ríos" in body
    textarea = re.search(r'<textarea name="mandate_goals"[^>]*>(.*?)</textarea>', body,
                         re.S).group(1)
    assert "Halve homicides." in textarea and "Reach youth." in textarea
    profile.refresh_from_db()
    assert profile.mandate_goals == "Halve homicides."


def test_a_stale_form_adding_a_source_over_100_percent_gets_a_message_not_a_500(
    client, editor_a, palmira_draft
):
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    profile = OfficeProfile.objects.get(assessment=palmira_draft)
    new_row = {"funding-TOTAL_FORMS": "1"}
    assert client.post(url, profile_post(profile, **new_row, **{
        "funding-0-name": "City", "funding-0-kind": "municipal",
        "funding-0-share_percent": "70"})).status_code == 302
    result = client.post(url, profile_post(profile, **new_row, **{
        "funding-0-name": "Donor", "funding-0-kind": "international",
        "funding-0-share_percent": "40"}))
    assert result.status_code == 422
    body = result.content.decode()
    assert "Share of budget (%)" in body and "110" in body
    assert 'value="Donor"' in body  # the input is kept
    assert list(FundingSource.objects.filter(profile=profile).values_list("name", flat=True)
                ) == ["City"]


def test_a_colleagues_change_to_another_funding_source_field_is_kept(client, editor_a,
                                                                    palmira_draft):
    profile = OfficeProfile.objects.get(assessment=palmira_draft)
    source = FundingSource.objects.create(profile=profile, name="City", kind="municipal",
                                          share_percent=50)
    client.force_login(editor_a)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    row = {"funding-TOTAL_FORMS": "1", "funding-INITIAL_FORMS": "1",
           "funding-0-id": source.pk, "funding-0-profile": profile.pk,
           "initial-funding-0-name": "City", "initial-funding-0-kind": "municipal",
           "initial-funding-0-share_percent": "50", "initial-funding-0-project_based": "False",
           "initial-funding-0-legally_protected": "False"}
    theirs = profile_post(profile, **row, **{"funding-0-name": "City", "funding-0-kind":
                                             "municipal", "funding-0-share_percent": "60"})
    mine = profile_post(profile, **row, **{"funding-0-name": "City general fund",
                                           "funding-0-kind": "municipal",
                                           "funding-0-share_percent": "50"})
    assert client.post(url, theirs).status_code == 302
    assert client.post(url, mine).status_code == 302
    source.refresh_from_db()
    assert (source.name, source.share_percent) == ("City general fund", 60)


def test_the_same_person_in_two_tabs_is_not_told_someone_else_saved(
    client, editor_a, colleague_a, palmira_draft
):
    response = palmira_draft.responses.get(criterion__number=5)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "current_strengths": "From my other tab."})
    client.force_login(editor_a)
    page = client.post(edit_url(palmira_draft, 5),
                       form_data(opened, {**BLANK, "current_strengths": "From this tab."}))
    assert page.status_code == 409
    body = page.content.decode()
    assert "you saved this criterion in another tab or window" in body
    assert "Saved from your other tab or window" in body and "someone else" not in body
    autosave = client.post(edit_url(palmira_draft, 5),
                           form_data(opened, {**BLANK, "current_strengths": "Again."}),
                           headers={"HX-Request": "true"})
    assert autosave.status_code == 409
    assert "you changed the same fields in another tab" in autosave.content.decode()
    # A colleague's save is still announced as theirs.
    current = CriterionResponse.objects.get(pk=response.pk)
    workflow.save_response(response=current, by=colleague_a, base_version=current.version,
                           content={**BLANK, "current_strengths": "The colleague's."})
    theirs = client.post(edit_url(palmira_draft, 5),
                         form_data(current.version, {**BLANK, "current_strengths": "Mine."}))
    assert theirs.status_code == 409
    assert "someone else saved this criterion too" in theirs.content.decode()


def test_a_merge_with_ones_own_other_tab_says_so(client, editor_a, palmira_draft):
    response = palmira_draft.responses.get(criterion__number=6)
    opened = response.version
    workflow.save_response(response=response, by=editor_a, base_version=opened,
                           content={**BLANK, "opportunities": "From my other tab."})
    client.force_login(editor_a)
    result = client.post(edit_url(palmira_draft, 6),
                         form_data(opened, {**BLANK, "current_strengths": "From this tab."}),
                         headers={"HX-Request": "true"})
    assert result.status_code == 200
    assert "you changed Opportunities" in result.content.decode()
    profile = OfficeProfile.objects.get(assessment=palmira_draft)
    url = reverse("criteria:profile-edit", args=[palmira_draft.pk])
    assert client.post(url, profile_post(profile, mandate_goals="Tab one.")).status_code == 302
    conflict = client.post(url, profile_post(profile, mandate_goals="Tab two."))
    assert conflict.status_code == 409
    assert "you saved the office profile in another tab or window" in conflict.content.decode()
