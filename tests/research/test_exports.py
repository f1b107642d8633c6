"""Exports: the tidy and wide formats cell by cell, formula guards, streaming, scoping."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from reports.tabular import TIDY_COLUMNS, guard_cell

pytestmark = pytest.mark.django_db


def _body(response):
    return b"".join(response.streaming_content)


def _tidy_expected(tiny):
    a24, a25 = tiny["assessments"]
    facts = ["published", "published", "office", "false", "2024.1", "Testville OVP",
             "testville-ovp", "Testville OVP", "testville", "Testville", "US", "north_america",
             "true", "pioc", "public_health", "unknown", "2500000.00", "USD"]
    rows = []
    for a, levels in ((a24, ("1", "2")), (a25, ("2", "4"))):
        # budget in dollars at the USD rate migration cities/0013 seeds (dated 2024-12-19);
        # then the four amounts beside the budget, not given here.
        base = [str(a.pk), a.round.code, a.round.name, *facts, a.round.code, "1m_5m",
                "2500000.00", "2024-12-19", "", "", "", "", "12.5",
                "in_house", "unknown",
                "true", "false", ""]
        rows.append(base + ["1", "clear-public-mandate", "Clear, public mandate", levels[0],
                            "false", "high", "'=HYPERLINK(\"http://evil\")", "'-2+3"])
        rows.append(base + ["2", "consultations-community-partnerships",
                            "Consultations and community partnerships", levels[1], "false",
                            "high", "Plain", "'@SUM(A1)"])
    return rows


def test_tidy_csv_cell_by_cell(client, researcher, tiny):
    client.force_login(researcher)
    response = client.get("/compare/export.csv?office=testville-ovp")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ovp-comparison-tidy.csv"'
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows[0] == [c.name for c in TIDY_COLUMNS]
    expected = _tidy_expected(tiny)
    assert len(rows) - 1 == len(expected)
    for got, want in zip(rows[1:], expected, strict=True):
        for name, g, w in zip(rows[0], got, want, strict=True):
            assert g == w, name


def test_tidy_xlsx_cell_by_cell(client, researcher, tiny):
    client.force_login(researcher)
    response = client.get("/compare/export.xlsx?office=testville-ovp")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(_body(response)), read_only=True)
    rows = [list(r) for r in book["ovp-comparison-tidy"].iter_rows(values_only=True)]
    assert rows[0] == [c.name for c in TIDY_COLUMNS]
    a24 = tiny["assessments"][0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["assessment_id"] == a24.pk and first["level"] == 1
    assert first["is_us"] is True and first["budget_band"] == "1m_5m"
    assert float(first["budget_amount"]) == 2500000
    # Formula-looking text is quoted, so the spreadsheet shows it and never runs it.
    assert first["current_strengths"] == "'=HYPERLINK(\"http://evil\")"
    assert first["opportunities"] == "'-2+3"
    assert all(not (isinstance(v, str) and v[:1] in "=+-@") for r in rows for v in r)
    assert [r[0] for r in book["columns"].iter_rows(values_only=True)][1:] == [
        c.name for c in TIDY_COLUMNS]
    assert len(rows) == 5


def test_wide_csv_cell_by_cell(client, researcher, tiny):
    client.force_login(researcher)
    response = client.get("/compare/export.csv?office=testville-ovp&shape=wide")
    rows = list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    assert rows[0][-9:] == [f"c{n}_level" for n in range(1, 10)]
    assert rows[1][0] == str(tiny["assessments"][0].pk)
    assert rows[1][-9:] == ["1", "2"] + [""] * 7
    assert rows[2][-9:] == ["2", "4"] + [""] * 7
    assert len(rows) == 3


def test_json_keeps_text_as_written(client, researcher, tiny):
    client.force_login(researcher)
    document = json.loads(_body(client.get("/compare/export.json?office=testville-ovp")))
    assert document["about"]["query"] == "office=testville-ovp"
    data = document["rows"]
    assert len(data) == 4
    assert data[0]["current_strengths"] == "=HYPERLINK(\"http://evil\")"
    assert data[0]["level"] == 1 and data[0]["budget_amount"] == 2500000.0


def test_api_rows_match_the_csv(api_client_for, tiny):
    client = api_client_for("researcher")
    rows = client.get("/api/comparison/?office=testville-ovp").json()["results"]
    assert [(r["assessment_id"], r["criterion_number"], r["level"]) for r in rows] == [
        (a.pk, n, lvl) for a, levels in zip(tiny["assessments"], ((1, 2), (2, 4)), strict=True)
        for n, lvl in zip((1, 2), levels, strict=True)]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_guard_cell_quotes_formula_starts(value):
    assert guard_cell(value) == "'" + value


def test_exports_leave_out_what_the_reader_may_not_see(client, editor_b, palmira_draft):
    client.force_login(editor_b)
    text = _body(client.get("/compare/export.csv")).decode("utf-8-sig")
    assert "palmira" not in text.lower()


def test_synthetic_only_when_asked(client, researcher, tiny):
    from django.core.management import call_command

    call_command("generate_synthetic", offices=3, rounds=1, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    default = _body(client.get("/compare/export.csv")).decode()
    assert "Synthetic Office" not in default and "Testville" in default
    included = _body(client.get("/compare/export.csv?synthetic=include")).decode()
    assert "Synthetic Office 00000" in included and "Testville" in included
    only = _body(client.get("/compare/export.csv?synthetic=only")).decode()
    assert "Testville" not in only


@pytest.mark.parametrize("size", [3, 30])
def test_export_query_count_is_fixed(client, researcher, django_assert_num_queries, size):
    from django.core.management import call_command

    call_command("generate_synthetic", offices=size, rounds=2, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    # session, user, their roles (the MFA rule, the access rules), the exchange rates
    # (budget_usd, budget_band), networks of each city, the streamed rows; and the audit
    # event of a signed-in export (the event, its networks, their link rows); and the
    # citation in the export's metadata: the networks with open data, and for each (here
    # one) its dataset version: exchange rates, its networks, tidy rows, framework, levels,
    # practices, outcomes, latest publication, count (10). Bounded by networks, never by rows.
    with django_assert_num_queries(19):
        _body(client.get("/compare/export.csv?synthetic=include"))
    # + the criteria for the wide columns
    with django_assert_num_queries(20):
        _body(client.get("/compare/export.csv?synthetic=include&shape=wide"))
    # the trend: session, user, their roles; assessments, criteria, levels (the
    # selector's three, whatever the size); the audit event (event, networks, link rows);
    # the citation in its metadata, as above (10)
    with django_assert_num_queries(19):
        _body(client.get("/compare/trend.csv?synthetic=include"))
