"""A city staff member completes Palmira's assessment in a real browser; the secretariat
reviews, asks for changes and publishes; others are refused. axe-core checks the pages.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LEVEL_NAMES = ["Not in place", "Emerging", "Developing", "Established", "Exemplary"]


def draft_url(base):
    from criteria.models import Assessment

    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    return f"{base}/assessments/{draft.pk}/", draft.pk


def saved(page):
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15000)


def fill_criterion(page, number, level=2):
    page.get_by_label(re.compile(rf"^{level} — {LEVEL_NAMES[level]}")).check()
    page.get_by_label("Current strengths").fill(f"Strength of criterion {number}.")
    page.get_by_label("Opportunities to enhance effectiveness").fill(
        f"Opportunity for criterion {number}."
    )
    page.get_by_label("Medium").check()
    saved(page)


def test_editor_completes_and_submits_then_secretariat_publishes(
    browser, seeded_live_server, sign_in, axe, screenshot, page, tmp_path
):
    base = seeded_live_server.url
    detail, pk = draft_url(base)
    sign_in(page, base, "demo-editor")
    page.get_by_role("link", name="My assessments").click()
    page.get_by_role("link", name="2026").click()
    page.get_by_role("link", name="Continue with criterion 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clear, public mandate")
    assert axe(page) == []

    # Criterion 1, with an uploaded document as evidence.
    fill_criterion(page, 1)
    pdf = tmp_path / "mandate.pdf"
    pdf.write_bytes(PDF)
    page.get_by_text("Add evidence").first.click()
    page.get_by_label("Kind").select_option("document")
    page.get_by_role("textbox", name="Title").fill("Municipal decree creating the office")
    page.get_by_label("Upload a file").set_input_files(str(pdf))
    page.get_by_role("textbox", name="Source").fill("Alcaldía de Palmira")
    page.get_by_role("button", name="Add evidence").click()
    decree = page.get_by_role("link", name="Municipal decree creating the office", exact=True)
    expect(decree).to_be_visible()
    page.get_by_text("Add evidence").first.click()
    screenshot("edit-evidence")
    assert axe(page) == []
    page.get_by_role("button", name="Save and go to the next criterion").click()

    for number in range(2, 10):
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{number}")
        fill_criterion(page, number, level=number % 5)
        if number == 5:
            # Reload mid-way: everything typed is there, saved on the server.
            page.reload()
            expect(page.get_by_label("Current strengths")).to_have_value(
                "Strength of criterion 5."
            )
        if number == 6:
            page.get_by_text("Add evidence").first.click()
            page.get_by_label("Kind").select_option("link")
            page.get_by_role("textbox", name="Title").fill("Budget report")
            page.get_by_label("Link (URL)").fill("https://palmira.gov.co/presupuesto")
            page.get_by_role("button", name="Add evidence").click()
            expect(page.get_by_role("link", name="Budget report", exact=True)).to_be_visible()
        if number < 9:
            page.get_by_role("button", name="Save and go to the next criterion").click()
    screenshot("edit-criterion")
    page.get_by_role("link", name="Review and submit").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. The network secretariat")).to_be_visible()

    # The secretariat asks for changes on criterion 3.
    sec = browser.new_context().new_page()
    sign_in(sec, base, "demo-secretariat")
    sec.get_by_role("link", name="Review queue").click()
    sec.get_by_role("link", name="Secretariat for Security and Coexistence").click()
    assert axe(sec) == []
    screenshot("review", sec)
    sec.get_by_label("On criterion").select_option(label="3. Sound, regularly updated diagnoses")
    sec.get_by_role("textbox", name="Comment").fill("Say which year the diagnosis is from.")
    sec.get_by_role("button", name="Add comment").click()
    sec.get_by_label("What should the office change?").fill("Please date the diagnosis.")
    sec.get_by_role("button", name="Request changes").click()
    expect(sec.get_by_text("Sent back to the office's editors")).to_be_visible()

    # The editor sees the comment where it applies, edits and resubmits.
    page.goto(f"{detail}criteria/3/")
    expect(page.get_by_text("Say which year the diagnosis is from.")).to_be_visible()
    page.get_by_label("Current strengths").fill("A diagnosis from 2025, updated yearly.")
    saved(page)
    page.goto(f"{detail}submit/")
    page.get_by_role("button", name="Submit for review").click()

    sec.goto(f"{detail}review/")
    sec.get_by_role("link", name="Publish…").click()  # asks first
    sec.get_by_label("Also show it to the public").check()
    sec.get_by_role("button", name="Yes, publish and freeze it").click()
    expect(sec.get_by_text("Published. The assessment is now frozen.")).to_be_visible()
    screenshot("published", sec)

    # Frozen: the editor gets the read-only view.
    page.goto(f"{detail}criteria/3/")
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/#criterion-3$"))


def test_a_second_session_meets_a_conflict_and_merges(browser, seeded_live_server, sign_in,
                                                      screenshot):
    base = seeded_live_server.url
    detail, _pk = draft_url(base)
    first = browser.new_context().new_page()
    second = browser.new_context().new_page()
    sign_in(first, base, "demo-editor")
    sign_in(second, base, "demo-lead")
    first.goto(f"{detail}criteria/2/")
    second.goto(f"{detail}criteria/2/")

    first.get_by_label("Current strengths").fill("Monthly meetings with 12 community groups.")
    saved(first)
    second.get_by_label("Current strengths").fill("A youth council advises the office.")
    status = second.locator("#save-status")
    expect(status).to_have_attribute("data-state", "conflict", timeout=15000)
    second.get_by_role("button", name="Compare both versions").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("someone else saved")
    expect(second.get_by_text("Monthly meetings with 12 community groups.", exact=True)
           ).to_be_visible()
    # The merge form drops neither sentence (it used to hold only the second editor's).
    expect(second.get_by_role("textbox", name="Current strengths")).to_have_value(
        "Monthly meetings with 12 community groups.\n\nA youth council advises the office.")
    screenshot("conflict", second)
    second.get_by_label("Current strengths").fill(
        "Monthly meetings with 12 community groups; a youth council advises the office."
    )
    second.get_by_role("button", name="Save the merged version").click()
    expect(second.get_by_text("Criterion 2 saved.")).to_be_visible()
    first.reload()
    expect(first.get_by_label("Current strengths")).to_have_value(
        "Monthly meetings with 12 community groups; a youth council advises the office."
    )


def test_text_typed_while_offline_is_offered_back(page, seeded_live_server, sign_in):
    base = seeded_live_server.url
    detail, _pk = draft_url(base)
    sign_in(page, base, "demo-editor")
    page.goto(f"{detail}criteria/4/")
    page.route(re.compile(r".*/criteria/4/$"),
               lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("Opportunities to enhance effectiveness").fill("Reach youth aged 14 to 29.")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "unsaved",
                                                           timeout=15000)
    expect(page.locator("#save-status")).to_contain_text("connection failed")
    page.unroute(re.compile(r".*/criteria/4/$"))
    page.reload()
    page.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.get_by_label("Opportunities to enhance effectiveness")).to_have_value(
        "Reach youth aged 14 to 29."
    )
    saved(page)
    page.reload()
    expect(page.get_by_role("button", name="Restore my unsaved text")).to_be_hidden()
    expect(page.get_by_label("Opportunities to enhance effectiveness")).to_have_value(
        "Reach youth aged 14 to 29."
    )


def test_others_are_refused(browser, seeded_live_server, sign_in):
    base = seeded_live_server.url
    detail, _pk = draft_url(base)
    anonymous = browser.new_context().new_page()
    assert anonymous.goto(detail).status == 404

    other = browser.new_context().new_page()
    sign_in(other, base, "demo-editor-b")
    assert other.goto(detail).status == 404
    assert other.goto(f"{detail}criteria/1/").status == 404

    viewer = browser.new_context().new_page()
    sign_in(viewer, base, "demo-viewer")
    viewer.goto(detail)
    expect(viewer.get_by_role("link", name=re.compile("Continue with criterion"))).to_have_count(0)
    viewer.goto(f"{detail}criteria/1/")
    expect(viewer).to_have_url(re.compile(r"#criterion-1$"))  # read-only view, no form
    assert viewer.goto(f"{detail}profile/").status == 403
