"""Benchmark: the comparison and the full export at scale (1,000 offices × 5 rounds).

Builds a throwaway SQLite database (or uses DATABASE_URL if --use-env-db is given), seeds it,
generates synthetic offices at two sizes and, at each size, prints:

- the comparison's server time (the whole /compare/ request: filters, queries, pandas,
  charts, template) — median of --runs;
- the selector alone (queries + pandas + chart data);
- the full tidy export (every office × round × criterion) as streamed CSV and as XLSX:
  median time and peak Python memory (tracemalloc) while producing it.

Memory should stay flat as rows grow: the ratio of peak memory at the large size to the small
size is printed beside the ratio of rows. Run:

    .venv/bin/python bench/bench_research.py [--offices 1000] [--rounds 5] [--runs 5]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    QUIET,
    median_time,
    peak_memory,
    setup_django,
    synthetic_parser,
)

parser = synthetic_parser(__doc__.splitlines()[0], offices=1000)
args = parser.parse_args()
setup_django(use_env_db=args.use_env_db)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cities.models import User  # noqa: E402
from reports.comparison import build_comparison, filtered_assessments  # noqa: E402


def drain(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(len(chunk) for chunk in response.streaming_content)


def measure(offices, user, client):
    call_command("generate_synthetic", offices=offices, rounds=args.rounds, replace=True,
                 stdout=QUIET)
    rows = offices * args.rounds * 9
    compare_url = "/compare/?synthetic=only"
    client.get(compare_url)  # warm: templates, translations, pandas
    page = median_time(lambda: client.get(compare_url), args.runs)
    qs = filtered_assessments(user, {"synthetic": "only"})
    selector = median_time(lambda: build_comparison(qs), args.runs)
    csv_url = "/compare/export.csv?synthetic=only"
    xlsx_url = "/compare/export.xlsx?synthetic=only"
    size = drain(client, csv_url)
    csv_time = median_time(lambda: drain(client, csv_url), args.runs)
    csv_peak = peak_memory(lambda: drain(client, csv_url))
    xlsx_time = median_time(lambda: drain(client, xlsx_url), max(1, args.runs // 2))
    xlsx_peak = peak_memory(lambda: drain(client, xlsx_url))
    return {"offices": offices, "rows": rows, "page": page, "selector": selector,
            "csv": csv_time, "csv_mb": size / 1e6, "csv_peak": csv_peak / 1e6,
            "xlsx": xlsx_time, "xlsx_peak": xlsx_peak / 1e6}


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", no_personas=True, verbosity=0, stdout=QUIET)
    user, _created = User.objects.get_or_create(username="bench-superuser",
                                                defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    small = measure(max(args.offices // 4, 1), user, client)
    large = measure(args.offices, user, client)
    print(f"rounds: {args.rounds}; runs: {args.runs}; database: "
          f"{connection.vendor}")
    for r in (small, large):
        print(f"{r['offices']:>5} offices, {r['rows']:>6} tidy rows | comparison page "
              f"{r['page'] * 1000:7.0f} ms (selector {r['selector'] * 1000:5.0f} ms) | "
              f"CSV {r['csv']:5.2f} s, {r['csv_mb']:5.1f} MB, peak {r['csv_peak']:5.1f} MB | "
              f"XLSX {r['xlsx']:5.2f} s, peak {r['xlsx_peak']:5.1f} MB")
    print(f"ratios large/small: rows {large['rows'] / small['rows']:.1f} | comparison "
          f"{large['page'] / small['page']:.2f} | CSV time {large['csv'] / small['csv']:.2f}, "
          f"peak memory {large['csv_peak'] / small['csv_peak']:.2f} | XLSX time "
          f"{large['xlsx'] / small['xlsx']:.2f}, peak memory "
          f"{large['xlsx_peak'] / small['xlsx_peak']:.2f}")


if __name__ == "__main__":
    main()
