"""An office's indicators as the brief and the transition memo show them: each with its
latest value and whether it is overdue, in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, IntegerField, Max, OuterRef, Subquery, Value, When

from cities.models import Indicator, IndicatorValue

#: Outcomes first (what an incoming administration and the public ask first), then the rest.
KIND_ORDER = Case(*[When(kind=k, then=Value(n)) for n, k in enumerate(Indicator.Kind.values)],
                  output_field=IntegerField())


@dataclass(frozen=True)
class IndicatorSummary:
    name: str
    kind: str
    kind_label: str
    unit: str
    last_on: date | None
    last_value: Decimal | None
    baseline_value: Decimal | None
    baseline_year: int | None
    target_value: Decimal | None
    target_year: int | None
    stale: bool
    is_public: bool


def indicator_summaries(indicators, *, today, limit=None) -> list[IndicatorSummary]:
    """`indicators` (a queryset already scoped to what the reader may see) with their latest
    values: one query, whatever the number of values."""
    latest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-on")
    rows = (indicators.annotate(last_on=Max("values__on"),
                                last_value=Subquery(latest.values("value")[:1]),
                                kind_order=KIND_ORDER)
            .order_by("kind_order", "name"))
    if limit:
        rows = rows[:limit]
    return [
        IndicatorSummary(
            name=i.name, kind=i.kind, kind_label=str(i.get_kind_display()), unit=i.unit,
            last_on=i.last_on, last_value=i.last_value, baseline_value=i.baseline_value,
            baseline_year=i.baseline_year, target_value=i.target_value,
            target_year=i.target_year, stale=i.is_stale(i.last_on, today),
            is_public=i.is_public)
        for i in rows
    ]
