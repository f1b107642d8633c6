"""Two-factor sign-in in Chromium: a network requires it of editors, the editor is held at
its setup, activates an authenticator app (the code computed here from the secret on the
page, as the app would) and signs in again with a TOTP code. axe-core checks each page."""

import time

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from cities.models import Network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def counter():
    return next(yield_hotp_counters_from_time())


def code_for(secret, at):
    return format_hotp_value(hotp_value(secret, at))


def password_step(page, base):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill("demo-editor@example.org")
    page.get_by_label("Password").fill("demo-pass-2026")
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_editor_sets_up_totp_and_signs_in_with_it(page, seeded_live_server, axe, screenshot):
    base = seeded_live_server.url
    Network.objects.filter(slug="pioc").update(require_mfa_editors=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/accounts/login/")
        assert axe(page) == []
        screenshot(f"sign-in-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})

    password_step(page, base)
    # Held at the setup: any other page sends them back.
    expect(page.get_by_text("Your network requires two-step")).to_be_visible()
    page.goto(base + "/assessments/")
    expect(page).to_have_url(base + "/accounts/2fa/")
    assert axe(page) == []
    screenshot("mfa-index-1280")

    page.goto(base + "/accounts/2fa/totp/activate/")
    if "/reauthenticate/" in page.url:
        page.get_by_label("Password").fill("demo-pass-2026")
        page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    assert axe(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"mfa-setup-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    used = counter()
    page.locator("input[name=code]").fill(code_for(secret, used))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recovery")
    page.goto(base + "/assessments/")
    expect(page).to_have_url(base + "/assessments/")

    page.get_by_role("button", name="Sign out").click()
    password_step(page, base)
    expect(page).to_have_url(base + "/accounts/2fa/authenticate/")
    assert axe(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"totp-step-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})  # the header's menu is open
    # A code is accepted once: wait for the app's next one.
    while counter() == used:
        time.sleep(1)
    page.locator("input[name=code]").fill(code_for(secret, counter()))
    page.locator("form.stack button[type=submit]").first.click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def test_sign_in_and_totp_pages_in_spanish(page, seeded_live_server, axe, screenshot):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from cities.models import User

    base = seeded_live_server.url
    TOTP.activate(User.objects.get(username="demo-editor"), generate_totp_secret())
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(base + "/accounts/login/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
        assert axe(page) == []
        screenshot(f"sign-in-es-{width}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Nombre de usuario").fill("demo-editor")
    page.get_by_label("Contraseña").fill("demo-pass-2026")
    page.get_by_role("button", name="Iniciar sesión", exact=True).click()
    expect(page).to_have_url(base + "/accounts/2fa/authenticate/")
    assert axe(page) == []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"totp-step-es-{width}")
