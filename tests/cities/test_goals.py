"""The network goal as data and the one rule for its line: from the baseline year's figure,
else the first later one (labelled), never an earlier one; qualifiers and the reader's number
format survive into text and charts."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from cities import city_figures
from cities.figures import Figure, format_figure
from cities.goals import Goal, GoalBook, GoalStatus, goal_for_city, goal_line
from cities.models import City, Network, NetworkMembership
from reports.charts import nice_ticks
from reports.selectors import outcome_trend

pytestmark = pytest.mark.django_db

PIOC = Goal("PiOC", 50, 2019, 2030)


def _trend(slug):
    city = City.objects.get(slug=slug)
    return outcome_trend(list(city_figures.figures_of(city)), goal_for_city(city.pk))


def test_pioc_records_its_goal_as_data_with_source():
    pioc = Network.objects.get(slug="pioc")
    assert (pioc.goal_reduction_percent, pioc.goal_baseline_year, pioc.goal_target_year) == (
        50, 2019, 2030)
    assert "PiOC Two-Year Review" in pioc.goal_source
    assert "urban violence" in pioc.goal_measure
    assert list(Network.objects.with_goal()) == [pioc]


def test_goal_numbers_come_together_and_in_order():
    network = Network(slug="n", name="N", goal_reduction_percent=50)
    with pytest.raises(ValidationError) as error:
        network.full_clean()
    assert {"goal_baseline_year", "goal_target_year"} <= set(error.value.message_dict)
    network.goal_baseline_year, network.goal_target_year = 2020, 2020
    with pytest.raises(ValidationError) as error:
        network.full_clean()
    assert "goal_target_year" in error.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        Network.objects.create(slug="m", name="M", goal_reduction_percent=50)


def test_palmira_line_starts_in_2022_not_from_2011():
    trend = _trend("palmira")
    assert [p.year for p in trend.points] == [2011, 2022]
    assert trend.start.year == 2022 and trend.start.value == Decimal("42.9")
    assert not trend.line.starts_at_baseline and trend.line.earlier_figures == 1
    assert trend.target.value == Decimal("21.45")  # half of 42.9, not of 2011's 98.1
    # 2022 is the line's start, so nothing yet says whether Palmira is on track.
    assert trend.status == GoalStatus.NO_LATER_FIGURE
    assert "line drawn from 2022, the first figure after 2019" in trend.chart.description
    plotly_goal = trend.chart.plotly["data"][1]
    assert plotly_goal["x"] == [2022, 2030] and plotly_goal["y"] == [42.9, 21.45]


def test_medellin_goal_is_not_computed_from_1991():
    trend = _trend("medellin")
    assert trend.start == Figure(2022, Decimal("15"), "under", trend.start.source)
    assert trend.target.value == Decimal("7.5") and trend.target.qualifier == "under"
    assert trend.chart.plotly["data"][1]["y"] == [15.0, 7.5]  # not 400 → 200 from 1991
    assert "goal: about 200" not in trend.chart.svg
    assert "under 15" in trend.chart.svg and "about 400" in trend.chart.svg
    assert "goal: under 7.5" in trend.chart.svg
    assert "15.0" not in trend.chart.svg and "400.0" not in trend.chart.svg
    assert trend.chart.plotly["data"][0]["text"] == ["about 400", "under 15"]
    # Medellín is not a recorded PiOC member: the goal is a yardstick, and says so.
    assert trend.goal.is_member is False


def test_exact_baseline_year_figure_starts_the_line_and_sets_the_status():
    city = City.objects.create(slug="goalville", name="Goalville", country="CO",
                               region="latin_america_caribbean")
    NetworkMembership.objects.create(network=Network.objects.get(slug="pioc"), city=city)
    for year, value in [(2015, "40"), (2019, "20"), (2021, "17")]:
        city_figures.record_figure(city=city, year=year, measure="homicide_rate",
                                   value=Decimal(value), source="test")
    trend = outcome_trend(list(city_figures.figures_of(city)), goal_for_city(city.pk))
    assert trend.line.starts_at_baseline and trend.start.value == 20
    assert trend.target.value == 10
    # 2021 on the line: 20 × (1 − 0.5 × 2/11) = 18.18…; 17 is below it.
    assert trend.status == GoalStatus.ON_TRACK
    assert trend.line_at_latest.value == Decimal("18.18")
    assert 'stroke-dasharray="6 4"' in trend.chart.svg


@pytest.mark.parametrize("latest,qualifier,status", [
    ("9", "exact", GoalStatus.MET),
    ("15", "exact", GoalStatus.ON_TRACK),
    ("19", "exact", GoalStatus.BEHIND),
    ("18", "under", GoalStatus.UNCLEAR),   # under 18: maybe below 15.45, maybe not
    ("15", "under", GoalStatus.ON_TRACK),  # under 15 is surely below 15.45
    ("16", "over", GoalStatus.BEHIND),
])
def test_status_reads_the_latest_figure_against_the_same_line(latest, qualifier, status):
    figures = [Figure(2019, Decimal(20)), Figure(2024, Decimal(latest), qualifier)]
    line = goal_line(PIOC, figures)
    assert line.value_at(2024).quantize(Decimal("0.01")) == Decimal("15.45")
    assert line.status(figures) == status


def test_only_earlier_figures_draw_no_line():
    figures = [Figure(2011, Decimal("98.1")), Figure(2015, Decimal(60))]
    line = goal_line(PIOC, figures)
    assert line.start is None and line.target is None and line.earlier_figures == 2
    assert line.status(figures) == GoalStatus.NO_START


def test_no_seeded_city_line_starts_before_the_baseline_year():
    book = GoalBook()
    cities = City.objects.filter(indicators__office__isnull=True).distinct()
    checked = 0
    for city in cities:
        trend = outcome_trend(list(city_figures.figures_of(city)), book.for_city(city.pk))
        if trend is None:
            continue
        checked += 1
        assert trend.goal is not None
        if trend.start is not None:
            assert trend.start.year >= trend.goal.baseline_year, city.slug
            assert trend.chart.plotly["data"][1]["x"][0] >= trend.goal.baseline_year
    assert checked >= 4  # Palmira, Cali, Rosario, Medellín


def test_round_ticks():
    assert nice_ticks(98.1 * 1.08) == [0, 25, 50, 75, 100, 125]
    assert nice_ticks(400 * 1.08) == [0, 100, 200, 300, 400, 500]
    assert nice_ticks(46.5) == [0, 10, 20, 30, 40, 50]
    svg = _trend("palmira").chart.svg
    for tick in ["0", "25", "50", "75", "100", "125"]:
        assert f">{tick}</text>" in svg
    assert _trend("palmira").chart.plotly["layout"]["yaxis"]["tickvals"] == [0, 25, 50, 75,
                                                                           100, 125]


@pytest.mark.parametrize("lang,decimal,separators,under", [
    ("es", "43,1", ",\xa0", "menos de 7,5"),
    ("pt-br", "43,1", ",.", "menos de 7,5"),
    ("en", "43.1", ".,", "under 7.5"),
])
def test_numbers_in_the_readers_language_in_svg_and_plotly(lang, decimal, separators, under):
    with translation.override(lang):
        cali = _trend("cali")
        medellin = _trend("medellin")
        assert format_figure(Decimal("43.10")) == decimal
    assert f">{decimal}</text>" in cali.chart.svg
    assert cali.chart.plotly["layout"]["separators"] == separators
    assert cali.chart.plotly["data"][0]["text"] == [decimal]
    assert under in medellin.chart.svg


def test_outcome_page_shows_qualifiers_and_the_labelled_start(client):
    page = client.get("/outcomes/medellin/").content.decode()
    assert "under 15" in page and "about 400" in page
    assert "There is no figure for 2019" in page and "drawn from 2022" in page
    assert "not a recorded member of PiOC" in page
    figure = json.loads(page.split('id="chart-trend" type="application/json">')[1]
                        .split("</script>")[0])
    assert figure["data"][1]["x"][0] == 2022
    es = client.get("/outcomes/medellin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "menos de 15" in es and "menos de 7,5" in es


def test_network_api_exposes_the_goal(client):
    pioc = Network.objects.get(slug="pioc")
    data = client.get(f"/api/networks/{pioc.pk}/").json()
    assert (data["goal_reduction_percent"], data["goal_baseline_year"],
            data["goal_target_year"]) == (50, 2019, 2030)
