"""Benchmark: the comparison page and its streamed exports at 10,000 offices × 5 rounds.

Builds a throwaway SQLite database (or uses DATABASE_URL if --use-env-db is given), seeds the
demo (with its personas), generates synthetic offices at two sizes (a quarter of --offices,
then --offices) and, at each size, prints:

- /compare/?synthetic=only as the network's researcher: the whole request (filters, queries,
  pandas, charts, template), median of --runs, and the selector alone;
- /compare/ as the researcher and as the secretariat open it (default filters: real data
  only; the synthetic offices still weigh on the page's pickers);
- the comparison's full tidy export (every office × round × criterion) as streamed CSV and
  JSON: time and peak Python memory (tracemalloc) while producing it.

The ratio of each at the large size to the small one is printed beside the ratio of rows:
the exports' peak memory should stay flat (ratio near 1) while rows grow fourfold.

    .venv/bin/python bench/compare_scale.py [--offices 10000] [--rounds 5] [--runs 5]
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    QUIET,
    median_time,
    peak_memory,
    setup_django,
    synthetic_parser,
)

parser = synthetic_parser(__doc__.splitlines()[0], offices=10_000)
args = parser.parse_args()
setup_django(use_env_db=args.use_env_db)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cities.models import User  # noqa: E402
from reports.comparison import build_comparison, filtered_assessments  # noqa: E402

RESEARCHER, SECRETARIAT = "demo-researcher", "demo-secretariat"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.content)


def drain(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(len(chunk) for chunk in response.streaming_content)


def client_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def measure(offices):
    start = time.perf_counter()
    call_command("generate_synthetic", offices=offices, rounds=args.rounds, replace=True,
                 researcher=[RESEARCHER], stdout=QUIET)
    generated = time.perf_counter() - start
    researcher, secretariat = client_for(RESEARCHER), client_for(SECRETARIAT)
    result = {"offices": offices, "rows": offices * args.rounds * 9, "generate": generated}
    only = "/compare/?synthetic=only"
    result["bytes"] = page(researcher, only)  # warm: templates, translations, pandas
    result["page"] = median_time(lambda: page(researcher, only), args.runs)
    qs = filtered_assessments(User.objects.get(username=RESEARCHER), {"synthetic": "only"})
    result["selector"] = median_time(lambda: build_comparison(qs), args.runs)
    result["default_researcher"] = median_time(lambda: page(researcher, "/compare/"), args.runs)
    result["default_secretariat"] = median_time(lambda: page(secretariat, "/compare/"),
                                                args.runs)
    for fmt in ("csv", "json"):
        url = f"/compare/export.{fmt}?synthetic=only"
        result[f"{fmt}_mb"] = drain(researcher, url) / 1e6
        result[fmt] = median_time(lambda url=url: drain(researcher, url),
                                  max(1, args.runs // 2))
        result[f"{fmt}_peak"] = peak_memory(lambda url=url: drain(researcher, url)) / 1e6
    return result


def main():
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0, stdout=QUIET)
    small = measure(max(args.offices // 4, 1))
    large = measure(args.offices)
    print(f"rounds: {args.rounds}; runs: {args.runs} (medians); database: "
          f"{connection.vendor}")
    for r in (small, large):
        print(f"{r['offices']:>6} offices, {r['rows']:>7} tidy rows (generated in "
              f"{r['generate']:.0f} s)\n"
              f"  /compare/?synthetic=only (researcher) {r['page'] * 1000:6.0f} ms, "
              f"{r['bytes'] / 1000:.0f} kB; selector {r['selector'] * 1000:6.0f} ms\n"
              f"  /compare/ default: researcher {r['default_researcher'] * 1000:6.0f} ms, "
              f"secretariat {r['default_secretariat'] * 1000:6.0f} ms\n"
              f"  CSV  {r['csv']:6.2f} s, {r['csv_mb']:6.1f} MB, peak {r['csv_peak']:5.1f} MB\n"
              f"  JSON {r['json']:6.2f} s, {r['json_mb']:6.1f} MB, peak {r['json_peak']:5.1f} MB")
    print(f"ratios large/small: rows {large['rows'] / small['rows']:.1f} | page "
          f"{large['page'] / small['page']:.2f} | CSV time {large['csv'] / small['csv']:.2f}, "
          f"peak memory {large['csv_peak'] / small['csv_peak']:.2f} | JSON time "
          f"{large['json'] / small['json']:.2f}, peak memory "
          f"{large['json_peak'] / small['json_peak']:.2f}")


if __name__ == "__main__":
    main()
