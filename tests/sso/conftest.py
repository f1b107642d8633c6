"""Fixtures that start the local identity providers (tests/sso/providers) for one test."""

import pytest

from tests.sso import providers


@pytest.fixture
def start_oidc_provider():
    """``start_oidc_provider(redirect_uris=[...], users=["email|password|verified"])`` ->
    a running LocalProvider (``.url`` is its issuer); stopped when the test ends."""
    started = []

    def start(**kwargs):
        started.append(providers.oidc_provider(**kwargs))
        return started[-1]

    yield start
    for provider in started:
        provider.stop()


@pytest.fixture
def start_saml_idp():
    """``start_saml_idp(sp_metadata=[url or file], users=[...])`` -> a running LocalProvider
    (``.url + "/metadata"`` is its entity ID and metadata URL); stopped when the test ends."""
    started = []

    def start(**kwargs):
        started.append(providers.saml_idp(**kwargs))
        return started[-1]

    yield start
    for provider in started:
        provider.stop()
