"""Benchmark: the full tidy comparison as XLSX, before and after issue #16, in one run.

Builds a throwaway SQLite database, seeds it and generates synthetic offices once
(--offices × --rounds × 9 criteria tidy rows: 45,000 by default), then:

- times GET /compare/export.xlsx?synthetic=only (the whole request: queries, rows, workbook,
  download), alternating the writer of before (openpyxl's write-only mode, kept below as
  `baseline_write_xlsx`, a copy of reports.tabular.write_xlsx as it was) and the writer of
  now (reports.xlsx), and prints each median and their ratio;
- checks that both writers give the same cells (every sheet, at the small size);
- measures peak Python memory (tracemalloc) of the export at a quarter of the offices and at
  all of them, and prints the ratio: it should stay near 1 while the rows grow fourfold.

    .venv/bin/python bench/xlsx.py [--offices 1000] [--rounds 5] [--runs 3] [--baseline-memory]
"""

import io
import logging
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import QUIET, peak_memory, setup_django, synthetic_parser, timed  # noqa: E402

parser = synthetic_parser(__doc__.splitlines()[0], offices=1000, runs=3, env_db=False)
parser.add_argument("--baseline-memory", action="store_true",
                    help="Also measure the peak memory of the openpyxl writer (slow).")
args = parser.parse_args()
setup_django(prefix="ovp-bench-xlsx-")
logging.disable(logging.INFO)  # the sign-in's log lines

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: E402

from cities.models import User  # noqa: E402
from reports import tabular  # noqa: E402
from reports.comparison import filtered_assessments  # noqa: E402

URL = "/compare/export.xlsx?synthetic=only"


# --- before: the writer as it was (openpyxl, write-only mode), for comparison only ------------

def baseline_guard_cell(value):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(tabular.FORMULA_TRIGGERS):
            return "'" + value
    return value


def baseline_write_xlsx(columns, rows, handle, *, sheet_title="data", about=None):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([c.name for c in columns])
    for row in rows:
        sheet.append([baseline_guard_cell(v) for v in row])
    notes = workbook.create_sheet(title="columns")
    notes.append(["column", "meaning"])
    for c in columns:
        notes.append([c.name, c.description])
    if about is not None:
        sheet = workbook.create_sheet(title="about")
        sheet.append(["field", "value"])
        for key, value in tabular.about_lines(about):
            sheet.append([key, baseline_guard_cell(str(value))])
    workbook.save(handle)


WRITERS = {"before (openpyxl)": baseline_write_xlsx, "after (reports.xlsx)": tabular.write_xlsx}
NOW = tabular.write_xlsx


# --- measuring ----------------------------------------------------------------------------------

def download(client, writer):
    """The export request with `writer` in place (export_response looks it up when called)."""
    tabular.write_xlsx = writer
    try:
        response = client.get(URL)
        assert response.status_code == 200, response.status_code
        return b"".join(response.streaming_content)
    finally:
        tabular.write_xlsx = NOW


def cells(body):
    book = load_workbook(io.BytesIO(body), read_only=True)
    # read-only openpyxl pads rows to the sheet's stated width, which only openpyxl states
    return {name: [tuple(v for v in row if v is not None)
                   for row in book[name].iter_rows(values_only=True)]
            for name in book.sheetnames}


def export(writer, assessments, handle):
    """What the export view does with the rows, to a file: tidy rows → `writer`."""
    writer(tabular.TIDY_COLUMNS, tabular.tidy_rows(assessments), handle,
           sheet_title="ovp-comparison-tidy", about={"title": "Comparison", "query": URL})


def export_to_disk(writer, assessments):
    with tempfile.TemporaryFile() as handle:
        export(writer, assessments, handle)


def export_cells(writer, assessments):
    handle = io.BytesIO()
    export(writer, assessments, handle)
    return cells(handle.getvalue())


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", no_personas=True, verbosity=0, stdout=QUIET)
    call_command("generate_synthetic", offices=args.offices, rounds=args.rounds, replace=True,
                 stdout=QUIET)
    user, _created = User.objects.get_or_create(username="bench-superuser",
                                                defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    every = filtered_assessments(user, {"synthetic": "only"})
    offices = list(every.order_by("office_id").values_list("office_id", flat=True).distinct())
    quarter = every.filter(office_id__in=offices[: max(len(offices) // 4, 1)])
    rows = tabular.tidy_queryset(every).count()

    # The same cells either way (at a quarter of the offices, to keep the reading short).
    same = export_cells(baseline_write_xlsx, quarter) == export_cells(NOW, quarter)

    times = {name: [] for name in WRITERS}
    sizes = {}
    for name, writer in WRITERS.items():  # warm: imports, templates, the query plan
        sizes[name] = len(download(client, writer))
    for _ in range(args.runs):  # alternate, so a busy moment on a shared machine hits both
        for name, writer in WRITERS.items():
            times[name].append(timed(lambda w=writer: download(client, w)))
    medians = {name: statistics.median(t) for name, t in times.items()}

    memory = {}
    measured = WRITERS.items() if args.baseline_memory else [("after (reports.xlsx)", NOW)]
    for name, writer in measured:
        memory[name] = [peak_memory(lambda w=writer, q=q: export_to_disk(w, q)) / 1e6
                        for q in (quarter, every)]

    print(f"{len(offices)} offices × {args.rounds} rounds: {rows} tidy rows; runs: {args.runs}; "
          f"database: {connection.vendor}; Python {sys.version.split()[0]}")
    print(f"same cells before and after (at {len(offices) // 4} offices): "
          f"{'yes' if same else 'NO'}")
    print(f"GET {URL} (median of {args.runs}, whole request):")
    for name in WRITERS:
        print(f"  {name:<22} {medians[name]:6.2f} s  (runs: "
              f"{', '.join(f'{t:.2f}' for t in times[name])}), {sizes[name] / 1e6:.1f} MB")
    before, after = medians.values()
    print(f"  ratio after/before: {after / before:.2f}")
    print(f"peak memory of the export (tracemalloc), {len(offices) // 4} → {len(offices)} "
          "offices (4× the rows):")
    for name, (small, large) in memory.items():
        print(f"  {name:<22} {small:5.1f} MB → {large:5.1f} MB, ratio {large / small:.2f}")
    if not same:
        sys.exit("The two writers gave different cells.")


if __name__ == "__main__":
    main()
