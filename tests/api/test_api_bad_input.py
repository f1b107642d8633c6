"""Unknown filters, malformed ids and bad values are 400s naming the field, never 500s."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("url", "field"), [
    ("/api/offices/?colour=red", "colour"),
    ("/api/offices/abc/", "id"),
    ("/api/offices/-1/", "id"),
    ("/api/offices/99999999999999999999999/", "id"),
    ("/api/offices/?ordering=secret", "ordering"),
    ("/api/offices/?page=zero", "page"),
    ("/api/offices/?page=9999", "page"),
    ("/api/offices/?page_size=-3", "page_size"),
    ("/api/offices/?region=atlantis", "region"),
    ("/api/offices/?city=no-such-city", "city"),
    ("/api/offices/?synthetic=maybe", "synthetic"),
    ("/api/responses/?assessment=x", "assessment"),
    ("/api/responses/?assessment=99999999999999999999999", "assessment"),
    ("/api/indicators/?year=1066", "year"),
    ("/api/comparison/?round=" + "x" * 41, "round"),
    ("/api/comparison/?budget=lots", "budget"),
    ("/api/comparison/?network=nope", "network"),
    ("/api/comparison/?colour=red", "colour"),
    ("/api/comparison/?source=guess", "source"),
    ("/api/comparison/?office=%00", "office"),
    ("/api/comparison/?network=%00", "network"),
    ("/api/offices/?city=%00", "city"),
    ("/api/comparison/trend/?trend=sideways", "trend"),
    ("/api/comparison/trend/?source=guess", "source"),
])
def test_bad_query_is_400_naming_the_field(api_as, url, field):
    result = api_as("researcher").get(url)
    assert result.status_code == 400, result.content
    assert field in result.json()


@pytest.mark.parametrize(("url", "field"), [
    ("/compare/?region=atlantis", "region"),
    ("/compare/?radar=1&radar=2&radar=3&radar=4&radar=5&radar=6&radar=7", "radar"),
    ("/compare/?radar=abc", "radar"),
    ("/compare/?office=%00", "office"),
    ("/compare/?city=a%00b", "city"),
    ("/compare/export.csv?network=%00", "network"),
    ("/compare/export.xlsx?office=%00", "office"),
    ("/compare/?colour=red", "colour"),
    ("/compare/export.csv?us=maybe", "us"),
    ("/compare/export.xlsx?shape=tall", "shape"),
    ("/compare/?trend=sideways", "trend"),
    ("/compare/trend.csv?source=guess", "source"),
    ("/practices/?criterion=42", "criterion"),
    ("/practices/export.json?colour=red", "colour"),
])
def test_bad_page_query_is_400_naming_the_field(client, researcher, url, field):
    client.force_login(researcher)
    result = client.get(url)
    assert result.status_code == 400
    assert field in result.content.decode()
