"""Research in a real browser: demo-researcher, as a new user would, compares the sample's
offices, downloads XLSX and CSV, and fetches the same rows through the API with a token,
following the documentation page. Also looks at the library and the outcome charts."""

import csv
import io
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
    page.get_by_label("Network").select_option(label="Peace in Our Cities")
    page.get_by_label("2023").check()
    page.get_by_role("button", name="Compare", exact=True).click()
    expect(page).to_have_url(re.compile(r"/compare/\?network=pioc&.*round=2023"))
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
