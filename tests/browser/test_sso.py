"""Single sign-on in Chromium, the whole redirect flow against real identity providers on
loopback (tests/sso/providers): the sign-in page sends an invited person to their
organisation's provider by the domain of their address, they sign in there, and come back
signed in as the account their invitation made. An uninvited person gets a clear refusal.
"""

import pytest
from allauth.socialaccount.models import SocialApp
from playwright.sync_api import expect

from cities.account_views import invite_member
from cities.models import OfficeMembership, SsoConnection, User
from tests.sso.conftest import start_oidc_provider, start_saml_idp  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANA = "ana@palmira.example|ana-password-1|verified|Ana|Ruiz"
CARLA = "carla@palmira.example|carla-password-3|verified|Carla|Soto"


@pytest.fixture
def palmira():
    from cities.models import Office

    return Office.objects.select_related("city").get(slug="palmira-security-coexistence")


@pytest.fixture
def ana(seeded_live_server, palmira):
    secretariat = User.objects.get(username="demo-secretariat")
    membership, _created = invite_member(office=palmira, email="ana@palmira.example",
                                         role=OfficeMembership.Role.EDITOR, by=secretariat)
    return membership.user


def connect(app, palmira, **extra):
    SsoConnection.objects.create(app=app, network=palmira.city.networks.get(),
                                 email_domains="palmira.example", **extra)


def start_from_sign_in_page(page, base, email, screenshot=None):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Work email address").fill(email)
    if screenshot:
        screenshot("sso-sign-in-page")
    page.get_by_role("button", name="Continue with single sign-on").click()


def test_chromium_signs_in_through_the_local_oidc_provider(
        page, seeded_live_server, start_oidc_provider, ana, palmira, screenshot):  # noqa: F811
    base = seeded_live_server.url
    provider = start_oidc_provider(
        redirect_uris=[f"{base}/accounts/oidc/palmira-oidc/login/callback/"], users=[ANA])
    connect(SocialApp.objects.create(
        provider="openid_connect", provider_id="palmira-oidc", name="Alcaldía de Palmira",
        client_id="ovp-assess", secret="local-oidc-secret",
        settings={"server_url": provider.url}), palmira)

    start_from_sign_in_page(page, base, "ana@palmira.example", screenshot)
    # The provider's own sign-in form (allauth's, in the provider's process).
    page.wait_for_url(f"{provider.url}/accounts/login/**", timeout=15000)
    page.locator("input[name=login]").fill("ana@palmira.example")
    page.locator("input[name=password]").fill("ana-password-1")
    screenshot("sso-oidc-provider-form")
    page.locator("form button[type=submit]").first.click()

    page.wait_for_url(f"{base}/**", timeout=20000)
    expect(page.get_by_role("link", name="Signed in as")).to_be_visible()
    page.goto(base + "/accounts/")
    expect(page.get_by_text("ana@palmira.example").first).to_be_visible()
    expect(page.get_by_text("Palmira", exact=False).first).to_be_visible()
    screenshot("sso-oidc-signed-in")
    assert ana.socialaccount_set.get().provider == "palmira-oidc"


def test_chromium_signs_in_through_the_local_saml_idp(
        page, seeded_live_server, start_saml_idp, ana, palmira, screenshot):  # noqa: F811
    base = seeded_live_server.url
    idp = start_saml_idp(sp_metadata=[f"{base}/accounts/saml/palmira-saml/metadata/"],
                         users=[ANA])
    connect(SocialApp.objects.create(
        provider="saml", provider_id="palmira-saml", name="Palmira (SAML)",
        client_id="palmira-saml",
        settings={"idp": {"entity_id": f"{idp.url}/metadata",
                          "metadata_url": f"{idp.url}/metadata"},
                  "advanced": {"want_assertion_signed": True, "want_message_signed": True}}),
        palmira, trust_provider_emails=True)

    start_from_sign_in_page(page, base, "ana@palmira.example")
    page.wait_for_url(f"{idp.url}/sso/redirect**", timeout=15000)
    page.get_by_label("Email").fill("ana@palmira.example")
    page.get_by_label("Password").fill("ana-password-1")
    screenshot("sso-saml-idp-form")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"{base}/**", timeout=20000)
    expect(page.get_by_role("link", name="Signed in as")).to_be_visible()
    page.goto(base + "/accounts/")
    expect(page.get_by_text("ana@palmira.example").first).to_be_visible()
    assert ana.socialaccount_set.get().provider == "palmira-saml"


def test_chromium_shows_an_uninvited_person_a_refusal(
        page, seeded_live_server, start_oidc_provider, ana, palmira, screenshot):  # noqa: F811
    base = seeded_live_server.url
    provider = start_oidc_provider(
        redirect_uris=[f"{base}/accounts/oidc/palmira-oidc/login/callback/"],
        users=[ANA, CARLA])
    connect(SocialApp.objects.create(
        provider="openid_connect", provider_id="palmira-oidc", name="Alcaldía de Palmira",
        client_id="ovp-assess", secret="local-oidc-secret",
        settings={"server_url": provider.url}), palmira)
    users = User.objects.count()

    start_from_sign_in_page(page, base, "carla@palmira.example")
    page.wait_for_url(f"{provider.url}/accounts/login/**", timeout=15000)
    page.locator("input[name=login]").fill("carla@palmira.example")
    page.locator("input[name=password]").fill("carla-password-3")
    page.locator("form button[type=submit]").first.click()

    page.wait_for_url(f"{base}/**", timeout=20000)
    expect(page.get_by_role("heading", name="We could not sign you in")).to_be_visible()
    expect(page.get_by_text("There is no invitation for this address")).to_be_visible()
    expect(page.get_by_text("No account was created and nothing was changed.")).to_be_visible()
    expect(page.get_by_role("link", name="Signed in as")).to_have_count(0)
    screenshot("sso-refused")
    assert User.objects.count() == users
