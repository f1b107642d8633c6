"""A city's outcome figures: the city series of the indicator model (docs/indicators.md).

A figure is one yearly value (stored under 31 December of its year) of one of the city's
outcome series: a homicide count, a homicide or violent-death rate, or another measure named
by its label, for an area. It keeps the qualifier and the source the value came with. The
network secretariat enters figures one by one or imports them; every page, export, API and
brief reads them through `figures()`, one value per row, as `IndicatorValue`s whose
`year`, `measure`, `label`, `area` and `city` come from their series.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models.functions import ExtractYear

from .models import Indicator, IndicatorValue, year_end

Measure = Indicator.Measure

#: The measures a trend charts, in order of preference: the first the city has.
TREND_MEASURES = [Measure.HOMICIDE_RATE, Measure.VIOLENT_DEATH_RATE, Measure.HOMICIDES]


class FigureExists(Exception):
    """The series already has a value for that year (figures are never overwritten)."""


def figures():
    """Every city figure, with its series and city (one query), and its `year`."""
    return IndicatorValue.objects.city_figures().annotate(year=ExtractYear("on"))


def ordered(queryset):
    """City, measure, label, area, then year: the order of tables and exports."""
    return queryset.order_by("indicator__city__name", "indicator__measure", "indicator__name",
                             "indicator__area", "on", "pk")


def figures_of(city, *, measures=None):
    """The figures of `city` (or the city with that pk), by measure, label and year."""
    city_id = getattr(city, "pk", city)
    rows = figures().filter(indicator__city_id=city_id)
    if measures is not None:
        rows = rows.filter(indicator__measure__in=list(measures))
    return rows.order_by("indicator__measure", "indicator__name", "indicator__area", "on")


def latest_of(city):
    """The newest figure of each of `city`'s series."""
    latest = {}
    for figure in figures_of(city):
        latest[figure.indicator_id] = figure  # in date order: the last one stays
    return list(latest.values())


def series_for(*, city, measure, label="", area=""):
    """The city's series for (measure, label, area), created on first use."""
    series, _created = Indicator.objects.get_or_create(
        city=city, office=None, measure=measure, name=label, area=area,
        defaults={"kind": Indicator.Kind.OUTCOME, "cadence": Indicator.Cadence.YEARLY,
                  "is_public": True},
    )
    return series


@transaction.atomic
def record_figure(*, city, year, measure, value, source, label="", area="",
                  qualifier="exact", by=None):
    """Add one figure. `FigureExists` when its series already has that year."""
    series = series_for(city=city, measure=measure, label=label, area=area)
    try:
        with transaction.atomic():
            return IndicatorValue.objects.create(
                indicator=series, on=year_end(year), value=value, qualifier=qualifier,
                source=source, created_by=by)
    except IntegrityError as clash:
        raise FigureExists(year) from clash


@transaction.atomic
def record_figures(rows, *, by=None):
    """Add every figure of `rows` (dicts of `record_figure`'s arguments) or none."""
    for row in rows:
        record_figure(by=by, **row)
    return len(rows)
