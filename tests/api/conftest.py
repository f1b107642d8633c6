import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cities.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_as(request):
    """An API client authenticated with a token of the named persona (or anonymous)."""

    def make(name):
        client = APIClient()
        if name != "anonymous":
            _token, key = ApiToken.issue(user=request.getfixturevalue(name), name="tests")
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
