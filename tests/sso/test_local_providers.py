"""The local identity providers work on their own, before OVP Assess talks to them.

Each test drives a provider the way a relying party and a browser would, over HTTP on
loopback: the OIDC provider through discovery, the sign-in form, authorize, token, JWKS and
userinfo; the SAML IdP through an AuthnRequest from python3-saml (the library allauth's SAML
provider uses), its sign-in form and the signed Response, which python3-saml then validates.
"""

import base64
import hashlib
import re
import secrets
from html import unescape
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import requests
from lxml import etree

CALLBACK = "http://127.0.0.1:9/callback/"  # never contacted: the code is read off the redirect
ANA = "ana@city.example|a-long-password-1|verified|Ana|Ruiz"
BRUNO = "bruno@city.example|another-password-2|unverified"


def _hidden_inputs(page_html):
    return {
        unescape(name): unescape(value)
        for name, value in re.findall(
            r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page_html)
    }


def _sign_in_oidc(provider, email, password, nonce="n-0S6_WzA2Mj"):
    """Authorize as a browser would: follow redirects, fill in allauth's sign-in form.
    Returns (final redirect to the callback, PKCE verifier)."""
    config = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=10).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    browser = requests.Session()
    url = config["authorization_endpoint"] + "?" + urlencode({
        "client_id": "ovp-assess", "redirect_uri": CALLBACK, "response_type": "code",
        "scope": "openid email profile", "state": "xyz-state", "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    })
    response = browser.get(url, allow_redirects=True, timeout=10)
    assert "/accounts/login/" in response.url, response.url
    form = response.text
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = browser.post(
        response.url,
        data={"csrfmiddlewaretoken": csrf, "login": email, "password": password},
        headers={"Referer": response.url}, allow_redirects=False, timeout=10)
    hops = 0
    while response.is_redirect and hops < 10:
        location = requests.compat.urljoin(response.url, response.headers["Location"])
        if location.startswith(CALLBACK):
            return location, verifier, config
        response = browser.get(location, allow_redirects=False, timeout=10)
        hops += 1
    return response, verifier, config


def test_oidc_provider_signs_in_a_verified_user_end_to_end(start_oidc_provider):
    provider = start_oidc_provider(redirect_uris=[CALLBACK], users=[ANA, BRUNO])
    location, verifier, config = _sign_in_oidc(provider, "ana@city.example", "a-long-password-1")
    assert isinstance(location, str), "no redirect to the callback after signing in"
    query = parse_qs(urlparse(location).query)
    assert query["state"] == ["xyz-state"]
    code = query["code"][0]

    assert config["issuer"] == provider.url
    for key in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"):
        assert config[key].startswith(provider.url + "/")

    tokens = requests.post(
        config["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier},
        auth=("ovp-assess", "local-oidc-secret"), timeout=10).json()
    assert "id_token" in tokens, tokens
    jwks = jwt.PyJWKClient(config["jwks_uri"])
    key = jwks.get_signing_key_from_jwt(tokens["id_token"])
    claims = jwt.decode(tokens["id_token"], key.key, algorithms=["RS256"],
                        audience="ovp-assess", issuer=provider.url)
    assert claims["email"] == "ana@city.example"
    assert claims["email_verified"] is True
    assert claims["nonce"] == "n-0S6_WzA2Mj"

    userinfo = requests.get(config["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["email"] == "ana@city.example"
    assert userinfo["email_verified"] is True
    assert userinfo["given_name"] == "Ana"

    # The code is single-use, and a wrong client secret gets nothing.
    again = requests.post(
        config["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier},
        auth=("ovp-assess", "local-oidc-secret"), timeout=10)
    assert again.status_code == 400
    wrong = requests.post(
        config["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
        auth=("ovp-assess", "not-the-secret"), timeout=10)
    assert wrong.status_code in (400, 401)


def test_oidc_provider_reports_an_unverified_email_and_refuses_a_wrong_password(
        start_oidc_provider):
    provider = start_oidc_provider(redirect_uris=[CALLBACK], users=[ANA, BRUNO])
    refused, _verifier, _config = _sign_in_oidc(provider, "ana@city.example", "wrong-password")
    assert not isinstance(refused, str), "a wrong password reached the callback"
    assert refused.status_code == 200 and "password" in refused.text.lower()

    location, verifier, config = _sign_in_oidc(provider, "bruno@city.example",
                                               "another-password-2")
    code = parse_qs(urlparse(location).query)["code"][0]
    tokens = requests.post(
        config["token_endpoint"],
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
              "code_verifier": verifier, "client_id": "ovp-assess",
              "client_secret": "local-oidc-secret"}, timeout=10).json()
    claims = jwt.decode(tokens["id_token"], options={"verify_signature": False})
    assert claims["email"] == "bruno@city.example"
    assert claims["email_verified"] is False


def test_oidc_provider_refuses_an_unregistered_redirect_uri(start_oidc_provider):
    provider = start_oidc_provider(redirect_uris=[CALLBACK], users=[ANA])
    config = requests.get(f"{provider.url}/.well-known/openid-configuration", timeout=10).json()
    response = requests.get(config["authorization_endpoint"] + "?" + urlencode({
        "client_id": "ovp-assess", "redirect_uri": "http://127.0.0.1:9/elsewhere/",
        "response_type": "code", "scope": "openid email"}), allow_redirects=False, timeout=10)
    assert not response.headers.get("Location", "").startswith("http://127.0.0.1:9/elsewhere")


# SAML -------------------------------------------------------------------------------------

DSIG = "http://www.w3.org/2000/09/xmldsig#"
SP_ENTITY = "http://127.0.0.1:9/sp/metadata/"
SP_ACS = "http://127.0.0.1:9/sp/acs/"


def _sp_settings(idp_url, idp_cert):
    return {
        "strict": True,
        "sp": {
            "entityId": SP_ENTITY,
            "assertionConsumerService": {
                "url": SP_ACS, "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"},
            "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        },
        "idp": {
            "entityId": f"{idp_url}/metadata",
            "singleSignOnService": {
                "url": f"{idp_url}/sso/redirect",
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"},
            "x509cert": idp_cert,
        },
        "security": {"wantAssertionsSigned": True, "wantMessagesSigned": True,
                     "rejectDeprecatedAlgorithm": True},
    }


def _acs_request(post_data=None):
    return {"https": "off", "http_host": "127.0.0.1:9",
            "script_name": "/sp/acs/", "get_data": {}, "post_data": post_data or {}}


@pytest.fixture
def saml_sp(tmp_path):
    """python3-saml as the service provider: its metadata in a file for the IdP to read."""
    from onelogin.saml2.settings import OneLogin_Saml2_Settings

    settings = OneLogin_Saml2_Settings(_sp_settings("http://127.0.0.1:9", ""),
                                       sp_validation_only=True)
    metadata = tmp_path / "sp-metadata.xml"
    text = settings.get_sp_metadata()
    metadata.write_text(text.decode() if isinstance(text, bytes) else text)
    return metadata


def _idp_certificate(idp):
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    parsed = OneLogin_Saml2_IdPMetadataParser.parse(
        requests.get(f"{idp.url}/metadata", timeout=10).text)
    assert parsed["idp"]["entityId"] == f"{idp.url}/metadata"
    assert parsed["idp"]["singleSignOnService"]["url"] == f"{idp.url}/sso/redirect"
    return parsed["idp"]["x509cert"]


def _start_saml_login(idp, cert):
    from onelogin.saml2.auth import OneLogin_Saml2_Auth

    auth = OneLogin_Saml2_Auth(_acs_request(), _sp_settings(idp.url, cert))
    redirect = auth.login(return_to="relay-123")
    return auth.get_last_request_id(), redirect


def test_saml_idp_answers_with_a_signed_assertion_that_python3_saml_accepts(
        start_saml_idp, saml_sp):
    from onelogin.saml2.auth import OneLogin_Saml2_Auth

    idp = start_saml_idp(sp_metadata=[str(saml_sp)], users=[ANA])
    cert = _idp_certificate(idp)
    request_id, redirect = _start_saml_login(idp, cert)

    form_page = requests.get(redirect, timeout=10)
    assert form_page.status_code == 200
    assert 'name="email"' in form_page.text and 'name="password"' in form_page.text
    assert SP_ENTITY in unescape(form_page.text)

    hidden = _hidden_inputs(form_page.text)
    answer = requests.post(f"{idp.url}/login", timeout=10, data={
        **hidden, "email": "ana@city.example", "password": "a-long-password-1"})
    assert answer.status_code == 200
    posted = _hidden_inputs(answer.text)
    assert re.search(r'action="([^"]+)"', answer.text).group(1) == SP_ACS
    assert posted["RelayState"] == "relay-123"
    xml = base64.b64decode(posted["SAMLResponse"]).decode()
    signed = {element.getparent().tag.rsplit("}", 1)[1]
              for element in etree.fromstring(xml.encode()).iter(f"{{{DSIG}}}Signature")}
    assert signed == {"Response", "Assertion"}, signed

    auth = OneLogin_Saml2_Auth(_acs_request({"SAMLResponse": posted["SAMLResponse"],
                                             "RelayState": posted["RelayState"]}),
                               _sp_settings(idp.url, cert))
    auth.process_response(request_id=request_id)
    assert auth.get_errors() == [], auth.get_last_error_reason()
    assert auth.is_authenticated()
    assert auth.get_nameid() == "ana@city.example"
    attributes = auth.get_attributes()
    assert attributes["urn:oid:0.9.2342.19200300.100.1.3"] == ["ana@city.example"]
    assert attributes["urn:oid:2.5.4.42"] == ["Ana"]
    assert attributes["http://schemas.auth0.com/email_verified"] == ["true"]

    # The same Response with its assertion altered no longer validates.
    tampered = base64.b64encode(xml.replace("ana@city.example", "eve@city.example")
                                .encode()).decode()
    forged = OneLogin_Saml2_Auth(_acs_request({"SAMLResponse": tampered}),
                                 _sp_settings(idp.url, cert))
    forged.process_response(request_id=request_id)
    assert not forged.is_authenticated()
    assert forged.get_errors()


def test_saml_idp_refuses_a_wrong_password(start_saml_idp, saml_sp):
    idp = start_saml_idp(sp_metadata=[str(saml_sp)], users=[ANA])
    _request_id, redirect = _start_saml_login(idp, _idp_certificate(idp))
    hidden = _hidden_inputs(requests.get(redirect, timeout=10).text)
    answer = requests.post(f"{idp.url}/login", timeout=10, data={
        **hidden, "email": "ana@city.example", "password": "not-it"})
    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text
    assert "SAMLResponse" not in answer.text
