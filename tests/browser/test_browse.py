"""A first visitor browses the criteria, a city and an office in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_a_criterion_and_an_office_chart(page, seeded_live_server, screenshot):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(seeded_live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office of Violence Prevention")
    screenshot("home")

    page.get_by_role("link", name="The nine criteria").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("nine criteria")
    page.get_by_role("link", name=re.compile("public mandate", re.I)).first.click()
    expect(page.get_by_role("heading", name="Rubric")).to_be_visible()
    expect(page.locator(".rubric li")).to_have_count(5)
    screenshot("criterion")

    page.get_by_role("link", name="Cities and offices").click()
    page.get_by_role("link", name="Edmonton").click()
    page.get_by_role("link", name=re.compile("REACH Edmonton")).first.click()
    expect(page.locator(".chart-table tbody tr")).to_have_count(9)
    screenshot("office")
    assert errors == []


def test_keyboard_user_can_skip_to_content_and_sees_focus(page, seeded_live_server):
    page.goto(seeded_live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"


def test_editor_signs_in_and_sees_the_palmira_draft(page, seeded_live_server, screenshot):
    page.goto(seeded_live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("demo-editor")
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()
    page.goto(seeded_live_server.url + "/offices/palmira-security-coexistence/")
    expect(page.get_by_role("link", name="2026")).to_be_visible()
    screenshot("palmira-office-signed-in")
