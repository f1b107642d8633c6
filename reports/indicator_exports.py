"""An office's indicator register as CSV, XLSX or JSON: one row per value (an indicator
without values gets one row with empty value columns), columns declared once.

Whoever reads the register downloads what they may see: members and the network secretariat
every indicator, everyone else only the public ones (`Indicator.objects.visible_to`).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from cities import audit
from cities.access import office_access
from cities.models import AuditEvent, Indicator, Office

from . import tabular
from .tabular import Column

INDICATOR_COLUMNS = [
    Column("indicator_id", "Indicator id"),
    Column("office_slug", "Office identifier"),
    Column("indicator", "Indicator name (as the office wrote it)"),
    Column("kind", "outcome, process, coordination, perception, gender_based_violence or other"),
    Column("unit", "What one number counts"),
    Column("baseline_value", "Baseline value"),
    Column("baseline_year", "Year of the baseline"),
    Column("target_value", "Target value"),
    Column("target_year", "Year the target is for"),
    Column("cadence", "monthly, quarterly, half_yearly, yearly or two_yearly"),
    Column("source", "Where the figures come from (free text)"),
    Column("public", "true when the office publishes it"),
    Column("date", "The day the value is for (YYYY-MM-DD); empty when there is no value yet"),
    Column("value", "The value, in the indicator's unit"),
    Column("note", "Note on the value (free text)"),
]


def indicator_rows(indicators):
    query = indicators.select_related("office").prefetch_related("values").order_by(
        "kind", "name")
    for i in query:
        head = [i.pk, i.office.slug, i.name, i.kind, i.unit, i.baseline_value,
                i.baseline_year, i.target_value, i.target_year, i.cadence, i.source,
                i.is_public]
        values = list(i.values.all())
        if not values:
            yield [*head, None, None, ""]
        for v in values:
            yield [*head, v.on.isoformat(), v.value, v.note]


def indicator_export(request, slug, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    office = get_object_or_404(Office, slug=slug)
    access = office_access(request.user, office)
    if access.sees_all_indicators:
        request.ovp_private = True
        audit.record(AuditEvent.Action.EXPORT, target=office, detail=f"indicators {fmt}")
    rows = indicator_rows(Indicator.objects.visible_to(request.user).filter(office=office))
    return tabular.export_response(fmt, INDICATOR_COLUMNS, rows,
                                   stem=f"indicators-{office.slug}")
