"""The indicator register: writes (keyword-only, atomic) and the all-or-nothing CSV import.

An indicator is the office's; its editors and leads add and change it, add its values and
import them from a CSV. A save carries the version it was based on: a stale save raises
`IndicatorConflict` and nothing is written, so the page can show both versions. An import
checks every line first; one bad line and nothing is written (as the outcome import does).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Indicator, IndicatorValue

#: The fields an editor types on the indicator form (and the API writes).
INDICATOR_FIELDS = ["name", "kind", "unit", "description", "baseline_value", "baseline_year",
                    "target_value", "target_year", "cadence", "source", "is_public"]
IMPORT_COLUMNS = ["indicator", "date", "value", "note"]
REQUIRED_COLUMNS = ["indicator", "date", "value"]
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5_000


class IndicatorConflict(Exception):
    """Someone saved the indicator after the editor loaded it; `current` is the stored row."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"Indicator {current.pk} is at version {current.version}")


class DuplicateValue(Exception):
    """The indicator already has a value for that date (values are never overwritten)."""


@transaction.atomic
def create_indicator(*, office, content, by):
    indicator = Indicator(office=office, city_id=office.city_id, updated_by=by, **content)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def save_indicator(*, indicator, content, base_version, by):
    """Write `content` if the stored indicator is still at `base_version`."""
    current = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if current.version != base_version:
        raise IndicatorConflict(current)
    for name, value in content.items():
        setattr(current, name, value)
    current.updated_by = by
    current.version += 1  # under the row lock: no other save can interleave
    current.full_clean()
    current.save()
    return current


@transaction.atomic
def add_value(*, indicator, on, value, note="", by):
    try:
        with transaction.atomic():
            return IndicatorValue.objects.create(indicator=indicator, on=on, value=value,
                                                 note=note, created_by=by)
    except IntegrityError as clash:
        raise DuplicateValue(on) from clash


@transaction.atomic
def remove_value(*, value, by):
    value._change_reason = f"removed by {by.pk}"
    value.delete()


@dataclass
class RowError:
    line: int
    field: str
    message: str


def _parse_date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def validate_import(text, *, office, today):
    """(values to create, errors) for a CSV of values; nothing is saved here.

    Columns: indicator (its name, as in the register), date (YYYY-MM-DD), value, note
    (optional). Line numbers count the header as line 1, as a spreadsheet shows them.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    errors = [RowError(1, c, _("Column missing.")) for c in REQUIRED_COLUMNS if c not in header]
    errors += [RowError(1, h or "-", _("Unknown column.")) for h in header
               if h not in IMPORT_COLUMNS]
    if errors:
        return [], errors
    reader.fieldnames = header
    by_name = {i.name.casefold(): i for i in office.indicators.all()}
    stored = set(IndicatorValue.objects.filter(indicator__office=office)
                 .values_list("indicator_id", "on"))
    seen = {}
    ready = []
    for line, row in enumerate(reader, start=2):
        if line > MAX_IMPORT_ROWS + 1:
            errors.append(RowError(line, "-", _("Too many lines: at most %(n)s values per "
                                                "file.") % {"n": MAX_IMPORT_ROWS}))
            break
        if None in row:
            errors.append(RowError(line, "-", _("More cells than columns.")))
            continue
        data = {k: (v or "").strip() for k, v in row.items()}
        line_errors = []
        indicator = by_name.get(data["indicator"].casefold())
        if not data["indicator"]:
            line_errors.append(RowError(line, "indicator", _("This field is required.")))
        elif indicator is None:
            line_errors.append(RowError(line, "indicator", _(
                "“%(name)s” is not an indicator of this office; add it to the register "
                "first.") % {"name": data["indicator"][:80]}))
        on = _parse_date(data["date"])
        if on is None:
            line_errors.append(RowError(line, "date", _(
                "“%(value)s” is not a date; write it as YYYY-MM-DD.") % {
                    "value": data["date"][:30]}))
        elif on > today:
            line_errors.append(RowError(line, "date", _("The date is in the future.")))
        try:
            value = Decimal(data["value"].replace(",", "")) if data["value"] else None
            if value is not None and (not value.is_finite() or abs(value) >= Decimal(10) ** 12):
                raise InvalidOperation
        except InvalidOperation:
            value = None
            line_errors.append(RowError(line, "value", _("“%(value)s” is not a number.") % {
                "value": data["value"][:30]}))
        else:
            if value is None:
                line_errors.append(RowError(line, "value", _("This field is required.")))
        note = data.get("note", "")
        if len(note) > 500:
            line_errors.append(RowError(line, "note", _("At most 500 characters.")))
        if not line_errors:
            key = (indicator.pk, on)
            if key in stored:
                line_errors.append(RowError(line, "date", _(
                    "“%(name)s” already has a value for %(date)s; values are not replaced "
                    "by an import.") % {"name": indicator.name, "date": on.isoformat()}))
            elif key in seen:
                line_errors.append(RowError(line, "date", _(
                    "Same indicator and date as line %(line)s.") % {"line": seen[key]}))
            else:
                seen[key] = line
                ready.append(IndicatorValue(indicator=indicator, on=on,
                                            value=value.quantize(Decimal("0.01")), note=note))
        errors += line_errors
    return ready, errors


@transaction.atomic
def import_values(*, values, by):
    """Create every value or none (a clash with the database rolls the whole file back)."""
    for value in values:
        value.created_by = by
        value.save()
    return len(values)
