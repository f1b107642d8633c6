"""Playwright drives Debian's Chromium (/usr/bin/chromium); no browser is ever downloaded."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

CHROMIUM = os.environ.get("OVP_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (see README).")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def seeded_live_server(live_server):
    """The live server runs on a transactional database: load the seed data into it."""
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


@pytest.fixture
def screenshot(page, request):
    """Save a full-page PNG to $OVP_SCREENSHOTS (when set) for a human to look at."""
    folder = os.environ.get("OVP_SCREENSHOTS")

    def take(name, target=None):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (target or page).screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


AXE = Path(__file__).resolve().parents[2] / ".ci/node/node_modules/axe-core/axe.min.js"


@pytest.fixture
def axe():
    """Run axe-core in the page; return the serious and critical violations."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `bash .ci/install` (it fetches axe-core from npm).")

    def check(page):
        # Evaluated through the DevTools protocol: the page's CSP (scripts from 'self' only)
        # would refuse an injected inline <script>.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


@pytest.fixture
def sign_in():
    def do(page, base_url, username, password="demo-pass-2026"):
        page.goto(base_url + "/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        # Attached, not visible: on a phone the account link sits in the folded menu.
        page.get_by_text("Signed in as").wait_for(state="attached")

    return do
