"""One stated statistic (median, IQR, n; none below the minimum n), the panel trend, and
where each level comes from: the same figures in chart, table, export and API."""

import csv
import io
import json

import numpy as np
import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from criteria.models import Assessment, LevelSource
from reports.comparison import ComparisonFilters, build_comparison, filtered_assessments
from reports.selectors import build_network_brief
from reports.statistic import MIN_N, summarise, summarise_counts

pytestmark = pytest.mark.django_db

CITY = "city=cohortville"


def _body(response):
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else response.content


def _compare(user, query):
    form = ComparisonFilters.from_query(QueryDict(query))
    assert form.is_valid(), form.error_dict()
    return build_comparison(filtered_assessments(user, form.cleaned_data),
                            trend_view=form.cleaned_data["trend"] or "panel")


def _cells(trend, number):
    criterion = next(c for c in trend.criteria if c.number == number)
    return [(c.round, c.summary.n, c.summary.median, c.summary.q1, c.summary.q3)
            for c in criterion.cells]


# --- the statistic ----------------------------------------------------------------------------


def test_no_median_below_the_minimum_n():
    assert MIN_N == 3
    assert summarise([4, 0]).median is None and summarise([4, 0]).n == 2
    assert summarise([None, 1, None, 2]).n == 2  # "not given" is not counted


@pytest.mark.parametrize("levels", [[1, 2, 3, 4], [0, 0, 4], [0, 1, 1, 2, 4, 4, 3], [2, 2, 2]])
def test_quartiles_are_numpys_linear_ones(levels):
    s = summarise(levels)
    assert (s.median, s.q1, s.q3) == tuple(
        round(float(np.quantile(levels, p, method="linear")), 2) for p in (0.5, 0.25, 0.75))


def test_counted_levels_give_the_same_statistic_as_sorted_ones():
    import random

    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    for _ in range(300):
        levels = [rng.choice([0, 1, 2, 3, 4, None]) for _ in range(rng.randrange(0, 40))]
        counts = [levels.count(v) for v in range(5)]
        assert summarise_counts(counts) == summarise(levels), levels


# --- the panel and the unbalanced trend -------------------------------------------------------


def test_panel_is_the_same_offices_in_every_round(researcher, cohort):
    trend = _compare(researcher, CITY).trend
    assert trend.is_panel and trend.rounds == ["2024", "2025"]
    assert trend.panel == [f"Cohort office {k} (Cohortville)" for k in "ABC"]
    assert trend.assessments_per_round == [3, 3]
    # D (2025 only) is left out: 2025 is over A, B, C.
    assert _cells(trend, 1) == [("2024", 3, 1.0, 0.5, 1.5), ("2025", 3, 2.0, 1.5, 2.5)]
    # C gave no level on criterion 2 in 2024, so only A and B are in every round: too few.
    assert _cells(trend, 2) == [("2024", 2, None, None, None), ("2025", 2, None, None, None)]
    assert trend.chart is not None


def test_unbalanced_view_takes_every_assessment_of_each_round(researcher, cohort):
    trend = _compare(researcher, f"{CITY}&trend=all").trend
    assert not trend.is_panel and trend.assessments_per_round == [3, 4]
    assert _cells(trend, 1) == [("2024", 3, 1.0, 0.5, 1.5), ("2025", 4, 2.5, 1.75, 3.25)]
    assert _cells(trend, 2)[0] == ("2024", 2, None, None, None)


def test_a_panel_too_small_or_empty_is_said_in_words_not_plotted(client, researcher, cohort,
                                                                  tiny):
    client.force_login(researcher)
    # Testville's office is in both rounds, D only in 2025: a panel of one, n = 1.
    html = client.get("/compare/?office=testville-ovp&office=cohort-d").content.decode()
    assert 'id="chart-trend"' not in html and 'id="trend-not-drawn"' in html
    assert "a median needs at least 3 levels" in html and "too few (n = 1)" in html
    # With Testville's 2025 unpublished, no office is in both rounds: no panel at all.
    tiny["assessments"][1].status = Assessment.Status.DRAFT
    tiny["assessments"][1].save(update_fields=["status"])
    html = client.get("/compare/?office=testville-ovp&office=cohort-d").content.decode()
    assert "no panel to follow" in html and 'id="chart-trend"' not in html
    # The unbalanced view is offered, labelled, and draws nothing either (n = 1 per round).
    assert "trend=all" in html and "Unbalanced: every assessment of each round" in html


# --- one statistic in chart, table, export and API --------------------------------------------


@pytest.mark.parametrize("query", [CITY, f"{CITY}&trend=all", f"{CITY}&source=published"])
def test_chart_table_exports_and_api_give_the_same_figures(client, researcher, cohort, query):
    client.force_login(researcher)
    page = client.get(f"/compare/?{query}").content.decode()
    trend = _compare(researcher, query).trend

    # The chart draws the trend's medians, with n and the quartiles in its hover data.
    chart = trend.chart.plotly["data"]
    expected = {}
    for series, criterion in zip(chart, trend.criteria, strict=True):
        for x, y, (n, q1, q3), cell in zip(series["x"], series["y"], series["customdata"],
                                          criterion.cells, strict=True):
            assert (x, y, n, q1, q3) == (cell.round, cell.summary.median, cell.summary.n,
                                         cell.summary.q1, cell.summary.q3)
            expected[(x, criterion.number)] = (n, y, q1, q3)

    # The table on the page states each of them (n always; the median only when n allows).
    for (_round, _number), (n, median, q1, q3) in expected.items():
        if median is None:
            assert f"too few (n = {n})" in page
        else:
            assert f'<span class="stat-median">{median}</span> <span class="stat-iqr">IQR ' \
                   f"{q1}–{q3}</span> <span class=\"stat-n\">n = {n}</span>" in page

    def as_tuple(row):
        return (row["round"], int(row["criterion_number"]))

    api = client.get(f"/api/comparison/trend/?{query}").json()
    assert api["statistic"] == "median" and api["min_n"] == MIN_N
    from_api = {as_tuple(r): (r["n"], r["median"], r["q1"], r["q3"]) for r in api["results"]}
    assert from_api == expected

    from_json = json.loads(_body(client.get(f"/compare/trend.json?{query}")))
    assert from_json["rows"] == api["results"]
    assert from_json["about"]["datasets"]  # the export cites the open dataset it draws on

    def num(text):
        return float(text) if text else None

    rows = list(csv.DictReader(io.StringIO(
        _body(client.get(f"/compare/trend.csv?{query}")).decode("utf-8-sig"))))
    assert {as_tuple(r): (int(r["n"]), num(r["median"]), num(r["q1"]), num(r["q3"]))
            for r in rows} == expected
    assert [dict(r) for r in rows] == [
        {k: "" if v is None else str(v) for k, v in r.items()} for r in api["results"]]

    sheet = load_workbook(io.BytesIO(_body(client.get(f"/compare/trend.xlsx?{query}"))),
                          read_only=True).worksheets[0]
    header, *cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    # (read-only openpyxl leaves out a row's empty cells at its end)
    assert [dict(zip(header, r + [None] * (len(header) - len(r)), strict=True))
            for r in cells] == api["results"]


def test_trend_api_and_export_refuse_bad_filters_naming_them(client, researcher, cohort):
    client.force_login(researcher)
    for url in ("/api/comparison/trend/?trend=sideways", "/compare/trend.csv?trend=sideways"):
        response = client.get(url)
        assert response.status_code == 400 and "trend" in response.json().get(
            "errors", response.json())
    assert client.get("/compare/trend.pdf").status_code == 404


def test_trend_counts_only_what_the_reader_may_see(client, editor_b, cohort):
    # An editor of another office sees Cohortville's public assessments, never drafts.
    Assessment.objects.filter(pk=cohort["assessments"][("2025", "A")].pk).update(
        status=Assessment.Status.DRAFT, is_public=False, published_at=None)
    client.force_login(editor_b)
    api = client.get(f"/api/comparison/trend/?{CITY}&trend=all").json()
    c1 = {r["round"]: r["n"] for r in api["results"] if r["criterion_number"] == 1}
    assert c1 == {"2024": 3, "2025": 3}


# --- where the levels come from ---------------------------------------------------------------


def test_level_source_is_named_and_filterable(client, researcher, cohort):
    assert cohort["assessments"][("2025", "D")].get_level_source() == LevelSource.READING
    assert cohort["assessments"][("2025", "A")].get_level_source() == LevelSource.PUBLISHED
    client.force_login(researcher)
    rows = list(csv.DictReader(io.StringIO(
        _body(client.get(f"/compare/export.csv?{CITY}")).decode("utf-8-sig"))))
    assert {(r["office_slug"], r["level_source"]) for r in rows if r["round"] == "2025"} == {
        ("cohort-a", "published"), ("cohort-b", "published"), ("cohort-c", "published"),
        ("cohort-d", "reading")}
    reading = client.get(f"/api/comparison/?{CITY}&source=reading").json()["results"]
    assert {r["office_slug"] for r in reading} == {"cohort-d"}
    page = client.get(f"/compare/?{CITY}&source=published").content.decode()
    assert ">Cohort office D</a>" not in page and ">Cohort office A</a>" in page
    assert '<td class="source-cell source-published">Published (reviewed)</td>' in page
    assert "Published by the secretariat after review: 6" in page  # A, B, C × 2 rounds
    assert client.get(f"/compare/export.csv?{CITY}&source=guess").status_code == 400


def test_self_assessed_drafts_are_their_own_source(secretariat, palmira_draft):
    assert palmira_draft.get_level_source() == LevelSource.SELF_ASSESSED
    result = _compare(secretariat, "source=self_assessed")
    assert {r.assessment_id for r in result.rows} == {palmira_draft.pk}
    assert result.sources == [("self_assessed", "Self-assessed, not yet published", 1)]


# --- the network brief states the same statistic ----------------------------------------------


def test_network_brief_gaps_and_distribution_use_the_statistic(researcher, cohort):
    brief = build_network_brief(
        Assessment.objects.visible_to(researcher).filter(city=cohort["city"]), round="2025")
    rows = {n: summary for n, _name, _counts, summary in brief.distribution_rows}
    assert (rows[1].n, rows[1].median, rows[1].q1, rows[1].q3) == (4, 2.5, 1.75, 3.25)
    assert rows[2] == summarise([3, 3, 3, 0])
    gap = next(g for g in brief.gaps if g.number == 2)
    assert gap.summary == rows[2] and gap.median == 3.0
