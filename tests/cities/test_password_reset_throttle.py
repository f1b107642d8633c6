"""Password-reset mails are throttled per requesting address and per email address."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from cities.models import PasswordResetRequest

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


@override_settings(PASSWORD_RESET_EMAIL_LIMIT=2, PASSWORD_RESET_ADDRESS_LIMIT=50)
def test_one_email_gets_only_a_few_mails_an_hour(client, editor_a):
    for _ in range(4):
        response = client.post(RESET, {"email": editor_a.email.upper()})
        # The answer is the same every time: it never tells whether the limit was reached.
        assert response.status_code == 302 and response.url.endswith("/password/reset/done/")
    assert len(mail.outbox) == 2
    assert not PasswordResetRequest.objects.filter(email_digest__icontains="@").exists()


@override_settings(PASSWORD_RESET_EMAIL_LIMIT=50, PASSWORD_RESET_ADDRESS_LIMIT=3,
                   TRUSTED_PROXY_COUNT=1)
def test_one_address_is_told_to_wait(client, editor_a):
    statuses = [client.post(RESET, {"email": f"someone{i}@example.org"},
                            headers={"x-forwarded-for": f"10.0.0.{i}, 203.0.113.5"}).status_code
                for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert "try again in an hour" in client.post(
        RESET, {"email": editor_a.email}, headers={"x-forwarded-for": "203.0.113.5"}
    ).content.decode()
    # Another client behind the same proxy still gets its mail.
    client.post(RESET, {"email": editor_a.email}, headers={"x-forwarded-for": "198.51.100.1"})
    assert [m.to for m in mail.outbox] == [[editor_a.email]]


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_api_anonymous_throttle_uses_the_client_address(client):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"}
    try:
        spoofed = [
            client.get("/api/cities/", headers={"x-forwarded-for": f"9.9.9.{i}, 203.0.113.5"})
            .status_code for i in range(3)
        ]
        other = client.get("/api/cities/", headers={"x-forwarded-for": "198.51.100.1"})
    finally:
        AnonRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert spoofed == [200, 200, 429]
    assert other.status_code == 200
