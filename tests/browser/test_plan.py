"""The improvement plan in a browser: an action made from an opportunity on a slow link
(a double click makes one action), and axe-core on every plan page."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_editing import draft, editor_page

pytestmark = pytest.mark.django_db(transaction=True)


def _shoot(page, name):
    folder = os.environ.get("OVP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_action_from_an_opportunity_double_click_makes_one(browser, seeded_live_server,
                                                           sign_in, axe):
    from cities.models import User
    from criteria.models import Action
    from tests.conftest import fill_response

    base = seeded_live_server.url
    assessment = draft()
    response = assessment.responses.get(criterion__number=3)
    fill_response(response, User.objects.get(username="demo-editor"))
    response.refresh_from_db()
    from criteria import workflow

    workflow.save_response(response=response, base_version=response.version,
                           by=User.objects.get(username="demo-editor"), content={
                               "opportunities": "- Update the diagnosis every two years\n"
                                                "- Publish the diagnosis online"})
    page = editor_page(browser, base, sign_in)
    page.goto(f"{base}/assessments/{assessment.pk}/criteria/3/")
    page.get_by_role("link", name="Create an action from this opportunity").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New action")
    expect(page.locator("#id_opportunity")).to_have_value(
        "Update the diagnosis every two years")
    page.locator("#id_owner").fill("Head of analysis")
    page.locator("#id_cost_amount").fill("45.000.000")
    page.locator("#id_cost_currency").fill("cop")
    assert axe(page) == []
    _shoot(page, "plan-action-form")
    page.get_by_role("button", name="Add to the plan").dblclick()
    page.wait_for_url(f"**/assessments/{assessment.pk}/plan/**", timeout=15000)
    expect(page.get_by_text("Update the diagnosis every two years").first).to_be_visible()
    made = Action.objects.filter(assessment=assessment,
                                 title="Update the diagnosis every two years")
    assert made.count() == 1
    assert made.get().cost_currency == "COP"
    assert axe(page) == []
    _shoot(page, "plan-page")
    page.goto(f"{base}/assessments/{assessment.pk}/plan/targets/")
    assert axe(page) == []
    _shoot(page, "plan-targets")
    page.goto(f"{base}/reports/briefs/{assessment.pk}/")
    expect(page.locator("#plan")).to_contain_text("Update the diagnosis every two years")
    _shoot(page, "plan-brief")
