"""The office's elections and changes of administration: recorded by its editors, read by
anyone, named by the transition memo in place of an assessment's (frozen) date."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cities.models import Indicator, Office, Transition
from criteria.models import Action, Assessment
from reports.selectors import brief_queryset
from reports.transition import build_transition_memo

pytestmark = pytest.mark.django_db

PALMIRA = "palmira-security-coexistence"
URL = reverse("cities:office-transitions", kwargs={"slug": PALMIRA})


def _post(client, **data):
    return client.post(URL, {"kind": "election", "note": "", "source": "", **data})


def test_an_editor_records_the_next_election_and_the_office_page_names_it(client, editor_a):
    client.force_login(editor_a)
    year = timezone.localdate().year + 1
    response = _post(client, year=str(year), month="10", note="Mayor and council",
                     source="Electoral calendar")
    assert response.status_code == 302
    recorded = Transition.objects.get(office__slug=PALMIRA)
    assert (recorded.year, recorded.month, recorded.recorded_by) == (year, 10, editor_a)
    page = client.get(URL).content.decode()
    assert f"October {year}" in page and "Mayor and council" in page
    office = client.get(reverse("cities:office-detail", kwargs={"slug": PALMIRA}))
    assert f"<strong>October {year}</strong> (Election)" in office.content.decode()


def test_a_past_date_is_refused_naming_the_field_and_the_input_is_kept(client, editor_a):
    client.force_login(editor_a)
    response = _post(client, year="2019", month="10", note="Kept text")
    assert response.status_code == 422
    assert "year" in response.context["form"].errors
    assert "Kept text" in response.content.decode()
    assert not Transition.objects.exists()


def test_a_repeated_submission_records_once(client, editor_a):
    client.force_login(editor_a)
    year = str(timezone.localdate().year + 2)
    assert _post(client, year=year, month="3").status_code == 302
    again = _post(client, year=year, month="3")
    assert again.status_code == 302
    assert Transition.objects.filter(office__slug=PALMIRA).count() == 1


def test_the_same_date_with_other_words_keeps_them_and_says_what_to_do(client, editor_a):
    client.force_login(editor_a)
    year = str(timezone.localdate().year + 2)
    _post(client, year=year, note="First note")
    response = _post(client, year=year, note="Second note")
    assert response.status_code == 422
    assert "Remove that record first" in str(response.context["form"].errors["year"])
    assert "Second note" in response.content.decode()
    assert list(Transition.objects.values_list("note", flat=True)) == ["First note"]


@pytest.mark.parametrize("persona", ["viewer_a", "editor_b", "researcher", "secretariat"])
def test_only_the_offices_editors_record(as_persona, persona):
    client = as_persona(persona)
    assert _post(client, year="2099").status_code == 403
    page = client.get(URL)
    assert page.status_code == 200 and page.context["form"] is None
    assert not Transition.objects.exists()


def test_an_editor_removes_a_record_after_confirming(client, editor_a):
    client.force_login(editor_a)
    recorded = Transition.objects.create(office=Assessment.objects.get(
        office__slug=PALMIRA, round__code="2026").office, year=2099, recorded_by=editor_a)
    remove = reverse("cities:office-transition-remove", kwargs={"pk": recorded.pk})
    assert "Remove this record?" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not Transition.objects.exists()
    assert Transition.history.filter(history_type="-").count() == 1
    assert client.post(remove).status_code == 404


def test_upcoming_counts_a_year_without_a_month_until_its_end(palmira_draft):
    office = palmira_draft.office
    this_year = Transition.objects.create(office=office, year=2030)
    this_month = Transition.objects.create(office=office, year=2030, month=6, kind="other")
    Transition.objects.create(office=office, year=2030, month=5, kind="administration")
    upcoming = Transition.objects.upcoming(date(2030, 6, 15)).in_order()
    assert list(upcoming) == [this_month, this_year]


def test_the_memo_names_the_offices_record_over_the_assessments():
    cali = Assessment.objects.get(city__slug="cali", status=Assessment.Status.PUBLISHED)

    def memo(assessment):
        return build_transition_memo(brief_queryset().get(pk=assessment.pk),
                                     actions_from=Action.objects.none(),
                                     indicators_from=Indicator.objects.none())

    # Cali's profile recorded October 2023: now past, and the memo says so.
    before = memo(cali)
    assert before.transition_from == "assessment" and before.transition_passed
    year = timezone.localdate().year + 1
    # An ecosystem assessment (no office): an office of the city recorded the election.
    assert cali.office is None
    Transition.objects.create(office=Office.objects.filter(city=cali.city).first(),
                              year=year, month=10, note="Elecciones locales")
    after = memo(cali)
    assert (after.transition, after.transition_from, after.transition_note) == (
        f"October {year}", "office", "Elecciones locales")
    assert not after.transition_passed


def test_the_page_runs_a_fixed_number_of_queries(client, editor_a, palmira_draft,
                                                 django_assert_num_queries):
    for year in (2097, 2098, 2099):
        Transition.objects.create(office=palmira_draft.office, year=year, recorded_by=editor_a)
    client.force_login(editor_a)
    client.get(URL)
    # session, user, their roles (read once: the MFA rule, their role in the office, the
    # navigation; no secretariat check, as they are no secretariat), office (+city),
    # transitions (+recorder).
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200


def test_the_api_lists_them_and_filters_what_is_ahead(client, palmira_draft):
    office = palmira_draft.office
    ahead = Transition.objects.create(office=office, year=2099, month=1)
    Transition.objects.create(office=office, year=2001)  # past: kept, as history
    url = reverse("api:transition-list")
    rows = client.get(url, {"office": PALMIRA, "upcoming": "true"}).json()["results"]
    assert [(r["id"], r["office_slug"], r["year"], r["month"]) for r in rows] == [
        (ahead.pk, PALMIRA, 2099, 1)]
    assert client.get(url, {"office": PALMIRA, "upcoming": "false"}).json()["count"] == 1
    assert client.get(url, {"officee": PALMIRA}).status_code == 400
