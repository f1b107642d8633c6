"""Hot queries compiled once (ovp_assess/prepared.py): the same rows as the ORM's, for any
arguments, one query each time, and a clear error for what it cannot prepare."""

import pytest

from cities.models import City, Office, OfficeMembership
from ovp_assess.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _members_of(city_id, other_city_id):
    return (OfficeMembership.objects.filter(office__city_id__in=[city_id, other_city_id])
            .exclude(role="").order_by("pk").values_list("pk", "office__slug", "role"))


def test_rows_match_the_orm_for_any_arguments(django_assert_num_queries):
    prepared = PreparedQuery(_members_of)
    cities = list(City.objects.filter(offices__memberships__isnull=False).distinct()
                  .order_by("pk").values_list("pk", flat=True))
    assert len(cities) >= 2
    pairs = [(cities[0], cities[1]), (cities[1], cities[0]), (cities[-1], -5), (0, 0)]
    for a, b in pairs:
        with django_assert_num_queries(1):
            rows = prepared.rows(a, b)
        assert rows == list(_members_of(a, b))
    assert prepared.rows(cities[0], cities[1])  # not only empty answers
    assert len(prepared._compiled) == 1  # compiled once, run five times


def test_texts_are_arguments_too():
    prepared = PreparedQuery(lambda slug, role: OfficeMembership.objects.filter(
        office__slug=slug, role=role).order_by("pk").values_list("pk", "user_id"))
    memberships = list(OfficeMembership.objects.values_list("office__slug", "role").distinct())
    assert len(memberships) > 1
    for slug, role in memberships + [("no-such-office", "editor")]:
        assert prepared.rows(slug, role) == list(OfficeMembership.objects.filter(
            office__slug=slug, role=role).order_by("pk").values_list("pk", "user_id"))
    assert len(prepared._compiled) == 1


def test_only_whole_numbers_and_texts_are_taken():
    prepared = PreparedQuery(_members_of)
    for wrong in (None, 1.5, True):
        with pytest.raises(TypeError, match="whole numbers and texts"):
            prepared.rows(wrong, 1)


def test_an_argument_the_sql_does_not_use_is_refused():
    prepared = PreparedQuery(lambda city_id: OfficeMembership.objects.exclude(role="")
                             .values_list("pk"))
    with pytest.raises(ValueError, match=r"argument\(s\) \[0\]"):
        prepared.rows(1)


def test_only_a_plain_values_list_is_prepared():
    for build in (lambda pk: Office.objects.filter(pk=pk).values_list("pk", "slug"),
                  lambda pk: OfficeMembership.objects.filter(pk=pk).values("pk")):
        with pytest.raises(TypeError, match="plain values_list"):
            PreparedQuery(build).rows(1)
