"""API tokens: hashed at rest, named, several per person, expiring, revoked with the password."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from cities.models import ApiToken

pytestmark = pytest.mark.django_db


def _api(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def _create(client, name="script", lifetime="90"):
    response = client.post("/accounts/tokens/", {"action": "create", "name": name,
                                                 "lifetime": lifetime})
    assert response.status_code == 302 and response.url == "/accounts/tokens/"
    page = client.get("/accounts/tokens/").content.decode()
    return re.search(r'id="new-token">([^<]+)<', page).group(1)


def test_creating_redirects_and_the_key_is_shown_once(client, researcher):
    client.force_login(researcher)
    key = _create(client)
    assert _api(key).get("/api/assessments/").status_code == 200
    # A reload shows the list, not the key again, and creates nothing.
    again = client.get("/accounts/tokens/").content.decode()
    assert key not in again and "script" in again
    assert researcher.api_tokens.count() == 1


def test_a_person_has_several_named_tokens_and_revokes_one(client, researcher):
    client.force_login(researcher)
    first, second = _create(client, "first"), _create(client, "second")
    token = researcher.api_tokens.get(name="first")
    response = client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})
    assert response.status_code == 302
    assert _api(first).get("/api/assessments/").status_code == 401
    assert _api(second).get("/api/assessments/").status_code == 200


def test_no_one_revokes_another_persons_token(client, researcher, editor_a):
    _token, key = ApiToken.issue(user=editor_a, name="theirs")
    client.force_login(researcher)
    response = client.post("/accounts/tokens/", {"action": "revoke", "token": _token.pk})
    assert response.status_code == 404
    assert _api(key).get("/api/assessments/").status_code == 200


def test_a_token_needs_a_name(client, researcher):
    client.force_login(researcher)
    response = client.post("/accounts/tokens/", {"action": "create", "name": "", "lifetime": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert not researcher.api_tokens.exists()


def test_the_key_is_not_in_the_database(researcher):
    _token, key = ApiToken.issue(user=researcher, name="dump")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cities_apitoken")
        dump = repr(cursor.fetchall())
    assert key not in dump and key[len(ApiToken.PREFIX) + 6:] not in dump
    assert ApiToken.objects.for_key(key).get() == _token


def test_an_expired_token_is_refused(researcher):
    token, key = ApiToken.issue(user=researcher, name="old",
                                expires_at=timezone.now() + timedelta(days=1))
    assert _api(key).get("/api/assessments/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _api(key).get("/api/assessments/").status_code == 401


def test_use_is_recorded(researcher):
    token, key = ApiToken.issue(user=researcher, name="used")
    assert token.last_used_at is None
    _api(key).get("/api/assessments/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_changing_the_password_revokes_every_token(client, researcher):
    _t1, key1 = ApiToken.issue(user=researcher, name="one")
    _t2, key2 = ApiToken.issue(user=researcher, name="two")
    researcher.set_password("old-pass-2026-x")
    researcher.save()
    assert not researcher.api_tokens.exists()
    _t3, key3 = ApiToken.issue(user=researcher, name="three")
    client.force_login(researcher)
    response = client.post("/accounts/password/change/", {
        "oldpassword": "old-pass-2026-x", "password1": "new-pass-2026-y!",
        "password2": "new-pass-2026-y!"})
    assert response.status_code == 302
    for key in (key1, key2, key3):
        assert _api(key).get("/api/assessments/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_tokens(researcher):
    _token, key = ApiToken.issue(user=researcher, name="kept")
    researcher.first_name = "Ana"
    researcher.save()
    assert _api(key).get("/api/assessments/").status_code == 200
