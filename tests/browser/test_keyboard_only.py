"""The self-assessment cycle with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows; no
mouse): sign in, skip to main, open the draft, answer a criterion, add evidence (after a refused
try whose error summary takes focus and links to the field), edit the profile, submit.
Every focus stop is visibly marked; every page starts with a skip link; the autosave status is
announced from a live region that stays on the page.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUS = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name') || '',
          type: e.getAttribute('type') || '', href: e.getAttribute('href') || '',
          text: (e.innerText || e.value || '').trim().slice(0, 60), cls: e.className || '',
          // A date field's focus sits in its day/month/year parts: :focus-within.
          visible: e.matches(':focus-visible')
                   || (e.type === 'date' && e.matches(':focus-within')),
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                || s.boxShadow !== 'none',
          top: r.top + window.scrollY};
}"""


def focused(page):
    return page.evaluate(FOCUS)


def tab_to(page, wanted, *, limit=120, key="Tab"):
    """Press Tab until `wanted(focus)` holds; every stop on the way must show its focus."""
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        f = focused(page)
        if f["tag"] != "body":
            assert f["visible"] and f["ring"], f"focus not visible on {f}"
        stops.append(f)
        if wanted(f):
            return stops
    names = [s["text"] or s["name"] or s["id"] for s in stops]
    raise AssertionError(f"never reached; stops: {names}")


def enter_and_wait(page, key="Enter"):
    with page.expect_navigation():
        page.keyboard.press(key)


def skip_to_main(page):
    """The first Tab on every page lands on the skip link; Enter moves focus to <main>.
    (A page that puts focus in its first field, as sign-in does, has it one Shift+Tab
    chain back.)"""
    if focused(page)["tag"] == "body":
        page.keyboard.press("Tab")
    else:
        tab_to(page, lambda f: "skip-link" in f["cls"], key="Shift+Tab", limit=30)
    f = focused(page)
    assert "skip-link" in f["cls"] and f["href"] == "#main", f
    assert f["visible"] and f["ring"]
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"


def complete_other_criteria(assessment, numbers):
    """Criteria the test does not type in: answered as an earlier session would have."""
    for response in assessment.responses.filter(criterion__number__in=numbers):
        response.level = 2
        response.current_strengths = f"Strength {response.criterion.number}."
        response.opportunities = f"Opportunity {response.criterion.number}."
        response.carried_over = False
        response.save()


def test_self_assessment_cycle_with_the_keyboard_only(browser, seeded_live_server):
    from criteria.models import Assessment

    base = seeded_live_server.url
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    complete_other_criteria(draft, range(2, 10))
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()

    # Sign in: skip link, then the fields in order, Enter submits.
    page.goto(base + "/accounts/login/")
    skip_to_main(page)
    stops = tab_to(page, lambda f: f["name"] == "login")
    page.keyboard.type("demo-editor")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type("demo-pass-2026")
    page.keyboard.press("Tab")
    assert focused(page)["tag"] == "button"
    enter_and_wait(page)
    expect(page.get_by_text("Signed in as")).to_be_visible()

    # Home → My assessments (in the header: Tab from the skip link onward) → the 2026 draft.
    tab_to(page, lambda f: f["href"] == "/assessments/")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/criteria/1/")
    enter_and_wait(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clear, public mandate")

    # Criterion 1: a level with Space and the arrow keys, then the two texts.
    skip_to_main(page)
    stops = tab_to(page, lambda f: f["name"] == "level")
    page.keyboard.press("Space")
    checked = page.locator("input[name=level]:checked")
    for _ in range(6):  # the arrow keys move through the levels, checking each
        if checked.get_attribute("value") == "2":
            break
        page.keyboard.press("ArrowDown")
    assert checked.get_attribute("value") == "2"
    page.evaluate("window.__region = document.getElementById('save-status').closest('[aria-live]')")
    assert page.evaluate("window.__region && window.__region.getAttribute('aria-live')") == "polite"
    stops = tab_to(page, lambda f: f["name"] == "current_strengths")
    page.keyboard.type("A decree of 2022 sets out the mandate.")
    stops += tab_to(page, lambda f: f["name"] == "opportunities")
    page.keyboard.type("Publish the mandate on the city's website.")
    stops += tab_to(page, lambda f: f["tag"] == "button" and f["name"] == "save")
    # Sensible order: the form's controls are met top to bottom.
    tops = [s["top"] for s in stops if s["name"] in ("current_strengths", "opportunities", "save")]
    assert tops == sorted(tops), stops
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15000)
    # The status line was replaced inside the same live region, which announces it.
    assert page.evaluate("window.__region.isConnected"
                         " && window.__region.contains(document.getElementById('save-status'))")
    expect(page.locator(".save-status-region")).to_contain_text("Saved at")

    # Evidence: open "Add evidence" with Enter, send it empty first.
    tab_to(page, lambda f: f["tag"] == "summary")
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Add evidence")
    enter_and_wait(page)
    summary = focused(page)
    assert "error-summary" in summary["cls"], summary  # the summary has focus
    page.keyboard.press("Tab")
    link = focused(page)
    assert link["tag"] == "a" and link["href"].startswith("#"), link
    page.keyboard.press("Enter")
    assert "#" + focused(page)["id"] == link["href"]  # the link took focus to its field
    # Now properly: kind by typing its name, a title and a note.
    tab_to(page, lambda f: f["name"] == "kind", key="Shift+Tab")
    page.keyboard.type("Note")
    assert page.locator("select[name=kind]").input_value() == "note"
    tab_to(page, lambda f: f["name"] == "title")
    page.keyboard.type("Minutes of the council session")
    tab_to(page, lambda f: f["name"] == "note")
    page.keyboard.type("The council approved the office's mandate on 3 May 2022.")
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Add evidence")
    enter_and_wait(page)
    expect(page.get_by_text("Evidence “Minutes of the council session” added.")).to_be_visible()

    # The office profile, from the assessment page (back up to the breadcrumb: the page
    # returned to the evidence section, where focus navigation now starts).
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/", key="Shift+Tab")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/profile/")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["name"] == "notes")
    page.keyboard.type(" Checked with the keyboard only.")
    page.keyboard.press("Tab")
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15000)
    assert page.locator("#save-status").evaluate("e => !!e.closest('[aria-live]')")

    # Submit, from the assessment page.
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["href"] == f"/assessments/{draft.pk}/submit/")
    enter_and_wait(page)
    skip_to_main(page)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Submit for review")
    enter_and_wait(page)
    expect(page.get_by_text(re.compile("Submitted. The network secretariat"))).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert "Checked with the keyboard only." in draft.profile.notes
    assert draft.responses.get(criterion__number=1).level == 2
