"""Single sign-on through real identity providers on loopback (tests/sso/providers), driven
by Django's test client on our side and by plain HTTP on the provider's side.

Invited people are matched by a verified address; nobody else gets in, nothing is created,
and nobody gains a role (cities/sso.py). The same flows in Chromium: tests/browser/test_sso.py.
"""

from html import escape
from urllib.parse import urlparse

import pytest
from allauth.socialaccount.models import SocialAccount, SocialApp

from cities.account_views import invite_member
from cities.models import NetworkRole, OfficeMembership, SsoConnection, User

from .helpers import oidc_sign_in_at_provider, saml_sign_in_at_idp

OIDC_CALLBACK = "http://testserver/accounts/oidc/palmira-oidc/login/callback/"
ANA = "ana@palmira.example|ana-password-1|verified|Ana|Ruiz"  # invited below
BRUNO = "bruno@palmira.example|bruno-password-2|unverified"  # invited, address unverified
CARLA = "carla@palmira.example|carla-password-3"  # not invited
DORA = "dora@elsewhere.example|dora-password-4"  # invited, but not in the domains


@pytest.fixture
def palmira(palmira_draft):
    return palmira_draft.office


@pytest.fixture
def pioc(palmira):
    return palmira.city.networks.get()


@pytest.fixture
def invited(palmira, secretariat):
    """Ana, Bruno and Dora invited to Palmira's office the usual way (an invitation mail)."""
    people = {}
    for email in ("ana@palmira.example", "bruno@palmira.example", "dora@elsewhere.example"):
        membership, _created = invite_member(office=palmira, email=email,
                                             role=OfficeMembership.Role.EDITOR, by=secretariat)
        people[email] = membership.user
    return people


@pytest.fixture
def oidc_connection(start_oidc_provider, pioc):
    provider = start_oidc_provider(redirect_uris=[OIDC_CALLBACK],
                                   users=[ANA, BRUNO, CARLA, DORA])
    app = SocialApp.objects.create(
        provider="openid_connect", provider_id="palmira-oidc", name="Alcaldía de Palmira",
        client_id="ovp-assess", secret="local-oidc-secret",
        settings={"server_url": provider.url})
    SsoConnection.objects.create(app=app, network=pioc,
                                 email_domains="palmira.example\nelsewhere-not.example")
    return provider


def go_to_provider(client, email):
    """The sign-in page's SSO form: the answer is a page that moves on to the provider."""
    start = client.post("/accounts/sso/", {"email": email})
    assert start.status_code == 200, start.content[:500]
    url = start.context["url"]
    page = start.content.decode()
    assert f'<meta http-equiv="refresh" content="0;url={escape(url)}">' in page
    assert f'href="{escape(url)}"' in page
    return url


def oidc_sign_in(client, provider, email, password):
    url = go_to_provider(client, email)
    assert url.startswith(provider.url + "/")
    back = oidc_sign_in_at_provider(url, email, password,
                                    back_to="http://testserver/")
    assert isinstance(back, str), f"the provider did not send us back: {back.status_code}"
    callback = urlparse(back)
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def roles_of(user):
    return (sorted(OfficeMembership.objects.filter(user=user).values_list("office_id", "role")),
            sorted(NetworkRole.objects.filter(user=user).values_list("network_id", "role")),
            user.is_staff, user.is_superuser, sorted(user.groups.values_list("name", flat=True)))


def test_invited_person_signs_in_through_oidc_as_their_invited_account(
        client, oidc_connection, invited):
    ana = invited["ana@palmira.example"]
    before = roles_of(ana)
    response = oidc_sign_in(client, oidc_connection, "ana@palmira.example", "ana-password-1")
    assert response.status_code == 302, response.content[:800]
    assert signed_in_user(client) == ana
    assert SocialAccount.objects.get(user=ana).provider == "palmira-oidc"
    ana.refresh_from_db()
    assert roles_of(ana) == before, "signing in changed what the person may do"
    assert client.get("/accounts/").status_code == 200

    # A second sign-in uses the link made the first time.
    client.logout()
    response = oidc_sign_in(client, oidc_connection, "ana@palmira.example", "ana-password-1")
    assert response.status_code == 302
    assert signed_in_user(client) == ana
    assert SocialAccount.objects.filter(user=ana).count() == 1


def test_uninvited_person_is_refused_and_no_account_is_made(client, oidc_connection, invited):
    users = User.objects.count()
    response = oidc_sign_in(client, oidc_connection, "carla@palmira.example", "carla-password-3")
    assert response.status_code == 403
    page = response.content.decode()
    assert "There is no invitation for this address" in page
    assert "carla@palmira.example" in page
    assert "No account was created" in page
    assert signed_in_user(client) is None
    assert User.objects.count() == users
    assert not User.objects.filter(email__iexact="carla@palmira.example").exists()
    assert not SocialAccount.objects.exists()


def test_an_unverified_address_does_not_sign_in_even_when_invited(
        client, oidc_connection, invited):
    response = oidc_sign_in(client, oidc_connection, "bruno@palmira.example",
                            "bruno-password-2")
    assert response.status_code == 403
    assert "verified email address" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()


def test_invitation_in_another_network_does_not_count(
        client, oidc_connection, other_network, secretariat):
    # Carla is invited, but to the other network's office: this provider is PiOC's.
    invite_member(office=other_network.office, email="carla@palmira.example",
                  role=OfficeMembership.Role.EDITOR, by=other_network.secretariat)
    response = oidc_sign_in(client, oidc_connection, "carla@palmira.example", "carla-password-3")
    assert response.status_code == 403
    assert "There is no invitation for this address in" in response.content.decode()
    assert signed_in_user(client) is None


def test_address_outside_the_connections_domains_is_refused(client, oidc_connection, invited):
    # Dora is invited to Palmira, but her address is not in the provider's domains, so the
    # provider cannot vouch for it; the start page would not even send her there.
    start = client.post("/accounts/sso/", {"email": "dora@elsewhere.example"})
    assert start.status_code == 400
    assert "Single sign-on is not set up for elsewhere.example" in start.content.decode()
    # Going to the provider anyway (its own button) ends in a refusal too.
    client.post("/accounts/sso/", {"email": "ana@palmira.example"})
    start = client.post("/accounts/oidc/palmira-oidc/login/")
    assert start.status_code == 302
    back = oidc_sign_in_at_provider(start["Location"], "dora@elsewhere.example",
                                    "dora-password-4", back_to="http://testserver/")
    callback = urlparse(back)
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 403
    assert "not in the email domains" in response.content.decode()
    assert signed_in_user(client) is None


def test_sso_start_says_which_field_is_wrong(client, db):
    response = client.post("/accounts/sso/", {"email": "not-an-address"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Work email address" in page and "valid email address" in page
    assert 'value="not-an-address"' in page  # what was typed is kept


def test_sign_in_page_offers_single_sign_on(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with your organisation" in page
    assert 'action="/accounts/sso/"' in page


# SAML ---------------------------------------------------------------------------------------

@pytest.fixture
def saml_connection(start_saml_idp, pioc, client, tmp_path, settings):
    # python3-saml refuses single-label hosts such as "testserver" in its URLs.
    settings.ALLOWED_HOSTS = ["localhost"]
    client.defaults["HTTP_HOST"] = "localhost"
    sp_metadata = tmp_path / "sp-metadata.xml"  # written below, read by the IdP on first use
    idp = start_saml_idp(sp_metadata=[str(sp_metadata)], users=[ANA, CARLA])
    app = SocialApp.objects.create(
        provider="saml", provider_id="palmira-saml", name="Palmira (SAML)",
        client_id="palmira-saml",
        settings={
            "idp": {"entity_id": f"{idp.url}/metadata", "metadata_url": f"{idp.url}/metadata"},
            "advanced": {"want_assertion_signed": True, "want_message_signed": True},
        })
    SsoConnection.objects.create(app=app, network=pioc, email_domains="palmira.example",
                                 trust_provider_emails=True)
    metadata = client.get("/accounts/saml/palmira-saml/metadata/")
    assert metadata.status_code == 200
    sp_metadata.write_bytes(metadata.content)
    return idp


def saml_sign_in(client, idp, email, password):
    url = go_to_provider(client, email)
    assert url.startswith(f"{idp.url}/sso/redirect?SAMLRequest=")
    answer = saml_sign_in_at_idp(url, email, password)
    assert isinstance(answer, tuple), answer.text[:500]
    acs, fields = answer
    assert acs == "http://localhost/accounts/saml/palmira-saml/acs/"
    return client.post(urlparse(acs).path, fields, follow=True)


def test_invited_person_signs_in_through_saml(client, saml_connection, invited):
    ana = invited["ana@palmira.example"]
    before = roles_of(ana)
    response = saml_sign_in(client, saml_connection, "ana@palmira.example", "ana-password-1")
    assert response.status_code == 200
    assert signed_in_user(client) == ana
    assert SocialAccount.objects.get(user=ana).provider == "palmira-saml"
    ana.refresh_from_db()
    assert roles_of(ana) == before


def test_uninvited_person_is_refused_through_saml(client, saml_connection, invited):
    users = User.objects.count()
    response = saml_sign_in(client, saml_connection, "carla@palmira.example", "carla-password-3")
    assert response.status_code == 403
    assert "There is no invitation for this address" in response.content.decode()
    assert signed_in_user(client) is None
    assert User.objects.count() == users
