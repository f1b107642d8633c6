"""Tabular exports: the documented tidy and wide formats, and CSV / XLSX / JSON renderers.

Rows are generated from one streamed query (`.iterator()`), so memory stays flat however
many rows there are: CSV and JSON are streamed to the client, XLSX is written row by row
(reports.xlsx) into a temporary file that is then streamed.

Spreadsheets run formulas: a cell a user wrote that starts with = + - @ (or a tab or carriage
return, which some spreadsheets strip before reading the rest) is prefixed with an apostrophe
in CSV and XLSX, so it is shown as text and never evaluated. JSON is data, left as written.
"""

from __future__ import annotations

import csv
import itertools
import json
import re
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import slugify

from cities.exchange import RateBook
from cities.models import NetworkMembership
from criteria.models import Criterion, CriterionResponse, level_source_of

from .comparison import budget_band
from .statistic import MIN_N
from .xlsx import write_workbook

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot carry: control characters but tab, line feed and carriage return,
#: and the non-characters U+FFFE and U+FFFF. None of them is printable (see guard_cell).
ILLEGAL_CHARACTERS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CHUNK = 2000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def guard_cell(value):
    """A value safe to put in a spreadsheet cell (text that could start a formula is quoted)."""
    if isinstance(value, str):
        if not value.isprintable():  # true of most text, and never of a control character
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
    return value


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return guard_cell(value)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


@dataclass(frozen=True)
class Column:
    name: str
    description: str


# --- the tidy format --------------------------------------------------------------------------

#: One row per office (or city ecosystem) × round × criterion. docs/research.md lists these.
TIDY_COLUMNS = [
    Column("assessment_id", "Assessment id (also in the API: /api/assessments/<id>/)"),
    Column("round", "Round code (safe in URLs and file names), e.g. 2023"),
    Column("round_name", "Round name as the network secretariat wrote it"),
    Column("status", "draft, submitted, changes_requested or published"),
    Column("level_source", "Where the levels come from: self_assessed (the office's own, not "
                           "yet published), published (reviewed and published by the network "
                           "secretariat) or reading (OVP Assess's reading of a published report, "
                           "not given by the office)"),
    Column("scope", "office, or city_ecosystem when a city's ecosystem is assessed"),
    Column("is_synthetic", "true for generated test data (only exported when asked)"),
    Column("framework_version", "Version of the framework the levels are against"),
    Column("subject", "What is assessed: the office, or the ecosystem's label"),
    Column("office_slug", "Office identifier (empty for an ecosystem)"),
    Column("office_name", "Office name (empty for an ecosystem)"),
    Column("city_slug", "City identifier"),
    Column("city_name", "City name"),
    Column("country", "ISO 3166-1 alpha-2 country code"),
    Column("region", "Region key"),
    Column("is_us", "true when the city is in the United States"),
    Column("networks", "Slugs of the networks the city belongs to, separated by ';'"),
    Column("institutional_location", "Where the office sits, as of the assessment"),
    Column("police_control", "Which level of government the police answer to"),
    Column("budget_amount", "Annual budget as reported, in budget_currency"),
    Column("budget_currency", "ISO 4217 code"),
    Column("budget_year", "Fiscal year of the budget"),
    Column("budget_band", "under_1m, 1m_5m, 5m_20m, 20m_plus or not_reported (US$ at the "
                          "dated rate in usd_rate_date)"),
    Column("budget_usd", "Estimate: budget_amount in US dollars at the secretariat's dated "
                         "exchange rate (empty without a rate)"),
    Column("usd_rate_date", "Date of the exchange rate budget_usd uses (/api/exchange-rates/)"),
    Column("municipal_budget_amount", "The city's whole budget, same year and currency"),
    Column("police_budget_amount", "The budget of a city-controlled police, same year and "
                                   "currency"),
    Column("staff_cost_amount", "The office's staffing costs, same year and currency"),
    Column("data_evaluation_amount", "Spending on data and evaluation, same year and currency"),
    Column("staff_fte", "Full-time staff"),
    Column("staffing_model", "in_house, outsourced, mixed or unknown"),
    Column("staff_expertise", "specialists, generalists, both or unknown"),
    Column("prevention_primary", "Works at the primary prevention level (true/false/empty)"),
    Column("prevention_secondary", "Works at the secondary level (true/false/empty)"),
    Column("prevention_tertiary", "Works at the tertiary level (true/false/empty)"),
    Column("criterion_number", "1–9"),
    Column("criterion_slug", "Criterion identifier"),
    Column("criterion_name", "Criterion name"),
    Column("level", "0–4, empty when not given or not applicable"),
    Column("not_applicable", "true when the office says the criterion does not apply"),
    Column("confidence", "low, medium, high or empty"),
    Column("current_strengths", "What the office does well (free text)"),
    Column("opportunities", "Opportunities to enhance effectiveness (free text)"),
]

_TIDY_QUERY = [
    "assessment_id", "assessment__round__code", "assessment__round__name",
    "assessment__status", "assessment__level_note", "assessment__scope",
    "assessment__is_synthetic", "assessment__framework__version", "assessment__subject_label",
    "assessment__office__slug", "assessment__office__name", "assessment__city_id",
    "assessment__city__slug", "assessment__city__name", "assessment__city__country",
    "assessment__city__region", "assessment__profile__institutional_location",
    "assessment__office__institutional_location", "assessment__profile__police_control",
    "assessment__profile__budget_amount", "assessment__profile__budget_currency",
    "assessment__profile__budget_year", "assessment__profile__municipal_budget_amount",
    "assessment__profile__police_budget_amount", "assessment__profile__staff_cost_amount",
    "assessment__profile__data_evaluation_amount", "assessment__profile__staff_fte",
    "assessment__profile__staffing_model", "assessment__profile__staff_expertise",
    "assessment__profile__prevention_primary", "assessment__profile__prevention_secondary",
    "assessment__profile__prevention_tertiary", "criterion__number", "criterion__slug",
    "criterion__name", "level", "not_applicable", "confidence", "current_strengths",
    "opportunities",
]


def networks_by_city():
    """city id → "slug;slug". One query; bounded by the number of cities, not of rows."""
    networks = {}
    for city_id, slug in NetworkMembership.objects.order_by("network__slug").values_list(
        "city_id", "network__slug"
    ):
        networks.setdefault(city_id, []).append(slug)
    return {k: ";".join(v) for k, v in networks.items()}


def tidy_queryset(assessments):
    """The raw tidy rows of `assessments` as a values_list queryset (not yet run)."""
    return (
        CriterionResponse.objects.filter(assessment__in=assessments.values("pk"))
        .order_by("assessment__city__name", "assessment__office__name",
                  "assessment__round__opens_on",
                  "assessment_id", "criterion__number")
        .values_list(*_TIDY_QUERY)
    )


def tidy_rows(assessments):
    """Tidy rows (tuples in TIDY_COLUMNS order) of `assessments`. Three queries (the
    exchange rates, the networks, the rows), streamed."""
    rates = RateBook.load()
    networks = networks_by_city()
    yield from tidy_convert(tidy_queryset(assessments).iterator(chunk_size=CHUNK), networks,
                            rates=rates)


def tidy_convert(rows, networks, *, rates):
    """Raw rows of `tidy_queryset` → tuples in TIDY_COLUMNS order."""
    for (aid, round_, round_name, status, level_note, scope, synthetic, version, label,
         office_slug,
         office_name,
         city_id, city_slug, city_name, country, region, location, office_location, police,
         amount, currency, budget_year, municipal, police_budget, staff_cost, data_eval, fte,
         staffing, expertise, primary, secondary,
         tertiary, number, c_slug, c_name, level, na, confidence, strengths,
         opportunities) in rows:
        if location in (None, "unknown") and office_location:
            location = office_location
        converted = rates.to_usd(amount, currency, budget_year)
        usd, rate_date = None, None
        if converted:
            usd, rate_date = round(converted[0], 2), converted[1].valid_on.isoformat()
        yield (
            aid, round_, round_name, status,
            level_source_of(status=status, level_note=level_note), scope, synthetic, version,
            label or office_name or city_name, office_slug or "", office_name or "",
            city_slug, city_name, str(country), region, str(country) == "US",
            networks.get(city_id, ""), location or "unknown", police or "unknown",
            amount, currency or "", budget_year,
            budget_band(amount, currency, budget_year, rates=rates), usd, rate_date,
            municipal, police_budget, staff_cost, data_eval, fte,
            staffing or "unknown", expertise or "unknown", primary, secondary, tertiary,
            number, c_slug, c_name, level, na, confidence, strengths, opportunities,
        )


# --- the wide format --------------------------------------------------------------------------

_WIDE_FACTS = 35  # the tidy columns up to (not including) criterion_number


def wide_columns(assessments) -> list[Column]:
    framework_ids = assessments.values("framework_id")
    numbers = list(
        Criterion.objects.filter(framework_id__in=framework_ids).order_by("number")
        .values_list("number", flat=True).distinct()
    )
    return TIDY_COLUMNS[:_WIDE_FACTS] + [
        Column(f"c{n}_level", f"Level on criterion {n} (0–4)") for n in numbers
    ]


def wide_rows(assessments, columns):
    """One row per assessment: its facts, then one level column per criterion.

    Built from the tidy stream (ordered by assessment), one assessment at a time.
    """
    numbers = [int(c.name[1:-6]) for c in columns[_WIDE_FACTS:]]
    for _aid, group in itertools.groupby(tidy_rows(assessments), key=lambda row: row[0]):
        group = list(group)
        levels = {row[_WIDE_FACTS]: row[_WIDE_FACTS + 3] for row in group}
        yield group[0][:_WIDE_FACTS] + tuple(levels.get(n) for n in numbers)


# --- the trend across rounds -------------------------------------------------------------------

#: One row per round × criterion: the trend's table, chart and API answer, figure for figure.
TREND_COLUMNS = [
    Column("trend", "panel (the same offices in every round) or all (every assessment of "
                    "each round: unbalanced)"),
    Column("round", "Round code"),
    Column("round_name", "Round name as the network secretariat wrote it"),
    Column("criterion_number", "1–9"),
    Column("criterion_slug", "Criterion identifier"),
    Column("criterion_name", "Criterion name"),
    Column("n", "Levels the figures are taken over (in a panel, the same offices each round)"),
    Column("min_n", f"Fewest levels a median is given over ({MIN_N}); below it the figures "
                    "are empty"),
    Column("median", "Median level (0–4), empty when n is below min_n"),
    Column("q1", "First quartile (linear interpolation, type 7), empty when n < min_n"),
    Column("q3", "Third quartile (linear interpolation, type 7), empty when n < min_n"),
]


def trend_rows(trend):
    """Tuples in TREND_COLUMNS order from a `comparison.Trend` (criterion, then round)."""
    for criterion in trend.criteria:
        for cell in criterion.cells:
            s = cell.summary
            yield (trend.view, cell.round, trend.round_names.get(cell.round, cell.round),
                   criterion.number, criterion.slug, criterion.name, s.n, MIN_N, s.median,
                   s.q1, s.q3)


def row_dicts(columns, rows):
    """Rows as dicts keyed by column name, with JSON's values (the JSON export and the API)."""
    names = [c.name for c in columns]
    for row in rows:
        yield {name: _json_value(v) for name, v in zip(names, row, strict=True)}


# --- renderers --------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def _csv_lines(columns, rows):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield writer.writerow([c.name for c in columns])
    for row in rows:
        yield writer.writerow([_csv_value(v) for v in row])


def _json_chunks(columns, rows, about=None):
    """A JSON array of row objects; with `about`, an object whose "about" block (filter,
    dataset versions, citations) and "columns" (the data dictionary) come before "rows"."""
    if about is not None:
        yield "{\"about\": " + json.dumps(about, ensure_ascii=False, default=str)
        yield ",\n\"columns\": " + json.dumps(
            [{"name": c.name, "description": c.description} for c in columns],
            ensure_ascii=False)
        yield ",\n\"rows\": "
    yield "["
    for i, item in enumerate(row_dicts(columns, rows)):
        yield ("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False, default=str)
    yield "\n]" + ("}" if about is not None else "") + "\n"


def about_lines(about):
    """(key, value) lines of an export's "about" block, for a sheet or a text sidecar."""
    lines = [(key, about[key]) for key in ("title", "query", "url", "generated_at", "language")
             if key in about]
    for dataset in about.get("datasets", []):
        for key in ("network", "title", "version", "as_of", "licence", "licence_url",
                    "citation", "url"):
            lines.append((f"dataset {dataset['network']}: {key}", dataset.get(key, "")))
    return lines


def write_xlsx(columns, rows, handle, *, sheet_title="data", about=None):
    """The rows as an XLSX workbook in the binary file `handle`: a sheet of the data (column
    names first), a "columns" sheet (the data dictionary) and, with `about`, an "about" sheet.
    Text goes through guard_cell."""
    sheets = [
        (sheet_title, itertools.chain([[c.name for c in columns]], rows)),
        ("columns", [["column", "meaning"], *([c.name, c.description] for c in columns)]),
    ]
    if about is not None:
        sheets.append(("about", [["field", "value"],
                                 *([key, str(value)] for key, value in about_lines(about))]))
    write_workbook(handle, sheets, text=guard_cell)


def export_response(fmt, columns, rows, *, stem, about=None):
    """A streaming download of `rows` in `fmt` ("csv", "xlsx" or "json").

    `about` (reports.open_data.export_about) travels with the data: an "about" sheet in XLSX,
    a header block in JSON, and for CSV (which has no place for it) response headers naming
    the dataset versions and where the citation is.
    """
    filename = f"{slugify(stem) or 'export'}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_lines(columns, rows), content_type=FORMATS[fmt])
    elif fmt == "json":
        response = StreamingHttpResponse(_json_chunks(columns, rows, about),
                                         content_type=FORMATS[fmt])
    elif fmt == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_xlsx(columns, rows, handle, sheet_title=stem, about=about)
        handle.seek(0)
        response = FileResponse(handle, content_type=FORMATS[fmt])
    else:
        raise ValueError(fmt)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if about is not None:
        response["X-Dataset-Version"] = ", ".join(
            f"{d['network']}={d['version']}" for d in about.get("datasets", []))
        if about.get("open_data_url"):
            response["Link"] = f'<{about["open_data_url"]}>; rel="describedby"'
    return response
