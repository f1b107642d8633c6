"""axe-core finds no serious or critical violation on any page any persona can reach, in any of
the three languages — error states, empty states, the merge screen, the admin pages and the
API docs included. The crawl itself is in a11y_crawl.py (pages found from links and from the
URL resolver, not from a list here).
"""

import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from playwright.sync_api import sync_playwright

from .a11y_crawl import LANGUAGES, PERSONAS, Crawler, is_page_name, resolver_routes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_evidence_to_the_editors_draft():
    """A note on criterion 1 of the demo editor's draft, so the crawl meets the evidence
    pages of a draft (delete), not only those of published assessments."""
    from cities.models import User
    from criteria.models import Assessment, Evidence

    editor = User.objects.get(username="demo-editor")
    draft = Assessment.objects.editable_by(editor).order_by("pk").first()
    Evidence.objects.create(
        response=draft.responses.get(criterion__number=1), kind=Evidence.Kind.NOTE,
        title="Minutes of the council session", note="The council approved the mandate.",
        created_by=editor)
    # An election ahead for the same office: its list and remove pages are crawled too.
    from cities.models import Transition

    Transition.objects.create(office=draft.office, year=2099, month=10,
                              note="Mayoral election", recorded_by=editor)


# Personas crawl side by side, each in its own thread with its own Playwright and Chromium
# (Playwright's sync API belongs to the thread that started it). Most of a page's time is
# Chromium laying it out and running axe-core, so two or three at once use both cores of a
# CI machine; the largest crawls start first.
CRAWLERS = int(os.environ.get("OVP_A11Y_CRAWLERS", "3"))
LARGEST_FIRST = ("secretariat", "editor", "researcher", "viewer", "anonymous")


def crawl_as(persona, base, launch_args, documents):
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_args)
            try:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                crawler = Crawler(context.new_page(), base, persona, documents=documents,
                                  log=lambda line: print(line, flush=True))
                report = crawler.run(LANGUAGES)
                print(report.summary(), dict(crawler.timings), flush=True)
                return report
            finally:
                browser.close()
    finally:
        connections.close_all()  # this thread's database connections


def test_no_serious_or_critical_violation_on_any_page_for_any_persona_or_language(
    browser_type_launch_args, seeded_live_server, axe, settings
):
    # Every persona sends the password-reset form empty in three languages from one address:
    # more than the hourly throttle allows, which would answer with its own page instead.
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 1000
    base = seeded_live_server.url
    add_evidence_to_the_editors_draft()
    documents = {}  # shared: a document served identically to several personas is one check
    assert set(LARGEST_FIRST) == set(PERSONAS)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CRAWLERS) as pool:
        futures = {persona: pool.submit(crawl_as, persona, base, browser_type_launch_args,
                                        documents) for persona in LARGEST_FIRST}
        reports = {persona: futures[persona].result() for persona in PERSONAS}
    print(f"whole crawl: {time.monotonic() - started:.0f} s with {CRAWLERS} crawlers")

    failures = [f"{persona}: {line}" for persona, report in reports.items()
                for line in report.failures()]
    assert failures == [], "\n".join(failures)

    # Every page the resolver knows was tried by every persona, in every language.
    names = [n for n in resolver_routes() if is_page_name(n) and not n.startswith("admin:")]
    for persona, report in reports.items():
        untried = [n for n in names if n not in report.names]
        assert untried == [], f"{persona} never tried {untried}"
        langs = {v.lang for v in report.visits}
        assert langs == set(LANGUAGES), persona

    # What the crawl must have met, so a quiet report means something.
    def visits(persona, kind=None, name=None):
        return [v for v in reports[persona].visits
                if (kind is None or v.kind == kind) and (name is None or v.name == name)]

    for persona in PERSONAS:
        for lang in LANGUAGES:
            mine = [v for v in visits(persona) if v.lang == lang]
            assert any(v.kind == "not-found" and v.status == 404 for v in mine), (persona, lang)
            assert any(v.kind == "bad-input" for v in mine), (persona, lang)
            assert any(v.name == "api:docs" for v in mine), (persona, lang)
            assert any(v.name == "accessibility" for v in mine), (persona, lang)
    assert {v.lang for v in visits("editor", kind="conflict")} == set(LANGUAGES)
    assert any(v.kind == "error 403" for p in PERSONAS for v in visits(p))
    assert any(v.kind == "no-match" for v in visits("researcher"))
    sec = {v.name for v in visits("secretariat") if v.status == 200}
    for model in ("criteria_assessment", "criteria_criterionresponse", "criteria_evidence",
                  "criteria_officeprofile", "cities_office", "cities_city"):
        assert f"admin:{model}_changelist" in sec
        assert f"admin:{model}_change" in sec
    for editor_page in ("criteria:response-edit", "criteria:profile-edit",
                        "criteria:assessment-submit", "criteria:evidence-delete"):
        assert editor_page in {v.name for v in visits("editor") if v.status == 200}
