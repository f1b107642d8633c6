"""A streaming XLSX writer for tabular exports: text, numbers, booleans and dates, nothing else.

Each sheet's rows are turned into SpreadsheetML one row at a time and deflated straight into
its part of the ZIP package, so memory stays flat however many rows there are, and a cell
costs one string formatting. openpyxl (write-only) and XlsxWriter (constant_memory) build an
object or run several checks and regular expressions per cell: on the 45,000-row tidy
comparison (1.7 million cells) they spent 10-15 s where this takes a few; bench/xlsx.py
measures it.

What is written is the smallest package Office Open XML (ECMA-376 Part 1) asks for: content
types, relationships, a workbook, a style sheet (the default style and two date formats) and
one worksheet per sheet. Strings are inline (§18.3.1.53 `is`), so no shared-strings table has
to be held in memory. The caller cleans text first (reports.tabular.guard_cell removes the
characters XML cannot carry and quotes formulas, passed as `text`); this module escapes it.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from decimal import Decimal
from xml.sax.saxutils import quoteattr

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
#: zlib's level for the package: its default. On the 45,000-row tidy export, level 1 saved
#: about 0.4 s of 2.3 s and made the file a third larger (9.1 MB instead of 6.9 MB); a
#: smaller download is worth more to a reader on a slow link.
COMPRESSLEVEL = 6
#: Rows turned into XML before one write into the deflate stream: fewer, larger writes, while
#: what is held at once stays small (about 2 kB of XML a row in the tidy export).
BATCH = 100

_DATE_STYLE, _DATETIME_STYLE = 1, 2  # cellXfs indexes in _STYLES
# Excel's day 0 in its 1900 date system (valid from March 1900, past its 1900 leap-year bug);
# its serial dates carry no time zone, hence a naive datetime.
_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001
_SPACE = " \t\n\r"  # XML white space, which Excel trims from text unless told to keep it
_SHEET_NAME_BAD = str.maketrans({c: "-" for c in "[]:*?/\\"})

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    # built-in number formats 14 (a date) and 22 (a date and time), §18.8.30
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<worksheet xmlns="{MAIN_NS}"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _escape(text):
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _serial(value):
    """A date or naive datetime as Excel's day number."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise TypeError("Spreadsheets have no time zones: convert the datetime to a naive "
                            "local or UTC time, or to text, first.")
        delta = value - _EPOCH
    else:
        delta = value - _EPOCH.date()
    return repr(delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6)


def _text(ref, value):
    value = _escape(value)
    if value[0] in _SPACE or value[-1] in _SPACE:  # kept only when marked to be kept
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _cell(ref, value, text):
    """One <c> element, or "" for an empty cell."""
    if isinstance(value, str):
        value = text(str.__str__(value)) if text else str.__str__(value)  # e.g. a TextChoices
        return _text(ref, value) if value else ""
    if value is True or value is False:
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int):  # e.g. an IntegerChoices, written as its number
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):  # a spreadsheet has no NaN or infinity
            return ""
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, dt.date):
        style = _DATETIME_STYLE if isinstance(value, dt.datetime) else _DATE_STYLE
        return f'<c r="{ref}" s="{style}"><v>{_serial(value)}</v></c>'
    if value is None:
        return ""
    return _cell(ref, str(value), text)


def _row_xml(number, values, letters, text):
    """One <row> element."""
    cells = []
    for letter, value in zip(letters, values, strict=False):
        # Text, whole numbers and booleans (most cells) without a call but `text`.
        if value.__class__ is str:
            if text is not None:
                value = text(value)
            if value:
                if "&" in value or "<" in value or ">" in value:
                    value = _escape(value)
                if value[0] in _SPACE or value[-1] in _SPACE:
                    cells.append(f'<c r="{letter}{number}" t="inlineStr"><is>'
                                 f'<t xml:space="preserve">{value}</t></is></c>')
                else:
                    cells.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t>'
                                 "</is></c>")
        elif value.__class__ is int:
            cells.append(f'<c r="{letter}{number}"><v>{value}</v></c>')
        elif value is True or value is False:
            cells.append(f'<c r="{letter}{number}" t="b"><v>{int(value)}</v></c>')
        elif value is not None:
            cells.append(_cell(f"{letter}{number}", value, text))
    return f'<row r="{number}">{"".join(cells)}</row>'


def _sheet_names(titles):
    """Excel's rules: 1-31 characters, none of []:*?/\\, no apostrophe at either end, and
    unique regardless of case."""
    names, seen = [], set()
    for title in titles:
        base = str(title).translate(_SHEET_NAME_BAD).strip("'")[:31] or "sheet"
        name, n = base, 1
        while name.casefold() in seen:
            n += 1
            name = f"{base[:31 - len(str(n)) - 1]}-{n}"
        seen.add(name.casefold())
        names.append(name)
    return names


def write_workbook(handle, sheets, *, text=None, compresslevel=COMPRESSLEVEL):
    """Write an XLSX package to the binary file `handle`.

    `sheets` is a sequence of (title, rows): each row a sequence of str, int, float, Decimal,
    bool, date, datetime (naive) or None, the first usually the column names. Rows are
    consumed one by one; a row may be any length. `text`, if given, is applied to every
    string before it is written (reports.tabular.guard_cell: it must leave no character XML
    cannot carry).
    """
    names = _sheet_names(title for title, _rows in sheets)
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED,
                         compresslevel=compresslevel) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(
            _SHEET_TYPE.format(n=n) for n in range(1, len(names) + 1))))
        package.writestr("_rels/.rels", _ROOT_RELS)
        package.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            + "".join(f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
                      for n, name in enumerate(names, 1))
            + "</sheets></workbook>"))
        package.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" '
                      f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(names) + 1))
            + f'<Relationship Id="rId{len(names) + 1}" Type="{REL_NS}/styles" '
              'Target="styles.xml"/></Relationships>'))
        package.writestr("xl/styles.xml", _STYLES)
        for n, (_title, rows) in enumerate(sheets, 1):
            with package.open(f"xl/worksheets/sheet{n}.xml", "w") as part:
                _write_sheet(part, rows, text)


def _write_sheet(part, rows, text):
    letters = []
    batch = [_SHEET_HEAD]
    for number, values in enumerate(rows, 1):
        if len(values) > len(letters):
            letters = [column_letter(i) for i in range(len(values))]
        batch.append(_row_xml(number, values, letters, text))
        if len(batch) >= BATCH:
            part.write("".join(batch).encode())
            batch = []
    batch.append(_SHEET_TAIL)
    part.write("".join(batch).encode())
