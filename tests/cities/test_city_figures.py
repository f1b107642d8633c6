"""City outcome figures are city series of the indicator model (docs/indicators.md)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cities import city_figures
from cities.city_figures import FigureExists
from cities.models import City, CityFigureSeries, Indicator, IndicatorValue

pytestmark = pytest.mark.django_db


def test_every_seeded_figure_is_a_yearly_value_of_a_city_series():
    values = list(city_figures.figures())
    assert len(values) == 16  # fixtures/pioc_network.json "indicators"
    assert all(v.on.month == 12 and v.on.day == 31 and v.year == v.on.year for v in values)
    assert all(v.indicator.office_id is None and v.indicator.is_public for v in values)
    assert all(v.source.strip() for v in values)
    rosario = {(v.measure, v.label): v for v in city_figures.figures_of(
        City.objects.get(slug="rosario"))}
    assert rosario[("homicides", "")].value == Decimal("287.00")
    assert rosario[("homicides", "")].area == "Rosario metropolitan area"
    over = [v for (m, label), v in rosario.items() if label.startswith("Share of homicides linked")]
    assert over[0].qualifier == "over" and over[0].value == 70


def test_a_second_figure_for_the_same_year_is_refused_and_the_first_kept():
    cali = City.objects.get(slug="cali")
    with pytest.raises(FigureExists):
        city_figures.record_figure(city=cali, year=2022, measure="homicide_rate",
                                   value=Decimal(1), source="again")
    assert [str(v.value) for v in city_figures.figures_of(cali)] == ["43.10"]


def test_latest_of_keeps_the_newest_value_of_each_series():
    palmira = City.objects.get(slug="palmira")
    latest = city_figures.latest_of(palmira)
    assert [(v.measure, v.year, str(v.value)) for v in latest] == [
        ("homicide_rate", 2022, "42.90")]


def test_city_series_are_not_office_indicators(client, secretariat, editor_a):
    """The register's rules cover office indicators only: a city series is never listed,
    opened or edited as an office's indicator."""
    series = CityFigureSeries.objects.filter(city__slug="palmira").first()
    assert not Indicator.objects.visible_to(secretariat).filter(pk=series.pk).exists()
    assert not Indicator.objects.editable_by(editor_a).filter(pk=series.pk).exists()
    client.force_login(editor_a)
    assert client.get(reverse("cities:office-indicator", args=[series.pk])).status_code == 404
    api = client.get("/api/office-indicators/").json()
    assert series.pk not in {row["id"] for row in api["results"]}
    assert client.get(f"/api/office-indicators/{series.pk}/").status_code == 404
    # Not even the secretariat removes a city figure through the register's value pages.
    value = series.values.first()
    client.force_login(secretariat)
    assert client.post(f"/indicator-values/{value.pk}/remove/").status_code == 404
    assert IndicatorValue.objects.filter(pk=value.pk).exists()


def test_the_office_editor_cannot_enter_city_figures(client, editor_a):
    client.force_login(editor_a)
    before = city_figures.figures().count()
    response = client.post(reverse("cities:indicator-add"), {
        "city": "palmira", "year": 2023, "kind": "homicide_rate", "value": "30",
        "qualifier": "exact", "source": "x"})
    assert response.status_code == 403
    assert city_figures.figures().count() == before


def _admin_post(client, series, *rows, **fields):
    data = {"city": fields.get("city", series.city_id if series else ""),
            "measure": fields.get("measure", series.measure if series else ""),
            "name": fields.get("name", series.name if series else ""),
            "area": fields.get("area", series.area if series else ""),
            "values-TOTAL_FORMS": str(len(rows)), "values-INITIAL_FORMS": "0",
            "values-MIN_NUM_FORMS": "0", "values-MAX_NUM_FORMS": "1000"}
    for n, (year, value, source) in enumerate(rows):
        data.update({f"values-{n}-year": str(year), f"values-{n}-value": value,
                     f"values-{n}-qualifier": "exact", f"values-{n}-source": source})
    url = (reverse("admin:cities_cityfigureseries_change", args=[series.pk]) if series
           else reverse("admin:cities_cityfigureseries_add"))
    return client.post(url, data)


def test_the_secretariat_adds_a_series_with_yearly_figures_in_the_admin(client, secretariat):
    client.force_login(secretariat)
    palmira = City.objects.get(slug="palmira")
    response = _admin_post(client, None, (2023, "12", "Municipal report 2023"),
                           (2024, "10.5", "Municipal report 2024"),
                           city=palmira.pk, measure="homicides", name="", area="")
    assert response.status_code == 302, response.content.decode()[:2000]
    series = CityFigureSeries.objects.get(city=palmira, measure="homicides")
    assert (series.kind, series.is_public, series.office_id) == ("outcome", True, None)
    assert [(v.on.isoformat(), str(v.value)) for v in series.values.order_by("on")] == [
        ("2023-12-31", "12.00"), ("2024-12-31", "10.50")]


def test_the_same_year_twice_in_the_admin_is_a_message_naming_the_year(client, secretariat):
    client.force_login(secretariat)
    palmira = City.objects.get(slug="palmira")
    response = _admin_post(client, None, (2023, "12", "a"), (2023, "13", "b"),
                           city=palmira.pk, measure="homicides", name="", area="")
    assert response.status_code == 200
    assert "already has a figure for that year" in response.content.decode()
    assert not CityFigureSeries.objects.filter(city=palmira, measure="homicides").exists()


def test_other_needs_a_label_and_values_are_never_negative_in_the_admin(client, secretariat):
    client.force_login(secretariat)
    palmira = City.objects.get(slug="palmira")
    before = IndicatorValue.objects.count()
    unnamed = _admin_post(client, None, (2023, "5", "a"), city=palmira.pk,
                          measure="other", name="", area="")
    assert unnamed.status_code == 200 and unnamed.context["errors"]
    negative = _admin_post(client, None, (2023, "-1", "a"), city=palmira.pk,
                           measure="other", name="Robberies", area="")
    assert negative.status_code == 200
    assert "greater than or equal to 0" in negative.content.decode()
    assert IndicatorValue.objects.count() == before


def test_another_networks_city_series_is_not_in_the_secretariats_admin(client, secretariat):
    from cities.models import Network, NetworkMembership

    other = Network.objects.create(slug="elsewhere", name="Elsewhere")
    city = City.objects.create(slug="faraway", name="Faraway", country="FR", region="europe")
    NetworkMembership.objects.create(network=other, city=city)
    series = city_figures.record_figure(city=city, year=2020, measure="homicides", value=3,
                                        source="x").indicator
    client.force_login(secretariat)
    url = reverse("admin:cities_cityfigureseries_change", args=[series.pk])
    assert client.get(url).status_code in (302, 404)
    assert series.pk not in [o.pk for o in client.get(
        reverse("admin:cities_cityfigureseries_changelist")).context["cl"].result_list]


def test_the_register_shows_the_city_series_and_flags_an_overdue_year(client):
    page = client.get(reverse("cities:office-indicators",
                              args=["palmira-security-coexistence"]))
    figures = page.context["city_figures"]
    assert [(f.measure, f.year) for f in figures] == [("homicide_rate", 2022)]
    # Yearly: after the 2022 figure, the 2023 one was due on 31 December 2023.
    assert figures[0].stale and figures[0].due.isoformat() == "2023-12-31"
    assert "The 2023 figure is due" in page.content.decode()


def test_the_secretariat_adds_a_figure_on_the_page_and_a_repeat_names_the_year(client,
                                                                             secretariat):
    client.force_login(secretariat)
    form = {"city": "palmira", "year": "2023", "kind": "homicide_rate", "label": "",
            "value": "38.4", "qualifier": "about", "area": "", "source": "Municipal report"}
    response = client.post(reverse("cities:indicator-add"), form)
    assert response.status_code == 302
    assert response["Location"] == reverse("cities:outcome-city", args=["palmira"])
    added = city_figures.figures_of(City.objects.get(slug="palmira")).get(year=2023)
    assert (str(added.value), added.qualifier, added.source) == (
        "38.40", "about", "Municipal report")
    # Into the same series as the seeded 2011 and 2022 rates: the goal line reads all three.
    assert added.indicator.values.count() == 3
    again = client.post(reverse("cities:indicator-add"), {**form, "value": "1"})
    assert again.status_code == 422
    assert again.context["form"].errors["year"]
    added.refresh_from_db()
    assert str(added.value) == "38.40"


@pytest.mark.parametrize(("path", "queries"), [
    ("/outcomes/", 4),
    ("/outcomes/rosario/", 3),
    ("/cities/rosario/", 5),
    ("/offices/palmira-security-coexistence/indicators/", 3),
])
def test_outcome_pages_query_count_is_fixed(client, path, queries, django_assert_num_queries):
    """Anonymous readers; the same count with twenty more series and forty more figures."""
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
    rosario, palmira = City.objects.get(slug="rosario"), City.objects.get(slug="palmira")
    for year in range(2010, 2020):
        for city in (rosario, palmira):
            city_figures.record_figure(city=city, year=year, measure="homicides", value=year,
                                       source="test", area="metro")
            city_figures.record_figure(city=city, year=year, measure="other", label=f"L{year}",
                                       value=1, source="test")
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200
