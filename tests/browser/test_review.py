"""Review, members and "Your work" in the browser, on a slow link (400 ms latency emulated
through the DevTools protocol): publishing asks first and then nothing changes; a lead invites
and removes a member; an editor lands on Your work with a draft and a comment. axe-core finds
no serious or critical violation on these pages."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_editing import slow_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _draft():
    from criteria.models import Assessment

    return Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")


def _page(browser, base, sign_in, username, width=1280):
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, base, username)
    slow_link(page, 400)
    return page


def _both_widths(page, screenshot, name):
    screenshot(f"{name}-1280", page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(f"{name}-390", page)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return width


def _submitted_with_evidence():
    from cities.models import User
    from criteria import workflow
    from criteria.models import Evidence, FundingSource
    from tests.conftest import fill_response

    editor = User.objects.get(username="demo-editor")
    draft = _draft()
    for response in draft.responses.all():
        fill_response(response, editor)
    response = draft.responses.get(criterion__number=3)
    Evidence.objects.create(
        response=response, kind="link", title="Municipal diagnosis 2024",
        url="https://example.org/diagnosis-2024", source="Municipal observatory",
        date=datetime.date(2024, 3, 1), date_precision="month",
        note="Covers homicides and injuries by neighbourhood.", created_by=editor)
    FundingSource.objects.create(profile=draft.profile, name="Municipal budget",
                                 kind="municipal", share_percent=85)
    workflow.submit_assessment(assessment=draft, by=editor)
    return draft


def test_publishing_asks_first_then_nothing_changes(browser, seeded_live_server, sign_in,
                                                     axe, screenshot):
    from criteria.models import Evidence

    draft = _submitted_with_evidence()
    base = seeded_live_server.url
    page = _page(browser, base, sign_in, "demo-secretariat")
    page.goto(f"{base}/assessments/{draft.pk}/review/")
    expect(page.get_by_text("Covers homicides and injuries by neighbourhood.")).to_be_visible()
    expect(page.get_by_role("link", name="https://example.org/diagnosis-2024")).to_be_visible()
    expect(page.get_by_text("March 2024")).to_be_visible()
    expect(page.get_by_text("Municipal budget (Municipal budget, 85 %)")).to_be_visible()
    assert axe(page) == []
    _both_widths(page, screenshot, "review")
    # At 390 px nothing but the criteria table (which scrolls in its own frame) is wider.
    page.set_viewport_size({"width": 390, "height": 844})
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391 && !e.closest('.table-wrap'))
        .map(e => e.tagName + '.' + e.className)""")
    assert wide == [], wide
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish")
    assert _draft().status == "submitted"  # asking is not publishing
    assert axe(page) == []
    _both_widths(page, screenshot, "publish-confirm")
    page.get_by_role("button", name="Yes, publish and freeze it").click()
    expect(page.get_by_text("Published. The assessment is now frozen.")).to_be_visible()
    assert _draft().status == "published"

    # Frozen: the review page offers no write, and a forged one is refused.
    page.goto(f"{base}/assessments/{draft.pk}/review/")
    expect(page.get_by_text("Covers homicides and injuries by neighbourhood.")).to_be_visible()
    assert page.get_by_role("button", name="Mark as verified").count() == 0
    assert page.get_by_role("button", name="Add comment").count() == 0
    evidence = Evidence.objects.get(title="Municipal diagnosis 2024")
    before = evidence.strength
    status = page.evaluate(
        """async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token}});
            return r.status; }""", f"/evidence/{evidence.pk}/verify/")
    assert status == 403
    evidence.refresh_from_db()
    assert evidence.strength == before


def test_a_lead_invites_and_removes_a_member(browser, seeded_live_server, sign_in, axe,
                                             screenshot):
    from cities.models import OfficeMembership

    base = seeded_live_server.url
    page = _page(browser, base, sign_in, "demo-lead")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Members of")
    page.get_by_label("Email address").fill("new.colleague@example.org")
    page.get_by_role("radio", name="Viewer").check()
    page.get_by_role("button", name="Add and send the invitation").click()
    expect(page.get_by_text("Invitation sent to new.colleague@example.org")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="new.colleague@example.org")
    expect(row).to_contain_text("invited, password not set yet")
    assert OfficeMembership.objects.get(user__email="new.colleague@example.org").role == "viewer"
    # The last lead's own row offers no Remove, and says why.
    lead_row = page.get_by_role("row").filter(has_text="demo-lead@example.org")
    expect(lead_row).to_contain_text("keeps at least one lead")
    assert lead_row.get_by_role("button", name="Remove").count() == 0
    assert axe(page) == []
    width = _both_widths(page, screenshot, "members-lead")
    assert width <= 390 + 1, f"the members page scrolls sideways at 390 px ({width} px)"

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("new.colleague@example.org no longer belongs")).to_be_visible()
    assert not OfficeMembership.objects.filter(
        user__email="new.colleague@example.org").exists()


def test_your_work_lists_a_draft_and_a_comment(browser, seeded_live_server, sign_in, axe,
                                               screenshot):
    from cities.models import User
    from criteria import workflow

    draft = _draft()
    workflow.add_comment(
        assessment=draft, response=draft.responses.get(criterion__number=4),
        body="Name the population the office serves first.",
        by=User.objects.get(username="demo-secretariat"))
    base = seeded_live_server.url
    page = _page(browser, base, sign_in, "demo-editor")  # lands on Your work
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    expect(page.get_by_text("0 of 9 criteria answered")).to_be_visible()
    expect(page.get_by_text("Name the population the office serves first.")).to_be_visible()
    assert axe(page) == []
    assert _both_widths(page, screenshot, "your-work") <= 391
    page.get_by_role("link", name=re.compile(r"^Criterion 4\.")).click()
    expect(page).to_have_url(re.compile(rf"/assessments/{draft.pk}/criteria/4/$"))
