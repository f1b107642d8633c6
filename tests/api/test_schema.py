"""The OpenAPI schema validates, and schemathesis finds no server error (in-process, bounded)."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate

from cities.models import ApiToken

pytestmark = pytest.mark.django_db


def _raw_schema():
    import json

    from rest_framework.renderers import JSONRenderer

    # Through JSON, as a client reads it (lazy translations become plain strings).
    return json.loads(JSONRenderer().render(SchemaGenerator().get_schema(request=None,
                                                                          public=True)))


def test_schema_served_and_valid(client):
    result = client.get("/api/schema/?format=json")
    assert result.status_code == 200
    validate(result.json())


def test_docs_page_uses_our_static_files(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


schema = schemathesis.openapi.from_dict(_raw_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def editor_token(editor_a):
    return ApiToken.issue(user=editor_a, name="schemathesis")[1]


@pytest.fixture
def keep_test_connection():
    """Calling the WSGI app directly fires request_started/finished, which close the DB
    connection (and with it the test's transaction on PostgreSQL); Django's test client
    disconnects that handler the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, editor_token, keep_test_connection):
    # As an office editor: every write path is reachable, so the fuzzing reaches the rules.
    response = case.call(headers={"Authorization": f"Token {editor_token}",
                                  "Host": "testserver"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
