"""Reports in a real browser: the secretariat exports a round; the public reads briefs."""

import io
import os
import zipfile

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, base_url, username):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_secretariat_exports_a_round_as_a_zip(page, seeded_live_server, screenshot):
    base = seeded_live_server.url
    sign_in(page, base, "demo-secretariat")
    page.goto(base + "/reports/")
    page.get_by_role("link", name="Export a round's briefs as a ZIP").click()
    page.get_by_label("Round").select_option("2023")
    page.get_by_role("button", name="Export as ZIP").click()
    expect(page.locator(".export-job .job-status").first).to_have_text("Waiting for a worker")
    screenshot("reports-export-queued")

    # The background worker, as `manage.py db_worker` runs it, processes the queue.
    call_command("db_worker", batch=True, no_startup_delay=True, stdout=open(os.devnull, "w"))  # noqa: SIM115

    download_link = page.get_by_role("link", name="Download ZIP")
    expect(download_link).to_be_visible(timeout=15000)  # the page polls, then reloads
    expect(page.locator(".export-job .job-count").first).to_have_text("5 / 5")
    screenshot("reports-export-done")
    with page.expect_download() as info:
        download_link.click()
    data = open(info.value.path(), "rb").read()  # noqa: SIM115
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    # four office briefs, the network brief and about.json (the citation sidecar)
    assert len(names) == 6 and "network-brief-2023.pdf" in names and "about.json" in names


def test_visitor_reads_a_public_brief_with_plotly_charts(page, seeded_live_server, screenshot):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    requests = []
    page.on("request", lambda req: requests.append(req.url))
    base = seeded_live_server.url
    page.goto(base + "/")
    page.get_by_role("link", name="Public briefs").click()
    expect(page.locator(".brief-list > li")).to_have_count(4)
    screenshot("reports-public-briefs")
    page.get_by_role("link", name="Cali's violence prevention ecosystem (SPCC and SSJ)").click()
    expect(page.locator(".plotly-chart.is-plotted")).to_have_count(2, timeout=15000)
    expect(page.locator(".so-table tbody tr")).to_have_count(9)
    screenshot("reports-brief-cali")
    assert errors == []
    assert all(url.startswith(base) for url in requests), "no CDN, no third party"


def test_researcher_reads_the_network_brief(page, seeded_live_server, screenshot):
    base = seeded_live_server.url
    sign_in(page, base, "demo-researcher")
    page.goto(base + "/reports/rounds/2023/")
    expect(page.get_by_role("heading", name="Most common gaps")).to_be_visible()
    expect(page.locator(".plotly-chart.is-plotted")).to_have_count(2, timeout=15000)
    screenshot("reports-network-2023")
