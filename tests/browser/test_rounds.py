"""A round's life on a slow link (400 ms latency through the DevTools protocol): the
secretariat opens a round and invites an office, the office's editor sees "due in N days"
and starts the assessment, and the background worker sends the deadline reminder."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_editing import slow_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def page_for(browser, base, sign_in, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, base, username)
    slow_link(page)
    return page


def check_at_both_widths(page, axe, screenshot, name):
    assert axe(page) == []
    screenshot(f"{name}-1280", page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(f"{name}-390", page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_round_from_opening_to_the_reminder(browser, seeded_live_server, sign_in, axe,
                                              screenshot):
    from criteria.models import Assessment, ReminderSent, Round

    base = seeded_live_server.url
    today = timezone.localdate()
    closes = today + dt.timedelta(days=10)

    secretariat = page_for(browser, base, sign_in, "demo-secretariat")
    secretariat.goto(f"{base}/rounds/")
    check_at_both_widths(secretariat, axe, screenshot, "rounds-list")
    secretariat.get_by_role("link", name="Open a round").click()
    secretariat.get_by_label("Name").fill("2027 pilot")
    secretariat.get_by_label("Code").fill("2027 Pilot")  # not a code: refused, kept
    secretariat.get_by_label("Opens on").fill(today.isoformat())
    secretariat.get_by_label("Closes on").fill(closes.isoformat())
    secretariat.get_by_label("Department of Violence Prevention (Oakland)").check()
    secretariat.get_by_role("button", name="Open the round").click()
    expect(secretariat.get_by_role("alert")).to_contain_text("Code: The code may contain only")
    expect(secretariat.get_by_label("Name")).to_have_value("2027 pilot")
    check_at_both_widths(secretariat, axe, screenshot, "round-form-error")
    secretariat.get_by_label("Code").fill("2027-pilot")
    secretariat.get_by_role("button", name="Open the round").click()
    expect(secretariat.get_by_text("Round 2027 pilot opened.")).to_be_visible()
    rnd = Round.objects.get(code="2027-pilot")
    assert list(rnd.invited_offices.values_list("slug", flat=True)) == ["oakland-dvp"]

    editor = page_for(browser, base, sign_in, "demo-editor-b")
    editor.goto(f"{base}/offices/oakland-dvp/assessments/new/")
    expect(editor.get_by_label("Round")).to_contain_text("2027 pilot")
    editor.get_by_label("Round").select_option(value=str(rnd.pk))
    editor.get_by_role("button", name="Start").click()
    expect(editor.get_by_text("due in 10 days")).to_be_visible()
    check_at_both_widths(editor, axe, screenshot, "assessment-deadline")
    assessment = Assessment.objects.get(round=rnd, office__slug="oakland-dvp")
    editor.goto(f"{base}/assessments/")
    expect(editor.get_by_text("due in 10 days").first).to_be_visible()
    check_at_both_widths(editor, axe, screenshot, "my-assessments-deadline")

    # The worker's sweep queues the reminders and the worker sends them (in-process, so the
    # test's outbox receives them): 10 days before closing is the 14-day reminder.
    mail.outbox.clear()
    call_command("run_worker", "--batch", "--no-startup-delay", "--interval", "0",
                 stdout=io.StringIO(), stderr=io.StringIO())
    mine = [m for m in mail.outbox if "2027 pilot" in m.subject]
    assert len(mine) == 1 and "due in 10 days" in mine[0].subject
    assert assessment.get_absolute_url() in mine[0].body
    assert ReminderSent.objects.filter(round=rnd, kind="14_days").count() == 1
    call_command("run_worker", "--batch", "--no-startup-delay", "--interval", "0",
                 stdout=io.StringIO(), stderr=io.StringIO())
    assert len([m for m in mail.outbox if "2027 pilot" in m.subject]) == 1  # never twice
