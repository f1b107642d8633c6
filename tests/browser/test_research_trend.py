"""A researcher builds a panel trend, downloads it and fetches the same rows through the API
with the same query string: identical rows and numbers, with n shown. The secretariat, whose
demo rounds share no office, is told so in words instead of a chart."""

import csv
import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    from django.core.cache import cache

    cache.clear()


def test_researcher_builds_a_panel_trend_downloads_it_and_gets_the_same_from_the_api(
        page, seeded_live_server, sign_in, axe, screenshot):
    call_command("generate_synthetic", offices=8, rounds=3, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    base = seeded_live_server.url
    sign_in(page, base, "demo-researcher")
    page.get_by_role("link", name="Compare", exact=True).click()
    page.get_by_label("Synthetic data").select_option("only")
    # The panel is the default view; say so anyway, as a researcher would check it.
    expect(page.get_by_label("Panel: the same offices in every round")).to_be_checked()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/compare/\?.*synthetic=only.*trend=panel"))

    trend = page.locator("section[aria-labelledby='trend-h']")
    expect(trend.get_by_text("Panel: 8 offices and ecosystems were assessed in every round",
                             exact=False)).to_be_visible()
    expect(page.locator("[data-plotly='chart-trend'].is-plotted")).to_be_visible()
    table = trend.locator("table.trend-table")
    expect(table.locator("tr.trend-counts td")).to_have_text(["8", "8", "8"])
    assert axe(page) == []
    screenshot("research-trend-panel")

    # The figures on the page: criterion × round → (median, n).
    shown = {}
    rounds = [t.strip() for t in table.locator("thead th").all_inner_texts()[1:]]
    for row in table.locator("tbody tr:not(.trend-counts)").all():
        number = row.locator(".so-no").inner_text().strip()
        for code, cell in zip(rounds, row.locator("td").all(), strict=True):
            n = re.search(r"n = (\d+)", cell.inner_text()).group(1)
            median = cell.locator(".stat-median").inner_text().strip()
            shown[(code, number)] = (median, n)
    assert len(shown) == 3 * 9 and {n for _m, n in shown.values()} == {"8"}

    with page.expect_download() as info:
        trend.get_by_role("link", name="Trend CSV").click()
    assert info.value.suggested_filename == "ovp-comparison-trend-panel.csv"
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        downloaded = list(csv.DictReader(handle))

    # The API with the page's own query string, as the page says.
    query = urlsplit(page.url).query
    expect(trend.locator("code")).to_have_text(f"/api/comparison/trend/?{query}")
    answer = page.context.request.get(f"{base}/api/comparison/trend/?{query}")
    assert answer.ok, answer.text()
    api = answer.json()
    assert api["trend"] == "panel" and api["panel_size"] == 8 and api["min_n"] == 3
    assert downloaded == [{k: "" if v is None else str(v) for k, v in r.items()}
                          for r in api["results"]]
    assert {(r["round"], str(r["criterion_number"])): (str(r["median"]), str(r["n"]))
            for r in api["results"]} == shown

    # The unbalanced view is one click away and labelled as such.
    trend.get_by_role("link", name="Unbalanced: every assessment of each round").click()
    expect(page).to_have_url(re.compile(r"trend=all"))
    expect(page.locator("section[aria-labelledby='trend-h'] .trend-rule")).to_contain_text(
        "Unbalanced.")
    expect(page.locator("table.trend-table caption")).to_contain_text("unbalanced")

    # On a phone the trend's table scrolls in its own box; the page does not.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("[data-plotly='chart-trend'].is-plotted")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("research-trend-phone")


def test_rounds_without_shared_offices_are_said_in_words(page, seeded_live_server, sign_in,
                                                         axe):
    base = seeded_live_server.url
    sign_in(page, base, "demo-secretariat")
    # The demo's 2023 levels are the report's four Part 4 charts; 2026 is Palmira's draft.
    page.goto(base + "/compare/")
    trend = page.locator("section[aria-labelledby='trend-h']")
    expect(trend.locator("#trend-not-drawn")).to_contain_text("no panel to follow")
    expect(page.locator("[data-plotly='chart-trend']")).to_have_count(0)
    expect(page.locator(".source-counts")).to_contain_text(
        "OVP Assess's reading of a published report: 4")
    expect(page.locator(".source-counts")).to_contain_text(
        "Self-assessed, not yet published: 1")
    assert axe(page) == []
    # Only the report's readings: one round, a table with n, no chart.
    page.get_by_label("OVP Assess's reading of a published report").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page.locator(".heat-table tbody tr")).to_have_count(4)
    expect(trend.locator("#trend-not-drawn")).to_contain_text("Only one round")
    expect(trend.locator("table.trend-table tr.trend-counts td")).to_have_text(["4"])
    # The network brief states the same statistic, with n, in its tables.
    page.goto(base + "/reports/rounds/2023/")
    expect(page.locator(".dist-table tbody tr").first).to_contain_text("n = 4")
    expect(page.locator(".dist-table tbody tr").first.locator(".stat-median")).to_have_text(
        "1.0")  # criterion 1 in 2023: the median the trend's table gives too
    assert axe(page) == []
