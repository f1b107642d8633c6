"""The offline workbook round trip in a browser on a slow link (400 ms): download, fill in
offline, a colleague saves meanwhile, upload, a cell error, a conflict, confirm — and nothing
is written before the confirm."""

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.test_editing import colleague, draft, editor_page, saved

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def stored():
    """Everything a workbook upload could change."""
    assessment = draft()
    return (
        list(assessment.responses.order_by("criterion__number").values_list(
            "criterion__number", "version", "level", "confidence", "current_strengths",
            "opportunities", "not_applicable")),
        (assessment.profile.version, assessment.profile.staff_fte),
    )


def test_workbook_round_trip_with_a_row_error_and_a_conflict(
    browser, seeded_live_server, sign_in, axe, screenshot, tmp_path
):
    base = seeded_live_server.url
    pk = draft().pk
    page = editor_page(browser, base, sign_in)
    page.goto(f"{base}/assessments/{pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Work offline: download workbook").click()
    path = tmp_path / "workbook.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename.endswith(".xlsx")

    # Offline: answers typed into the workbook, one of them not a level of the rubric.
    book = load_workbook(path)
    answers = book["Answers"]
    answers["C2"] = "3 — Established"
    answers["E2"] = "Mandate adopted by decree in 2024."
    answers["F2"] = "Publish the mandate on the city's website."
    answers["C3"] = "Quite good"
    facts = book["Office profile"]
    fte_row = next(r for r in range(2, 40) if facts.cell(row=r, column=4).value == "staff_fte")
    facts.cell(row=fte_row, column=2).value = 14
    book.save(path)

    # Meanwhile a colleague saves criterion 1 on the web: the same field, and another one.
    other = editor_page(browser, base, sign_in, colleague())
    other.goto(f"{base}/assessments/{pk}/criteria/1/")
    other.get_by_label("Current strengths").fill("A public mandate since 2019.")
    other.get_by_label("High").check()
    saved(other)
    before = stored()

    # Upload: the preview names the cell to correct, offers no save, and wrote nothing.
    page.goto(f"{base}/assessments/{pk}/")
    page.get_by_role("link", name="Upload a filled workbook").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a filled workbook")
    screenshot("workbook-upload-1280", page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("workbook-upload-390", page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Filled workbook (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the workbook's changes")
    error = page.locator("tr.cell-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("Answers")
    expect(error.locator("td").nth(1)).to_have_text("3")
    expect(error.locator("td").nth(2)).to_have_text("C")
    expect(error.locator("td").nth(3)).to_have_text("Level")
    expect(error).to_contain_text("Choose a level from 0 to 4 of the rubric.")
    expect(page.get_by_role("button", name="Save these changes")).to_have_count(0)
    assert axe(page) == []
    screenshot("workbook-preview-error-1280", page)
    assert stored() == before

    # Corrected offline, uploaded again: the conflict is shown three ways.
    book = load_workbook(path)
    book["Answers"]["C3"] = "2 — Developing"
    book.save(path)
    page.get_by_role("link", name="Upload another file").click()
    page.get_by_label("Filled workbook (.xlsx)").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("tr.cell-error")).to_have_count(0)
    expect(page.get_by_text("When you downloaded it")).to_be_visible()
    expect(page.get_by_text("A public mandate since 2019.").first).to_be_visible()
    expect(page.get_by_text("Mandate adopted by decree in 2024.").first).to_be_visible()
    expect(page.get_by_text(re.compile("Combined automatically: Camila"))).to_contain_text(
        "Confidence")
    assert axe(page) == []
    screenshot("workbook-preview-1280", page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("workbook-preview-390", page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Confirming without deciding the conflict is refused; still nothing written.
    page.get_by_role("button", name="Save these changes").click()
    expect(page.get_by_text("Current strengths: choose which version to keep.")).to_be_visible()
    assert stored() == before

    page.get_by_label("Both texts, the saved one first").check()
    page.get_by_role("button", name="Save these changes").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/$"))
    expect(page.get_by_text("Workbook saved")).to_be_visible()
    assessment = draft()
    first = assessment.responses.get(criterion__number=1)
    assert first.current_strengths == (
        "A public mandate since 2019.\n\nMandate adopted by decree in 2024.")
    assert first.opportunities == "Publish the mandate on the city's website."
    assert first.level == 3 and first.confidence == "high"  # the colleague's confidence kept
    assert first.updated_by.username == "demo-editor"
    assert assessment.responses.get(criterion__number=2).level == 2
    assert assessment.profile.staff_fte == 14
