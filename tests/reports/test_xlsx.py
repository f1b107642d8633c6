"""The streaming XLSX writer (reports.xlsx) behind every XLSX export."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from criteria.models import LevelSource
from reports.tabular import Column, guard_cell, write_xlsx
from reports.xlsx import column_letter, write_workbook


def _book(sheets, **kwargs):
    handle = io.BytesIO()
    write_workbook(handle, sheets, **kwargs)
    handle.seek(0)
    return load_workbook(handle)


def test_values_keep_their_types():
    # Spreadsheets have no time zones: a datetime is written as it is, naive.
    rows = [["text", 3, Decimal("2500000.00"), 0.25, True, False, dt.date(2024, 12, 19),
             dt.datetime(2024, 12, 19, 13, 30), None, LevelSource.PUBLISHED]]  # noqa: DTZ001
    sheet = _book([("data", rows)]).worksheets[0]
    assert list(sheet.iter_rows(values_only=True)) == [(
        "text", 3, 2500000, 0.25, True, False, dt.datetime(2024, 12, 19),  # noqa: DTZ001
        dt.datetime(2024, 12, 19, 13, 30), None, "published")]  # noqa: DTZ001
    assert sheet["G1"].is_date and sheet["H1"].is_date


def test_text_is_escaped_and_its_spaces_kept():
    rows = [['a & <b> "q"', "", "  two\nlines  ", "Ñandú – 東京 🎉"]]
    sheet = _book([("data", rows)]).worksheets[0]
    assert list(sheet.iter_rows(values_only=True)) == [
        ('a & <b> "q"', None, "  two\nlines  ", "Ñandú – 東京 🎉")]


def test_a_datetime_with_a_time_zone_is_refused():
    with pytest.raises(TypeError, match="time zones"):
        write_workbook(io.BytesIO(), [("data", [[dt.datetime.now(tz=dt.UTC)]])])


def test_no_number_a_spreadsheet_cannot_hold():
    sheet = _book([("data", [[float("nan"), float("inf"), 1.5]])]).worksheets[0]
    assert list(sheet.iter_rows(values_only=True)) == [(None, None, 1.5)]


def test_sheet_names_follow_excels_rules():
    book = _book([("ovp: [tidy]/x", [["a"]]), ("columns", [["b"]]), ("COLUMNS", [["c"]]),
                  ("a" * 40, [["d"]]), ("'", [["e"]])])
    assert book.sheetnames == ["ovp- -tidy--x", "columns", "COLUMNS-2", "a" * 31, "sheet"]


def test_zero_rows_and_ragged_rows_are_a_valid_sheet():
    book = _book([("empty", []), ("ragged", [["a"], ["b", "c", "d"], []])])
    assert list(book["empty"].iter_rows(values_only=True)) == []
    assert [r[:3] for r in book["ragged"].iter_rows(values_only=True)][:2] == [
        ("a", None, None), ("b", "c", "d")]


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


def test_export_workbook_guards_text_and_carries_its_about_sheet():
    columns = [Column("note", "What was written"), Column("level", "0–4")]
    rows = iter([["=HYPERLINK(\"http://evil\")", 2], ["bell\x07 and\x1f unit\uffff", None],
                 ["-2+3", 1]])
    handle = io.BytesIO()
    write_xlsx(columns, rows, handle, sheet_title="ovp-comparison-tidy", about={
        "query": "q=a&b", "datasets": [{"network": "pioc", "version": "2024.1",
                                        "citation": "=cite me"}]})
    handle.seek(0)
    book = load_workbook(handle)
    assert book.sheetnames == ["ovp-comparison-tidy", "columns", "about"]
    assert list(book["ovp-comparison-tidy"].iter_rows(values_only=True)) == [
        ("note", "level"), ("'=HYPERLINK(\"http://evil\")", 2), ("bell and unit", None),
        ("'-2+3", 1)]
    assert list(book["columns"].iter_rows(values_only=True)) == [
        ("column", "meaning"), ("note", "What was written"), ("level", "0–4")]
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["query"] == "q=a&b" and about["dataset pioc: version"] == "2024.1"
    assert about["dataset pioc: citation"] == "'=cite me"
    # The package is deflated: text repeated on every row costs little.
    handle.seek(0)
    assert all(i.compress_type == zipfile.ZIP_DEFLATED
               for i in zipfile.ZipFile(handle).infolist())


def test_guard_cell_removes_control_characters_but_keeps_tabs_and_line_breaks():
    assert guard_cell("a\x00b\x0bc\x1fd\ufffe\uffff") == "abcd"
    assert guard_cell("a\tb\nc\rd") == "a\tb\nc\rd"
    assert guard_cell("Ñandú\u00a0東京") == "Ñandú\u00a0東京"
    assert guard_cell(5) == 5 and guard_cell(None) is None
