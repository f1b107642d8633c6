"""Editing on a slow link (400 ms latency, emulated through the DevTools protocol): no
conflicts with oneself, colleagues' changes merged or resolved without loss, the leave-page
warning, length limits, drafts cleared at sign-out, double submissions.
"""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEVEL_NAMES = ["Not in place", "Emerging", "Developing", "Established", "Exemplary"]


def slow_link(page, latency=400):
    """Every request and response of this page waits `latency` ms, as on a mobile link."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency, "downloadThroughput": -1, "uploadThroughput": -1,
    })
    return cdp


def draft():
    from criteria.models import Assessment

    return Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")


def colleague():
    """A second editor of Palmira's office, so two-editor tests are two people (the same
    person in two tabs is told "you saved this in another tab", not "someone else")."""
    from cities.models import Office, OfficeMembership, User

    user, created = User.objects.get_or_create(
        username="demo-colleague", defaults={"email": "colleague@example.org",
                                             "first_name": "Camila", "last_name": "Ríos"})
    if created:
        user.set_password("demo-pass-2026")
        user.save()
    OfficeMembership.objects.get_or_create(
        user=user, office=Office.objects.get(slug="palmira-security-coexistence"),
        defaults={"role": OfficeMembership.Role.EDITOR})
    return user.username


def status(page):
    return page.locator("#save-status")


def saved(page):
    expect(status(page)).to_have_attribute("data-state", "saved", timeout=15000)


def editor_page(browser, base, sign_in, username="demo-editor", latency=400):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, username)
    if latency:
        slow_link(page, latency)
    return page


def test_a_full_assessment_on_a_slow_link_never_conflicts_with_itself(
    browser, seeded_live_server, sign_in
):
    base = seeded_live_server.url
    pk = draft().pk
    page = editor_page(browser, base, sign_in)
    page.goto(f"{base}/assessments/{pk}/criteria/1/")
    for number in range(1, 10):
        expect(page.get_by_role("heading", level=1)).to_contain_text(str(number))
        page.get_by_label("Current strengths").fill(f"Strength {number}.")
        page.get_by_label("Opportunities to enhance effectiveness").fill(f"Opportunity {number}.")
        saved(page)
        expect(page.get_by_role("button", name="Compare both versions")).to_be_hidden()
        # Pick a level (its autosave leaves at once) and press Save half a second later,
        # while that autosave is still on its way over the 400 ms link.
        level = number % 5
        page.get_by_label(re.compile(rf"^{level} — {LEVEL_NAMES[level]}")).check()
        time.sleep(0.5)
        name = "Save and go to the next criterion" if number < 9 else "Save and see progress"
        page.get_by_role("button", name=name).click()
        if number < 9:
            expect(page.get_by_role("heading", level=1)).to_contain_text(str(number + 1))
        else:
            expect(page).to_have_url(re.compile(rf"/assessments/{pk}/$"))
        expect(page.get_by_text("someone else saved")).to_have_count(0)
        expect(page.get_by_text(f"Criterion {number} saved.")).to_be_visible()
    levels = dict(draft().responses.values_list("criterion__number", "level"))
    assert levels == {n: n % 5 for n in range(1, 10)}


def test_two_editors_change_different_fields_and_both_are_kept(browser, seeded_live_server,
                                                               sign_in):
    base = seeded_live_server.url
    pk = draft().pk
    first = editor_page(browser, base, sign_in)
    second = editor_page(browser, base, sign_in, colleague())
    url = f"{base}/assessments/{pk}/criteria/2/"
    first.goto(url)
    second.goto(url)
    first.get_by_label("Current strengths").fill("Monthly meetings with 12 community groups.")
    saved(first)
    second.get_by_label("Opportunities to enhance effectiveness").fill("A youth council.")
    saved(second)
    expect(status(second)).to_contain_text("Merged")
    # The colleague's text appears in the field this editor did not touch.
    expect(second.get_by_label("Current strengths")).to_have_value(
        "Monthly meetings with 12 community groups.")
    first.reload()
    expect(first.get_by_label("Current strengths")).to_have_value(
        "Monthly meetings with 12 community groups.")
    expect(first.get_by_label("Opportunities to enhance effectiveness")).to_have_value(
        "A youth council.")


def test_a_same_field_conflict_is_resolved_without_losing_either_text(
    browser, seeded_live_server, sign_in, axe, screenshot
):
    base = seeded_live_server.url
    pk = draft().pk
    first = editor_page(browser, base, sign_in)
    second = editor_page(browser, base, sign_in, colleague())
    url = f"{base}/assessments/{pk}/criteria/3/"
    first.goto(url)
    second.goto(url)
    first.get_by_label("Current strengths").fill("A diagnosis from 2025.")
    first.get_by_label(re.compile(r"^2 — Developing")).check()
    saved(first)
    second.get_by_label("Current strengths").fill("Updated every year with the university.")
    second.get_by_label("Opportunities to enhance effectiveness").fill("Publish it.")
    expect(status(second)).to_have_attribute("data-state", "conflict", timeout=15000)
    second.get_by_role("button", name="Compare both versions").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("someone else saved")
    expect(second.get_by_text("When you opened it")).to_be_visible()
    strengths = second.get_by_role("textbox", name="Current strengths")
    expect(strengths).to_have_value(re.compile(r"A diagnosis from 2025\.\s+Updated every year"))
    # Their level was kept automatically (only they changed it), as was my other field.
    expect(second.get_by_label(re.compile(r"^2 — Developing"))).to_be_checked()
    expect(second.get_by_label("Opportunities to enhance effectiveness")).to_have_value(
        "Publish it.")
    assert axe(second) == []
    screenshot("merge-1280", second)
    second.set_viewport_size({"width": 390, "height": 844})
    assert second.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("merge-390", second)
    second.set_viewport_size({"width": 1280, "height": 900})
    strengths.fill("A diagnosis from 2025, updated every year with the university.")
    second.get_by_role("button", name="Save the merged version").click()
    expect(second.get_by_text("Criterion 3 saved.")).to_be_visible()
    answer = draft().responses.get(criterion__number=3)
    assert answer.current_strengths == (
        "A diagnosis from 2025, updated every year with the university.")
    assert answer.opportunities == "Publish it." and answer.level == 2


def test_the_profile_merges_different_facts_and_shows_a_conflict_for_the_same_one(
    browser, seeded_live_server, sign_in, axe, screenshot
):
    base = seeded_live_server.url
    pk = draft().pk
    first = editor_page(browser, base, sign_in)
    second = editor_page(browser, base, sign_in, colleague())
    url = f"{base}/assessments/{pk}/profile/"
    first.goto(url)
    second.goto(url)
    first.get_by_label("Staff notes").fill("Twelve outreach workers.")
    saved(first)
    second.get_by_label("Budget notes").fill("Set by the 2023 budget law.")
    saved(second)
    expect(status(second)).to_contain_text("Merged")
    expect(second.get_by_label("Staff notes")).to_have_value("Twelve outreach workers.")
    assert axe(second) == []

    # Now both change the mandate goals.
    first.get_by_label("Mandate goals").fill("Halve homicides by 2030.")
    saved(first)
    second.get_by_label("Mandate goals").fill("Reach young people at risk.")
    expect(status(second)).to_have_attribute("data-state", "conflict", timeout=15000)
    second.get_by_role("button", name="Compare both versions").click()
    expect(second.get_by_role("heading", level=1)).to_contain_text("someone else saved")
    expect(second.get_by_role("textbox", name="Mandate goals")).to_have_value(
        re.compile(r"Halve homicides by 2030\.\s+Reach young people at risk\."))
    assert axe(second) == []
    screenshot("profile-conflict-1280", second)
    second.set_viewport_size({"width": 390, "height": 844})
    screenshot("profile-conflict-390", second)
    second.set_viewport_size({"width": 1280, "height": 900})
    second.get_by_role("button", name="Save the merged profile").click()
    expect(second.get_by_text("Office profile saved.")).to_be_visible()
    profile = draft().profile
    assert "Halve homicides by 2030." in profile.mandate_goals
    assert "Reach young people at risk." in profile.mandate_goals
    assert profile.staff_note == "Twelve outreach workers."
    assert profile.budget_note == "Set by the 2023 budget law."

    # A new funding source waits for the Save button; until then leaving asks first.
    first.reload()
    first.locator("#id_funding-0-name").fill("Municipal general fund")
    first.locator("#id_funding-0-kind").select_option("municipal")
    expect(status(first)).to_contain_text("not saved yet", timeout=15000)
    dialogs = []
    first.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    first.get_by_role("link", name="My assessments").first.click()
    first.wait_for_timeout(1000)
    assert dialogs == ["beforeunload"]
    expect(first).to_have_url(re.compile(r"/profile/$"))


def test_leaving_with_unsaved_text_asks_first(page, seeded_live_server, sign_in):
    base = seeded_live_server.url
    pk = draft().pk
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{pk}/criteria/4/")
    # The server is unreachable for saves: the text stays unsaved.
    page.route(re.compile(r".*/criteria/4/$"),
               lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("Current strengths").fill("Not saved yet.")
    expect(status(page)).to_contain_text("connection failed", timeout=15000)
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_role("link", name="My assessments").first.click()
    page.wait_for_timeout(1000)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/criteria/4/$"))
    page.remove_listener("dialog", stay)

    # Once saved, leaving asks nothing.
    page.unroute(re.compile(r".*/criteria/4/$"))
    page.get_by_label("Current strengths").fill("Saved now.")
    saved(page)
    page.on("dialog", lambda dialog: dialogs.append(dialog.type))
    page.get_by_role("link", name="My assessments").first.click()
    expect(page).to_have_url(re.compile(r"/assessments/$"))
    assert dialogs == ["beforeunload"]


def test_length_limits_are_counted_and_refused_with_the_field_named(page, seeded_live_server,
                                                                    sign_in):
    base = seeded_live_server.url
    pk = draft().pk
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{pk}/criteria/5/")
    field = page.get_by_label("Opportunities to enhance effectiveness")
    field.fill("x" * 20_001)
    expect(page.locator("#id_opportunities-count")).to_contain_text("1 over the limit of 20,000")
    expect(status(page)).to_have_attribute("data-state", "invalid", timeout=15000)
    expect(status(page)).to_contain_text("Opportunities to enhance effectiveness")
    assert len(field.input_value()) == 20_001  # nothing cut off silently
    field.fill("x" * 20_000)
    saved(page)
    expect(page.locator("#id_opportunities-count")).to_contain_text("20,000 of 20,000")


def test_signing_out_removes_the_text_kept_in_this_browser(page, seeded_live_server, sign_in):
    base = seeded_live_server.url
    pk = draft().pk
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{pk}/criteria/6/")
    page.route(re.compile(r".*/criteria/6/$"),
               lambda route: route.abort() if route.request.method == "POST"
               else route.continue_())
    page.get_by_label("Current strengths").fill("Private notes of this editor.")
    expect(status(page)).to_contain_text("connection failed", timeout=15000)
    keys = page.evaluate("Object.keys(localStorage)")
    editor_id = draft().office.memberships.get(user__username="demo-editor").user_id
    assert any(k.startswith(f"ovp-draft-{editor_id}-") for k in keys), keys
    page.on("dialog", lambda dialog: dialog.accept())  # yes, leave the unsaved text
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r".*"))
    page.wait_for_load_state()
    assert [k for k in page.evaluate("Object.keys(localStorage)") if "ovp-" in k] == []
    page.unroute(re.compile(r".*/criteria/6/$"))
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{pk}/criteria/6/")
    expect(page.get_by_role("button", name="Restore my unsaved text")).to_be_hidden()


def test_an_autosave_refused_because_the_assessment_was_submitted_says_so(
    page, seeded_live_server, sign_in
):
    from cities.models import User
    from criteria import workflow
    from tests.conftest import fill_response

    base = seeded_live_server.url
    assessment = draft()
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{assessment.pk}/criteria/7/")
    editor = User.objects.get(username="demo-editor")
    for response in assessment.responses.all():
        fill_response(response, editor)
    workflow.submit_assessment(assessment=assessment, by=editor)
    page.get_by_label("Current strengths").fill("Typed after the colleague submitted.")
    expect(status(page)).to_have_attribute("data-state", "refused", timeout=15000)
    expect(status(page)).to_contain_text("submitted")
    expect(status(page)).not_to_contain_text("connection")


def test_double_clicks_create_one_assessment_and_one_evidence(browser, seeded_live_server,
                                                              sign_in):
    from cities.models import Office
    from criteria.models import Assessment, Evidence
    from tests.rounds import round_for_office

    rnd = round_for_office(Office.objects.get(slug="palmira-security-coexistence"), "2031")
    base = seeded_live_server.url
    page = editor_page(browser, base, sign_in)
    page.goto(f"{base}/offices/palmira-security-coexistence/assessments/new/")
    page.get_by_label("Round").select_option(value=str(rnd.pk))
    page.get_by_role("button", name="Start").dblclick()
    expect(page.get_by_text("Assessment for round 2031 started.")).to_be_visible()
    assert Assessment.objects.filter(round__code="2031").count() == 1

    pk = draft().pk
    page.goto(f"{base}/assessments/{pk}/criteria/8/")
    page.get_by_text("Add evidence").first.click()
    page.get_by_label("Kind").select_option("note")
    page.get_by_role("textbox", name="Title").fill("Council minutes")
    page.get_by_role("textbox", name="Note").fill("The council approved the plan.")
    page.get_by_role("button", name="Add evidence").dblclick()
    expect(page.get_by_text("Evidence “Council minutes” added.")).to_be_visible()
    assert Evidence.objects.filter(title="Council minutes").count() == 1


def test_after_a_refused_evidence_form_switching_language_keeps_it(page, seeded_live_server,
                                                                   sign_in):
    base = seeded_live_server.url
    pk = draft().pk
    sign_in(page, base, "demo-editor")
    page.goto(f"{base}/assessments/{pk}/criteria/1/")
    page.get_by_text("Add evidence").first.click()
    page.get_by_label("Kind").select_option("link")
    page.get_by_role("textbox", name="Title").fill("Website of the office")
    page.get_by_role("button", name="Add evidence").click()
    expect(page.get_by_text("A link needs its URL.", exact=True)).to_be_visible()
    page.locator("#language-select").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/criteria/1/#evidence$"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("textbox", name="Título")).to_have_value("Website of the office")
    expect(page.get_by_text("Un enlace necesita su URL.", exact=True)).to_be_visible()
    assert page.reload().status == 200
