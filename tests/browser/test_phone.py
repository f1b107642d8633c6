"""The editing flow on a phone (390 × 844, touch) over a 400 ms link: nothing scrolls sideways,
the header collapses behind a Menu button that works from the keyboard, a criterion's guidance
folds so the answer form is in the first screen, and the funding table becomes cards.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_editing import draft, saved, slow_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}

# What sticks out to the right: the document's own scroll width, every element whose right
# edge passes the viewport without a scrolling ancestor to hold it, and every scrolling box
# that scrolls sideways (a table in a .table-wrap is sideways scrolling too).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const classes = el => typeof el.className === 'string' && el.className
    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes(el);
  const sticking = [], scrolling = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden text
    const style = getComputedStyle(el);
    if (['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      scrolling.push(name(el));
    if (box.right > width + 0.5) {
      let up = el.parentElement, held = false;
      for (; up && up !== document.body; up = up.parentElement)
        if (getComputedStyle(up).overflowX !== 'visible') { held = true; break; }
      if (!held) sticking.push(name(el) + ' ends at ' + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, sticking, scrolling};
}"""


def assert_fits(page, where):
    report = page.evaluate(OVERFLOW)
    assert report == {"scrollWidth": 390, "width": 390, "sticking": [], "scrolling": []}, where


def test_the_editing_flow_fits_a_phone_on_a_slow_link(
    browser, seeded_live_server, sign_in, axe, screenshot
):
    base = seeded_live_server.url
    pk = draft().pk
    page = browser.new_context(**PHONE).new_page()
    page.goto(base + "/accounts/login/")
    assert_fits(page, "sign-in")
    sign_in(page, base, "demo-editor")
    slow_link(page)
    page.goto(base + "/")
    assert_fits(page, "home")

    # The header is one row: the brand and a Menu button; the navigation waits behind it.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    assert page.locator(".site-header").bounding_box()["height"] < 100
    assert axe(page) == []
    screenshot("phone-header-closed", page)
    # The keyboard opens it (Enter), Escape closes it and leaves focus on the button.
    menu.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="My assessments")).to_be_visible()
    expect(page.get_by_role("link", name="Signed in as Elena Editor")).to_be_visible()
    assert_fits(page, "menu open")
    assert axe(page) == []
    screenshot("phone-header-open", page)
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(nav).to_be_hidden()
    page.keyboard.press(" ")
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="My assessments").tap()

    expect(page.get_by_role("heading", level=1)).to_have_text("My assessments")
    assert_fits(page, "my assessments")
    page.get_by_role("link", name="2026").first.tap()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/$"))
    assert_fits(page, "assessment")
    page.get_by_role("link", name="Continue with criterion 1").tap()

    # The criterion's guidance and the progress list are folded: the answer form starts
    # within the first screen, with its first level to choose.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clear, public mandate")
    guidance = page.locator("details.fold").first
    expect(guidance).not_to_have_attribute("open", re.compile(".*"))
    expect(page.get_by_text("Guiding questions")).to_be_hidden()
    form_top = page.locator("form.response-form").bounding_box()["y"]
    first_level = page.get_by_label(re.compile(r"^0 — Not in place")).bounding_box()
    assert form_top < 844 and first_level["y"] + first_level["height"] < 844, (
        form_top, first_level)
    assert_fits(page, "criterion 1")
    assert axe(page) == []
    screenshot("phone-criterion-folded", page)
    # A tap unfolds the guidance.
    page.get_by_role("heading", name="What this criterion means").tap()
    expect(page.get_by_text("Guiding questions")).to_be_visible()
    assert_fits(page, "criterion 1, guidance open")

    # Answer, and save with the button while the autosave may still be on its way.
    page.get_by_label(re.compile(r"^2 — Developing")).tap()
    page.get_by_label("Current strengths").fill("An agreement of the municipal council, 2024.")
    page.get_by_label("Opportunities to enhance effectiveness").fill("Publish it on the website.")
    saved(page)
    page.get_by_role("button", name="Save and go to the next criterion").tap()
    expect(page.get_by_text("Criterion 1 saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Consultations")
    assert_fits(page, "criterion 2")
    answer = draft().responses.get(criterion__number=1)
    assert (answer.level, answer.current_strengths) == (
        2, "An agreement of the municipal council, 2024.")

    # Evidence with a long link and title stays inside the screen.
    page.get_by_text("Add evidence").first.tap()
    evidence = page.locator("form[action$='/evidence/']")
    evidence.get_by_label("Kind").select_option("link")
    evidence.get_by_label("Title").fill("Acuerdo municipal 117 de 2024 (consultations)")
    evidence.get_by_label("Link (URL)").fill(
        "https://www.palmira.gov.co/documentos/acuerdos/2024/"
        "acuerdo-municipal-numero-117-por-el-cual-se-establecen-las-mesas-de-convivencia.pdf")
    evidence.get_by_role("button", name="Add evidence").tap()
    expect(page.locator(".evidence-items li")).to_have_count(1)
    assert_fits(page, "criterion 2 with evidence")
    screenshot("phone-criterion-evidence", page)

    # The office profile: the funding table is a card per source, with its labels shown.
    page.goto(f"{base}/assessments/{pk}/profile/")
    assert_fits(page, "profile")
    rows = page.locator("#funding tbody tr")
    first = rows.nth(0)
    expect(first.get_by_text("Share (%)")).to_be_visible()
    first.get_by_label("Name").fill("Municipal general fund")
    first.get_by_label("Kind").select_option("municipal")
    first.get_by_label("Share (%)").fill("70")
    first.get_by_label("Protected by law or vote").tap()
    second = rows.nth(1)
    second.get_by_label("Name").fill("National crime-prevention programme")
    second.get_by_label("Kind").select_option("national")
    second.get_by_label("Share (%)").fill("30")
    second.get_by_label("Project-based").tap()
    assert_fits(page, "profile with two new funding rows")
    page.get_by_role("button", name="Save the profile").tap()
    expect(page.get_by_text("Office profile saved.")).to_be_visible()
    sources = draft().profile.funding_sources.order_by("-share_percent")
    assert [(s.name, s.share_percent, s.project_based, s.legally_protected)
            for s in sources] == [
        ("Municipal general fund", 70, False, True),
        ("National crime-prevention programme", 30, True, False),
    ]
    page.goto(f"{base}/assessments/{pk}/profile/")
    expect(page.locator("#funding tbody tr")).to_have_count(4)  # two saved, two empty
    assert_fits(page, "profile with several funding rows")
    assert axe(page) == []
    screenshot("phone-profile-funding", page)

    page.goto(f"{base}/assessments/{pk}/submit/")
    assert_fits(page, "submit")
    page.goto(f"{base}/assessments/{pk}/criteria/1/history/")
    assert_fits(page, "history")


def test_a_wide_screen_keeps_the_open_header_and_guidance(browser, seeded_live_server,
                                                          sign_in):
    base = seeded_live_server.url
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{draft().pk}/criteria/1/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_text("Guiding questions")).to_be_visible()
    # The guidance sits beside the form, not above it.
    guide = page.locator(".edit-guide").bounding_box()
    form = page.locator("form.response-form").bounding_box()
    assert guide["x"] + guide["width"] <= form["x"]


def test_without_javascript_the_phone_header_shows_its_navigation(browser, seeded_live_server):
    base = seeded_live_server.url
    page = browser.new_context(java_script_enabled=False, **PHONE).new_page()
    page.goto(base + "/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="The nine criteria")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    assert_fits(page, "home without JavaScript")
