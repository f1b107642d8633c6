"""The first browsable pages render, make a fixed number of queries, and hide what they must."""

import pytest
from django.urls import reverse

from cities.models import City, Office
from criteria.models import Assessment, Criterion

pytestmark = pytest.mark.django_db


def test_home_lists_the_nine_criteria_and_the_published_charts(client, django_assert_num_queries):
    # framework; criteria; latest published assessments; their count; network; three counts
    with django_assert_num_queries(8):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    for criterion in Criterion.objects.all():
        assert criterion.name in content
    assert content.count('href="/assessments/') == 4


def test_city_list_shows_every_city(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # cities with office and network counts
        response = client.get(reverse("cities:city-list"))
    assert response.status_code == 200
    for city in City.objects.all():
        assert city.name in response.content.decode()


def test_city_list_can_show_only_the_sample(client):
    response = client.get(reverse("cities:city-list"), {"sample": "1"})
    assert len(response.context["cities"]) == 18


@pytest.mark.parametrize("slug", ["cali", "rosario", "oakland"])
def test_city_page_query_count_is_fixed(client, django_assert_num_queries, slug):
    # city; its networks; offices; indicators; visible assessments
    with django_assert_num_queries(5):
        response = client.get(reverse("cities:city-detail", args=[slug]))
    assert response.status_code == 200


def test_city_page_shows_outcome_figures_with_sources(client):
    response = client.get(reverse("cities:city-detail", args=["palmira"]))
    content = response.content.decode()
    assert "98.1" in content and "42.9" in content


def test_office_page_shows_the_latest_published_assessment(client, django_assert_num_queries):
    # office+city; latest published assessment (+profile); its funding sources; its
    # responses+criteria; their evidence; other visible assessments; good practices; the
    # city's latest homicide count (resources panel; 8 since the panel came: funding sources
    # and the count; REACH records no budget, so no exchange rates are read); the office's
    # next recorded election
    with django_assert_num_queries(9):
        response = client.get(reverse("cities:office-detail", args=["reach-edmonton"]))
    assert response.status_code == 200
    content = response.content.decode()
    edmonton = Assessment.objects.get(office__slug="reach-edmonton")
    for r in edmonton.responses.all():
        assert r.criterion.name in content
    assert "Current strengths" in content and "Opportunities to enhance effectiveness" in content


def test_office_without_assessment_says_so(client):
    response = client.get(reverse("cities:office-detail", args=["stuttgart-sos-kkp"]))
    assert "no published assessment" in response.content.decode()


def test_criteria_list(client, django_assert_num_queries):
    with django_assert_num_queries(2):  # framework; criteria
        response = client.get(reverse("criteria:criterion-list"))
    assert response.status_code == 200


@pytest.mark.parametrize("number", range(1, 10))
def test_criterion_page_shows_rubric_tradeoffs_and_practices(client, number,
                                                             django_assert_num_queries):
    criterion = Criterion.objects.get(number=number)
    # framework; criterion; rubric; questions; tradeoffs; practices; strong responses; siblings
    with django_assert_num_queries(8):
        response = client.get(criterion.get_absolute_url())
    content = response.content.decode()
    for level in criterion.rubric_levels.all():
        assert level.descriptor in content.replace("&#x27;", "'").replace("&quot;", '"')
    for tradeoff in criterion.tradeoffs.all():
        assert tradeoff.title.replace("'", "&#x27;") in content or tradeoff.title in content


def test_criterion_page_names_offices_that_do_well(client):
    # Edmonton's diagnosis row reads "continue with current approach" in the report.
    response = client.get(reverse("criteria:criterion-detail", args=["sound-updated-diagnoses"]))
    assert "REACH" in response.content.decode()


def test_assessment_page_query_count(client, django_assert_num_queries):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    # assessment+office+city+framework+profile; responses+criteria; evidence; funding sources
    with django_assert_num_queries(4):
        response = client.get(cali.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("editor_a", 200),
        ("viewer_a", 200),
        ("editor_b", 404),
        ("secretariat", 200),
        ("researcher", 404),
    ],
)
def test_palmira_draft_is_seen_only_by_its_office_and_the_secretariat(as_persona, persona,
                                                                      status):
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    assert as_persona(persona).get(draft.get_absolute_url()).status_code == status


@pytest.mark.parametrize("persona", ["anonymous", "editor_b", "researcher"])
def test_draft_is_not_listed_to_outsiders(as_persona, persona):
    client = as_persona(persona)
    city = client.get(reverse("cities:city-detail", args=["palmira"])).content.decode()
    office = client.get(reverse("cities:office-detail",
                                args=["palmira-security-coexistence"])).content.decode()
    assert "2026" not in city and "2026" not in office


def test_unknown_slugs_are_404(client):
    assert client.get(reverse("cities:city-detail", args=["atlantis"])).status_code == 404
    assert client.get(reverse("cities:office-detail", args=["nope"])).status_code == 404
    assert client.get(reverse("criteria:criterion-detail", args=["nope"])).status_code == 404
    assert client.get(reverse("criteria:assessment-detail", args=[999999])).status_code == 404


def test_sign_in_and_out(client):
    response = client.post(reverse("account_login"), {"login": "demo-editor",
                                              "password": "demo-pass-2026"})
    assert response.status_code == 302
    assert "Signed in as" in client.get(reverse("home")).content.decode()
    client.post(reverse("account_logout"))
    assert "Sign in" in client.get(reverse("home")).content.decode()


def test_failed_sign_in_shows_an_error_summary(client):
    response = client.post(reverse("account_login"), {"login": "demo-editor", "password": "wrong"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_offices_count_on_home_matches_database(client):
    response = client.get(reverse("home"))
    assert response.context["office_count"] == Office.objects.count()
