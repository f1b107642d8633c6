"""API lists make a fixed number of queries whatever the number of rows."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# session auth: the user (1). Lists: count (1) + page (1), plus one per prefetch.
LISTS = [
    ("/api/networks/?synthetic=include" if False else "/api/networks/", 3),  # + cities
    ("/api/cities/?synthetic=include", 3),  # + networks
    ("/api/offices/?synthetic=include", 2),
    ("/api/indicators/", 2),
    ("/api/frameworks/", 3),  # + criteria
    ("/api/criteria/", 3),  # + rubric levels
    ("/api/assessments/?synthetic=include", 2),
    ("/api/responses/?synthetic=include", 2),
    ("/api/evidence/", 2),
    ("/api/good-practices/", 2),
    # + networks of each city, + the exchange rates for budget_usd (4 since dated rates)
    ("/api/comparison/?synthetic=include", 4),
    # not paginated (rounds × criteria rows): assessments, criteria, levels
    ("/api/comparison/trend/?synthetic=include", 3),
    ("/api/comparison/trend/?synthetic=include&trend=all", 3),
    ("/api/exchange-rates/", 2),
]


@pytest.mark.parametrize("size", [5, 40])
@pytest.mark.parametrize(("url", "queries"), LISTS, ids=[u for u, _q in LISTS])
def test_list_query_count_is_fixed(client, researcher, django_assert_num_queries, size, url,
                                   queries):
    call_command("generate_synthetic", offices=size, rounds=2, researcher=["demo-researcher"],
                 stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(researcher)
    # + session and user lookups for the signed-in researcher, and their roles
    # (cities.models.roles_of, one query: the MFA rule and the access rules)
    with django_assert_num_queries(queries + 3):
        assert client.get(url).status_code == 200
