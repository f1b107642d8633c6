"""Research in a real browser: demo-researcher, as a new user would, compares the sample's
offices, downloads XLSX and CSV, and fetches the same rows through the API with a token,
following the documentation page. Also looks at the library and the outcome charts."""

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    from django.core.cache import cache

    cache.clear()


def test_researcher_compares_downloads_and_uses_the_api(page, seeded_live_server, sign_in,
                                                         screenshot):
    base = seeded_live_server.url
    sign_in(page, base, "demo-researcher")

    # The navigation leads to the comparison; choose the PiOC network's offices, 2023 round.
    page.get_by_role("link", name="Compare", exact=True).click()
    page.get_by_role("group", name="Network").get_by_label("Peace in Our Cities").check()
    page.get_by_label("2023").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/compare/\?.*network=pioc&.*round=2023"))
    expect(page.locator(".heat-table tbody tr")).to_have_count(4)
    expect(page.locator("[data-plotly='chart-heatmap'].is-plotted")).to_be_visible()
    expect(page.locator("[data-plotly='chart-radar'].is-plotted")).to_be_visible()
    screenshot("research-compare")

    with page.expect_download() as xlsx_info:
        page.get_by_role("link", name="XLSX", exact=True).click()
    assert xlsx_info.value.suggested_filename == "ovp-comparison-tidy.xlsx"
    with open(xlsx_info.value.path(), "rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()), read_only=True)
    xlsx_rows = list(book.worksheets[0].iter_rows(values_only=True))
    with page.expect_download() as csv_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert csv_info.value.suggested_filename == "ovp-comparison-tidy.csv"
    with open(csv_info.value.path(), encoding="utf-8-sig") as handle:
        csv_rows = list(csv.reader(handle))
    assert len(csv_rows) == len(xlsx_rows) == 1 + 4 * 9
    assert csv_rows[0] == list(xlsx_rows[0])

    # The API documentation page says how to get a token and use it.
    page.get_by_role("link", name="API docs").click()
    expect(page.get_by_text("Authorization: Token", exact=False).first).to_be_visible()
    screenshot("research-api-docs")
    page.goto(base + "/accounts/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill("comparison script")
    page.get_by_role("button", name="Create a token").click()
    key = page.locator("#new-token").inner_text().strip()
    assert key.startswith("ovp_") and len(key) > 40

    # The same rows through the API, with the token and no session.
    api = page.context.request
    page.context.clear_cookies()
    result = api.get(f"{base}/api/comparison/?network=pioc&round=2023&page_size=500",
                     headers={"Authorization": f"Token {key}"})
    assert result.ok, result.text()
    rows = result.json()["results"]
    header = csv_rows[0]
    assert [(str(r["assessment_id"]), str(r["criterion_number"]),
             "" if r["level"] is None else str(r["level"])) for r in rows] == [
        (c[header.index("assessment_id")], c[header.index("criterion_number")],
         c[header.index("level")]) for c in csv_rows[1:]]
    refused = api.get(f"{base}/api/comparison/", headers={"Authorization": "Token wrong"})
    assert refused.status == 401


def test_library_and_outcome_chart(page, seeded_live_server, screenshot):
    base = seeded_live_server.url
    page.goto(base + "/practices/")
    page.get_by_label("Words").fill("youth")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".practice-list-page > li.card").first).to_be_visible()
    screenshot("research-library")
    page.get_by_role("link", name="Outcomes", exact=True).click()
    expect(page.locator(".outcome-list svg").first).to_be_visible()
    screenshot("research-outcomes")
    page.get_by_role("link", name="Palmira", exact=True).click()
    expect(page.locator("[data-plotly='chart-trend'].is-plotted")).to_be_visible()
    screenshot("research-outcome-palmira")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    text = open(info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert text.splitlines()[0].startswith("city,city_name,country,year")
    assert "palmira" in text


def test_researcher_filters_with_chips_downloads_and_gets_the_same_rows_from_the_api(
        page, seeded_live_server, sign_in, axe, screenshot):
    base = seeded_live_server.url
    sign_in(page, base, "demo-researcher")
    page.goto(base + "/compare/")
    # Only countries with data are offered, as checkboxes (no Ctrl-click list of 249).
    countries = page.get_by_role("group", name="Country").get_by_role("checkbox")
    assert 0 < countries.count() < 30
    page.get_by_role("group", name="Network").get_by_label("Peace in Our Cities").check()
    page.get_by_role("group", name="Country").get_by_label("Colombia").check()
    page.get_by_label("Words").fill("CALI")
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=CALI"))
    chips = page.get_by_role("group", name="Chosen filters")
    expect(chips.get_by_role("link", name=re.compile("Country: Colombia"))).to_be_visible()
    assert axe(page) == []
    screenshot("research-chips")
    # Removing a chip is a plain link: the address is the state.
    chips.get_by_role("link", name=re.compile("Words: CALI")).click()
    expect(page).not_to_have_url(re.compile(r"q=CALI"))
    expect(page).to_have_url(re.compile(r"country=CO"))
    query = page.url.split("?", 1)[1]

    with page.expect_download() as info:
        page.get_by_role("link", name="JSON", exact=True).click()
    with open(info.value.path(), encoding="utf-8") as handle:
        export = json.load(handle)
    assert export["about"]["query"] == query
    api = page.context.request.get(f"{base}/api/comparison/?{query}&page_size=500")
    assert api.ok, api.text()
    assert [(r["assessment_id"], r["criterion_number"]) for r in api.json()["results"]] == [
        (r["assessment_id"], r["criterion_number"]) for r in export["rows"]]
    assert export["rows"]

    # The citation in the export is the one on the open-data page.
    page.get_by_role("link", name="Open data", exact=True).click()
    citation = page.locator("#pioc .citation").inner_text().strip()
    assert export["about"]["datasets"][0]["citation"] == citation
    assert axe(page) == []
    screenshot("research-open-data")


def test_library_search_ignores_accents_on_a_phone(page, seeded_live_server, axe, screenshot):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(seeded_live_server.url + "/practices/")
    page.get_by_label("Words").fill("medellin")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".practice-list-page > li.card")).not_to_have_count(0)
    expect(page.locator(".practice-list-page").get_by_text("Medellín").first).to_be_visible()
    assert axe(page) == []
    screenshot("research-library-phone")
