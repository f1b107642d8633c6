"""The comparison page: filters in the URL, what each reader sees, fixed query counts."""

import io

import pytest
from django.core.management import call_command

from reports.comparison import ComparisonFilters, build_comparison, filtered_assessments

pytestmark = pytest.mark.django_db


def _compare(user, query=""):
    from django.http import QueryDict

    form = ComparisonFilters.from_query(QueryDict(query))
    assert form.is_valid(), form.error_dict()
    return build_comparison(filtered_assessments(user, form.cleaned_data),
                            radar_ids=form.cleaned_data["radar"])


def test_researcher_sees_published_only(researcher, palmira_draft):
    result = _compare(researcher)
    assert palmira_draft.pk not in {r.assessment_id for r in result.rows}
    assert result.subject_count == 4 and not result.includes_unpublished


def test_secretariat_sees_drafts_too(secretariat, palmira_draft):
    result = _compare(secretariat)
    assert palmira_draft.pk in {r.assessment_id for r in result.rows}
    assert result.includes_unpublished


@pytest.mark.parametrize(("query", "subjects"), [
    ("region=europe", {"Bristol"}),
    ("country=CA", {"Edmonton"}),
    ("us=us", {"Testville"}),
    ("us=non_us&region=latin_america_caribbean", {"Cali", "Rosario"}),
    ("location=public_health", {"Testville"}),
    ("approach=primary&approach=tertiary", {"Cali"}),
    ("budget=1m_5m", {"Testville"}),
    ("budget=not_reported&city=testville", set()),
    ("office=testville-ovp&city=cali", {"Testville", "Cali"}),
    ("network=pioc&round=2024", {"Testville"}),
])
def test_filters(researcher, tiny, query, subjects):
    assert {r.city for r in _compare(researcher, query).rows} == subjects


def test_latest_round_on_heatmap_and_trend_over_rounds(researcher, tiny):
    result = _compare(researcher, "office=testville-ovp")
    assert [r.round for r in result.rows] == ["2025"]
    assert result.rows[0].levels[:2] == [2, 4]
    # One office: every round's n is 1, below the minimum, so no median and no chart.
    assert result.trend.rounds == ["2024", "2025"] and result.trend.panel == [
        "Testville OVP (Testville)"]
    assert [c.summary.n for c in result.trend.criteria[0].cells] == [1, 1]
    assert result.trend.chart is None and "at least 3" in result.trend.empty_reason
    assert result.distribution[1] == [0, 0, 1, 0, 0]


def test_radar_takes_at_most_six(researcher, tiny):
    ids = "&".join(f"radar={a.pk}" for a in tiny["assessments"])
    result = _compare(researcher, f"office=testville-ovp&{ids}")
    assert [r.round for r in result.radar_rows] == ["2024", "2025"]
    form = ComparisonFilters.from_query(
        __import__("django.http").http.QueryDict("&".join(f"radar={i}" for i in range(1, 8))))
    assert not form.is_valid() and "radar" in form.error_dict()


def test_page_shows_charts_and_export_links(client, researcher, tiny, cohort):
    client.force_login(researcher)
    html = client.get("/compare/?office=testville-ovp&city=cohortville").content.decode()
    for marker in ('id="chart-heatmap"', 'id="chart-radar"', 'id="chart-distribution"',
                   'id="chart-trend"', "/compare/export.xlsx?office=testville-ovp",
                   "/api/comparison/?office=testville-ovp",
                   "/compare/trend.csv?office=testville-ovp&amp;city=cohortville",
                   "/api/comparison/trend/?office=testville-ovp&amp;city=cohortville"):
        assert marker in html


@pytest.mark.parametrize("size", [5, 60])
def test_comparison_query_count_is_fixed(client, researcher, django_assert_num_queries, size):
    call_command("generate_synthetic", offices=size, rounds=3, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    # session, user, their roles (the MFA rule, the navigation); rounds for the round
    # picker; assessments, criteria, responses; the form's option lists: offices, cities;
    # the checkboxes with data: countries and regions, networks.
    with django_assert_num_queries(11):
        assert client.get("/compare/?synthetic=include").status_code == 200


def test_hand_pick_lists_name_real_offices_and_what_is_chosen(client, researcher, tiny):
    call_command("generate_synthetic", offices=6, rounds=1, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    html = client.get("/compare/?synthetic=only").content.decode()
    assert 'value="testville-ovp"' in html and 'value="synthetic-office-00001"' not in html
    assert "find them with" in html  # says where the generated offices went
    # A generated office chosen by its slug is listed (and selected), so it can be unchosen.
    html = client.get("/compare/?synthetic=only&office=synthetic-office-00001").content.decode()
    assert 'value="synthetic-office-00001" selected' in html
    assert 'value="synthetic-office-00002"' not in html


def test_page_names_at_most_a_hundred_panel_members(client, researcher):
    call_command("generate_synthetic", offices=120, rounds=2, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    html = client.get("/compare/?synthetic=only").content.decode()
    assert "Synthetic Office 00099 (Synthetic City 00019)" in html
    assert "Synthetic Office 00100 (Synthetic City 00020)" not in html
    assert "and 20 more." in html
