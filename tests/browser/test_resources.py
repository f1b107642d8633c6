"""The resources panel in a browser: no serious axe-core violation on the office page, the
brief and the exchange-rate admin, in three languages; nothing sideways on a phone."""

import pytest
from playwright.sync_api import expect

from criteria.models import Assessment
from tests.browser.test_phone import PHONE, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rosario():
    return Assessment.objects.get(city__slug="rosario", round__code="2023")


@pytest.mark.parametrize("lang", ["en", "es", "pt-br"])
def test_panel_pages_pass_axe_in_each_language(browser, seeded_live_server, axe, lang):
    base = seeded_live_server.url
    context = browser.new_context()
    context.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = context.new_page()
    for path in ("/offices/reach-edmonton/", f"/reports/briefs/{_rosario().pk}/"):
        page.goto(base + path)
        expect(page.locator("#resources-h")).to_be_visible()
        assert axe(page) == [], path
    context.close()


def test_exchange_rate_admin_passes_axe(browser, seeded_live_server, sign_in, axe):
    base = seeded_live_server.url
    page = browser.new_page()
    sign_in(page, base, "demo-secretariat")
    for path in ("/admin/cities/exchangerate/", "/admin/cities/exchangerate/add/"):
        page.goto(base + path)
        assert axe(page) == [], path
    page.get_by_label("Currency").fill("pesos")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("is not an ISO 4217 currency code")).to_be_visible()
    assert page.get_by_label("Currency").input_value() == "pesos"  # kept as typed
    page.close()


def test_panel_fits_a_phone(browser, seeded_live_server):
    base = seeded_live_server.url
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in ("/offices/reach-edmonton/", f"/reports/briefs/{_rosario().pk}/"):
        page.goto(base + path)
        page.locator("#resources-h").scroll_into_view_if_needed()
        assert_fits(page, path)
    context.close()
