"""The improvement plan: targets and actions, their rules, access and merges."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from criteria import plans, workflow
from criteria.models import Action, Assessment, CriterionResponse, CriterionTarget
from criteria.plan_forms import ActionForm
from tests.conftest import fill_response
from tests.rounds import round_for_office

pytestmark = pytest.mark.django_db


def _criterion(assessment, number):
    return assessment.framework.criteria.get(number=number)


def _post_action(client, assessment, **extra):
    data = {"title": "Publish the mandate", "criterion": _criterion(assessment, 1).pk,
            "status": "planned", "submission_key": str(uuid.uuid4()), **extra}
    return client.post(reverse("criteria:action-add", args=[assessment.pk]), data)


def _targets_post(client, assessment, **changes):
    """Post the targets page as a person would: what it showed, with `changes` made."""
    url = reverse("criteria:plan-targets", args=[assessment.pk])
    page = client.get(url)
    data = {}
    for f in page.context["forms"]:
        for name in ("level", "target_date", "base_level", "base_date"):
            value = f[name].value()
            data[f"{f.prefix}-{name}"] = "" if value is None else str(value)
    data.update(changes)
    return client.post(url, data)


def _action(assessment, user, **extra):
    content = {"title": "Train staff", "criterion": _criterion(assessment, 7),
               "status": Action.Status.PLANNED, **extra}
    return plans.create_action(assessment=assessment, content=content, by=user)


# --- the model and the database -------------------------------------------------------------


def test_late_is_derived_from_status_and_due_date(palmira_draft, editor_a):
    today = timezone.localdate()
    action = _action(palmira_draft, editor_a, due_date=today - timedelta(days=1))
    assert action.is_late()
    action.status = Action.Status.DONE
    assert not action.is_late()
    action.status = Action.Status.IN_PROGRESS
    action.due_date = today
    assert not action.is_late()


@pytest.mark.parametrize("fields", [
    {"start_date": date(2027, 5, 1), "due_date": date(2027, 4, 1)},
    {"cost_amount": Decimal("10"), "cost_currency": ""},
    {"cost_currency": "usd"},
    {"status": "someday"},
    {"title": "x" * 201},
    {"partners": "x" * 2001},
])
def test_database_refuses_what_the_forms_refuse(palmira_draft, fields):
    # A CHECK says no with an IntegrityError; PostgreSQL refuses text longer than a
    # varchar(n) with a DataError before any CHECK runs.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Action.objects.create(assessment=palmira_draft, criterion=_criterion(palmira_draft, 1),
                              **{"title": "T", **fields})


def test_target_level_in_range_and_one_per_criterion(palmira_draft):
    criterion = _criterion(palmira_draft, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionTarget.objects.create(assessment=palmira_draft, criterion=criterion, level=5)
    CriterionTarget.objects.create(assessment=palmira_draft, criterion=criterion, level=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionTarget.objects.create(assessment=palmira_draft, criterion=criterion, level=2)


@pytest.mark.parametrize("data,field", [
    ({"cost_amount": "100", "cost_currency": "XYZ"}, "cost_currency"),
    ({"cost_amount": "100", "cost_currency": ""}, "cost_currency"),
    ({"cost_amount": "-5", "cost_currency": "USD"}, "cost_amount"),
    ({"start_date": "2027-05-01", "due_date": "2027-04-01"}, "due_date"),
    ({"title": "x" * 201}, "title"),
    ({"title": ""}, "title"),
    ({"owner": "x" * 201}, "owner"),
    ({"done_when": "x" * 2001}, "done_when"),
    ({"status": "late"}, "status"),
])
def test_form_names_the_field_of_bad_input(palmira_draft, data, field):
    base = {"title": "T", "criterion": _criterion(palmira_draft, 1).pk, "status": "planned"}
    form = ActionForm({**base, **data}, assessment=palmira_draft)
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert len(form.errors[field]) == 1


def test_currency_is_stored_in_capitals_and_amount_read_in_the_readers_language(
        palmira_draft, settings):
    base = {"title": "T", "criterion": _criterion(palmira_draft, 1).pk, "status": "planned",
            "cost_amount": "12500000.50", "cost_currency": " cop "}
    form = ActionForm(base, assessment=palmira_draft)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["cost_currency"] == "COP"
    from django.utils import translation

    with translation.override("es"):
        spanish = ActionForm({**base, "cost_amount": "12.500.000,50"}, assessment=palmira_draft)
        assert spanish.is_valid(), spanish.errors
        assert spanish.cleaned_data["cost_amount"] == Decimal("12500000.50")


def test_amounts_are_shown_with_the_readers_grouping(client, palmira_draft, editor_a):
    _action(palmira_draft, editor_a, cost_amount=Decimal("12500000"), cost_currency="COP")
    client.force_login(editor_a)
    url = reverse("criteria:plan", args=[palmira_draft.pk])
    assert "COP 12,500,000" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.cookies["django_language"] = "pt-br"
    assert "COP 12.500.000" in client.get(url).content.decode()
    client.cookies["django_language"] = "es"  # Spanish groups with a no-break space
    assert "COP 12\u00a0500\u00a0000" in client.get(url).content.decode()


def test_opportunities_are_split_into_items():
    assert plans.opportunity_items("- Update the diagnosis\n\n* Publish results\n") == [
        "Update the diagnosis", "Publish results"]
    assert plans.opportunity_items("Update the diagnosis. Publish results yearly.") == [
        "Update the diagnosis.", "Publish results yearly."]
    assert plans.opportunity_items("") == []


# --- pages ----------------------------------------------------------------------------------


def test_editor_creates_an_action_from_an_opportunity(client, palmira_draft, editor_a):
    response = palmira_draft.responses.get(criterion__number=3)
    fill_response(response, editor_a)
    client.force_login(editor_a)
    page = client.get(reverse("criteria:response-edit", args=[palmira_draft.pk, 3]))
    link = (reverse("criteria:action-add", args=[palmira_draft.pk])
            + "?criterion=3&amp;opportunity=Opportunity%203")
    assert link in page.content.decode()
    form = client.get(link.replace("&amp;", "&"))
    assert form.context["form"].initial["opportunity"] == "Opportunity 3"
    assert form.context["form"].initial["criterion"] == _criterion(palmira_draft, 3).pk
    key = str(uuid.uuid4())
    data = {"title": "Update the diagnosis", "criterion": _criterion(palmira_draft, 3).pk,
            "opportunity": "Opportunity 3", "status": "planned", "submission_key": key,
            "owner": "Head of analysis", "cost_amount": "1000", "cost_currency": "usd"}
    url = reverse("criteria:action-add", args=[palmira_draft.pk])
    first = client.post(url, data)
    second = client.post(url, data)  # a double click
    made = Action.objects.filter(assessment=palmira_draft, title="Update the diagnosis")
    assert made.count() == 1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == made.get().get_absolute_url()
    assert made.get().cost_currency == "USD"


def test_refused_action_keeps_everything_typed(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    result = _post_action(client, palmira_draft, owner="Ana", done_when="The decree online",
                          cost_amount="50", cost_currency="ZZZ")
    assert result.status_code == 422
    html = result.content.decode()
    assert "ISO 4217" in html and "The decree online" in html and 'value="Ana"' in html
    assert not Action.objects.filter(title="Publish the mandate").exists()


def test_viewer_sees_the_plan_but_cannot_change_it(client, palmira_draft, editor_a, viewer_a):
    action = _action(palmira_draft, editor_a)
    client.force_login(viewer_a)
    page = client.get(reverse("criteria:plan", args=[palmira_draft.pk]))
    assert page.status_code == 200 and "Train staff" in page.content.decode()
    assert reverse("criteria:action-edit", args=[action.pk]) not in page.content.decode()
    assert client.post(reverse("criteria:action-edit", args=[action.pk]),
                       {"title": "X"}).status_code == 403
    assert _post_action(client, palmira_draft).status_code == 403


def test_another_offices_action_is_a_404(client, palmira_draft, editor_a, editor_b):
    action = _action(palmira_draft, editor_a)
    client.force_login(editor_b)
    for name in ("criteria:action-edit", "criteria:action-delete"):
        assert client.get(reverse(name, args=[action.pk])).status_code == 404
    assert client.get(reverse("criteria:plan", args=[palmira_draft.pk])).status_code == 404


def _publish(assessment, editor, secretariat):
    for response in assessment.responses.all():
        fill_response(response, editor)
    workflow.submit_assessment(assessment=assessment, by=editor)
    return workflow.publish_assessment(assessment=assessment, by=secretariat)


def test_plan_lives_on_after_publishing_while_the_answers_stay_frozen(
        client, palmira_draft, editor_a, secretariat):
    action = _action(palmira_draft, editor_a)
    _publish(palmira_draft, editor_a, secretariat)
    before = list(CriterionResponse.objects.filter(assessment=palmira_draft)
                  .values_list("pk", "version", "level"))
    history = sum(r.history.count() for r in palmira_draft.responses.all())
    client.force_login(editor_a)
    edit = client.get(reverse("criteria:action-edit", args=[action.pk]))
    data = {**edit.context["form"].initial, "criterion": action.criterion_id,
            "status": "in_progress", "title": "Train staff", "submission_key": ""}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    assert client.post(reverse("criteria:action-edit", args=[action.pk]), data).status_code \
        == 302
    assert _targets_post(client, palmira_draft, **{"c1-level": "4",
                                                   "c1-target_date": "2028-01-31"}
                         ).status_code == 302
    assert _post_action(client, palmira_draft).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress"
    assert CriterionTarget.objects.get(assessment=palmira_draft, criterion__number=1).level == 4
    assert list(CriterionResponse.objects.filter(assessment=palmira_draft)
                .values_list("pk", "version", "level")) == before
    assert sum(r.history.count() for r in palmira_draft.responses.all()) == history
    assert Assessment.objects.get(pk=palmira_draft.pk).is_frozen


def test_two_editors_on_one_action_merge_or_see_both(client, palmira_draft, editor_a):
    from cities.models import OfficeMembership, User

    colleague = User.objects.create_user("colleague", "c@example.org")
    OfficeMembership.objects.create(user=colleague, office=palmira_draft.office,
                                    role=OfficeMembership.Role.EDITOR)
    action = _action(palmira_draft, editor_a, owner="Ana")
    base = action.version
    # The colleague changes the owner meanwhile.
    plans.save_action(action=action, content={"owner": "Bruno"}, base_version=base,
                      by=colleague)
    client.force_login(editor_a)
    data = {"title": "Train all staff", "criterion": action.criterion_id, "status": "planned",
            "owner": "Ana", "version": str(base)}
    url = reverse("criteria:action-edit", args=[action.pk])
    assert client.post(url, data).status_code == 302  # different fields: merged
    action.refresh_from_db()
    assert (action.title, action.owner) == ("Train all staff", "Bruno")
    # Now both change the title: a conflict, nothing written, both shown, mine kept.
    plans.save_action(action=action, content={"title": "Their title"},
                      base_version=action.version, by=colleague)
    stale = {**data, "title": "My title", "owner": "Bruno", "version": str(action.version)}
    result = client.post(url, stale)
    assert result.status_code == 409
    html = result.content.decode()
    assert "Their title" in html and "My title" in html
    action.refresh_from_db()
    assert action.title == "Their title"
    # Saving the merge form (at the new version) applies mine.
    again = {**stale, "version": str(action.version)}
    assert client.post(url, again).status_code == 302
    action.refresh_from_db()
    assert action.title == "My title"


def test_delete_refuses_when_changed_meanwhile(client, palmira_draft, editor_a):
    action = _action(palmira_draft, editor_a)
    seen = action.version
    plans.save_action(action=action, content={"owner": "Someone"}, base_version=seen,
                      by=editor_a)
    client.force_login(editor_a)
    url = reverse("criteria:action-delete", args=[action.pk])
    assert client.post(url, {"version": seen}).status_code == 302
    assert Action.objects.filter(pk=action.pk).exists()
    assert client.post(url, {"version": seen + 1}).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


def test_targets_merge_per_criterion(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    url = reverse("criteria:plan-targets", args=[palmira_draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    # Someone sets criterion 2's target while this page is open.
    plans.save_targets(assessment=palmira_draft, by=editor_a, rows=[{
        "criterion": _criterion(palmira_draft, 2), "level": 2, "target_date": None,
        "base_level": None, "base_date": None}])
    result = client.post(url, {**{k: v for k, v in _initial(page).items()},
                               "c4-level": "3", "c2-level": "4", "c2-target_date": "2027-12-31"})
    assert result.status_code == 409
    assert "Saved meanwhile by someone else" in result.content.decode()
    targets = {t.criterion.number: t.level for t in
               CriterionTarget.objects.filter(assessment=palmira_draft)}
    assert targets[4] == 3 and targets[2] == 2
    # The form kept "4" and now carries the stored base: saving again applies it.
    form = [f for f in result.context["forms"] if f.criterion.number == 2][0]
    assert form["level"].value() == "4"
    data = {f"{f.prefix}-{name}": f[name].value() or "" for f in result.context["forms"]
            for name in ("level", "target_date", "base_level", "base_date")}
    assert client.post(url, data).status_code == 302
    assert CriterionTarget.objects.get(assessment=palmira_draft, criterion__number=2).level == 4


def _initial(page):
    data = {}
    for f in page.context["forms"]:
        for name in ("level", "target_date", "base_level", "base_date"):
            value = f[name].value()
            data[f"{f.prefix}-{name}"] = "" if value is None else str(value)
    return data


def test_target_date_without_level_is_refused(client, palmira_draft, editor_a):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:plan-targets", args=[palmira_draft.pk]),
                         {"c1-target_date": "2027-12-31", "c2-level": "9"})
    assert result.status_code == 422
    html = result.content.decode()
    assert "Choose a target level for this date" in html
    assert "Choose a target level from 0 to 4" in html


def test_copy_forward_carries_targets_and_open_actions(palmira_draft, editor_a, secretariat):
    open_ = _action(palmira_draft, editor_a, status=Action.Status.IN_PROGRESS)
    _action(palmira_draft, editor_a, title="Finished", status=Action.Status.DONE)
    _action(palmira_draft, editor_a, title="Abandoned", status=Action.Status.DROPPED)
    CriterionTarget.objects.create(assessment=palmira_draft,
                                   criterion=_criterion(palmira_draft, 7), level=3,
                                   target_date=date(2028, 6, 30))
    published = _publish(palmira_draft, editor_a, secretariat)
    nxt = workflow.start_assessment(office=published.office, framework=published.framework,
                                    round=round_for_office(published.office, "2027"),
                                    by=editor_a, copy_from=published)
    carried = list(Action.objects.filter(assessment=nxt))
    titles = {a.title for a in carried}
    assert "Train staff" in titles and "Finished" not in titles and "Abandoned" not in titles
    copy = [a for a in carried if a.carried_from_id == open_.pk][0]
    assert copy.status == Action.Status.IN_PROGRESS and copy.version == 1
    target = CriterionTarget.objects.get(assessment=nxt, criterion__number=7)
    assert (target.level, target.target_date) == (3, date(2028, 6, 30))
    assert Action.objects.filter(assessment=published).count() >= 3  # the old plan stays


def test_previous_published_is_the_earlier_round_of_the_same_office(
        palmira_draft, editor_a, secretariat):
    assert plans.previous_published(palmira_draft) is None
    published = _publish(palmira_draft, editor_a, secretariat)
    nxt = workflow.start_assessment(office=published.office, framework=published.framework,
                                    round=round_for_office(published.office, "2027"),
                                    by=editor_a, copy_from=published)
    assert plans.previous_published(nxt) == published
    assert plans.previous_published(published) is None


def test_plan_page_query_count_is_fixed(client, palmira_draft, editor_a,
                                        django_assert_num_queries):
    for i in range(5):
        _action(palmira_draft, editor_a, title=f"Action {i}", owner_member=editor_a)
    client.force_login(editor_a)
    url = reverse("criteria:plan", args=[palmira_draft.pk])
    # 1 session, 2 user, 3 their roles (read once: the MFA rule, their role in the office,
    # the menu's checks), 4 assessment (+office, city, framework), 5 responses (+criterion),
    # 6 targets, 7 actions (+owner), 8 peers above on every criterion (published
    # responses), 9 the office's exchange requests (+peer office). Five actions or fifty.
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


def test_model_clean_names_fields(palmira_draft):
    action = Action(assessment=palmira_draft, criterion=_criterion(palmira_draft, 1), title="T",
                    start_date=date(2027, 2, 1), due_date=date(2027, 1, 1),
                    cost_amount=Decimal(1))
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert {"due_date", "cost_currency"} <= set(refused.value.message_dict)


@pytest.mark.parametrize("lang,typed,value", [
    ("en", "12,500,000.50", "12500000.50"), ("es", "12.500.000,50", "12500000.50"),
    ("pt-br", "1.000", "1000"), ("en", "1,000", "1000"), ("en", "1.50", "1.5"),
    ("es", "2500,5", "2500.5"),
    ("en", "12 500", "12500"),
])
def test_amounts_are_read_the_way_the_reader_writes_them(palmira_draft, lang, typed, value):
    from django.utils import translation

    with translation.override(lang):
        form = ActionForm({"title": "T", "criterion": _criterion(palmira_draft, 1).pk,
                           "status": "planned", "cost_amount": typed, "cost_currency": "EUR"},
                          assessment=palmira_draft)
        assert form.is_valid(), form.errors
    assert form.cleaned_data["cost_amount"] == Decimal(value)
