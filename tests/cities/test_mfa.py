"""Multi-factor sign-in: a network's requirement blocks people until they set it up; then
an authenticator code (computed here from the secret, as the app would) or a recovery code,
used once, completes the sign-in."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from cities.models import ApiToken, Network

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
MFA = reverse("mfa_index")


def code_for(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def editors_need_mfa(db):
    Network.objects.filter(slug="pioc").update(require_mfa_editors=True)


def test_an_editor_without_mfa_is_held_at_its_setup(client, editor_a, editors_need_mfa):
    client.force_login(editor_a)
    for url in ("/", reverse("criteria:my-assessments"), reverse("account"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url == MFA, url
    page = client.get(MFA, follow=True)
    assert page.status_code == 200 and b"Your network requires" in page.content
    # The API with the session is refused too, and so is the editor's API token.
    assert client.get("/api/cities/").status_code == 403
    _token, key = ApiToken.issue(user=editor_a, name="script")
    token_client = Client(headers={"authorization": f"Token {key}"})
    assert token_client.get("/api/cities/").status_code == 403
    # Language and sign-out stay open.
    assert client.post(reverse("set_language"), {"language": "es", "next": "/"}).status_code \
        == 302
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get("/").status_code == 200


def test_only_those_the_network_names_are_held(client, viewer_a, secretariat, editors_need_mfa):
    for person in (viewer_a, secretariat):
        client.force_login(person)
        assert client.get(reverse("account")).status_code == 200
    Network.objects.filter(slug="pioc").update(require_mfa_secretariat=True)
    assert client.get(reverse("account")).status_code == 302


def test_setting_up_an_authenticator_app_lets_the_editor_in(client, editor_a, editors_need_mfa):
    assert client.post(LOGIN, {"login": "demo-editor", "password": "demo-pass-2026"}).url \
        == reverse("start")  # each role's landing (cities.access.landing_for)
    page = client.get(reverse("mfa_activate_totp"))
    if page.status_code == 302:  # allauth asks for the password again before a change
        assert page.url.startswith(reverse("account_reauthenticate"))
        client.post(page.url, {"password": "demo-pass-2026"})
        page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = re.search(r'id="authenticator_secret" value="([A-Z2-7]+)"',
                       page.content.decode()).group(1)
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200 and b"error-summary" in wrong.content
    done = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert done.status_code == 302
    assert client.get(reverse("criteria:my-assessments")).status_code == 200
    assert client.get("/api/cities/").status_code == 200


def test_sign_in_asks_for_the_code_and_a_recovery_code_works_once(client, editor_a,
                                                                  editors_need_mfa):
    secret = generate_totp_secret()
    TOTP.activate(editor_a, secret)
    codes = RecoveryCodes.activate(editor_a).generate_codes()

    def password_step():
        response = client.post(LOGIN, {"login": "demo-editor@example.org",
                                       "password": "demo-pass-2026"})
        assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
        # Not signed in yet.
        assert client.get(reverse("account")).status_code == 302

    password_step()
    assert client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
    assert client.post(reverse("mfa_authenticate"), {"code": code_for(secret)}).status_code \
        == 302
    assert client.get(reverse("account")).status_code == 200
    client.post(reverse("account_logout"))

    password_step()
    assert client.post(reverse("mfa_authenticate"), {"code": codes[0]}).status_code == 302
    assert client.get(reverse("criteria:my-assessments")).status_code == 200
    client.post(reverse("account_logout"))

    password_step()
    again = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert again.status_code == 200 and b"error-summary" in again.content
    assert client.post(reverse("mfa_authenticate"), {"code": codes[1]}).status_code == 302
