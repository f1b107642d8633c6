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

With --baseline REV, the selector of `reports/comparison.py` as it was at git revision REV
is loaded beside the current one: the page and the selector are timed with each, runs taken
in turn so both share the machine's load, and their comparisons (panel and unbalanced) must
be equal, field by field, or the benchmark stops.

    .venv/bin/python bench/compare_scale.py [--offices 10000] [--rounds 5] [--runs 5]
                                            [--baseline REV]
"""

import importlib.util
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    QUIET,
    median_time,
    peak_memory,
    setup_django,
    synthetic_parser,
    timed,
)

parser = synthetic_parser(__doc__.splitlines()[0], offices=10_000)
parser.add_argument("--baseline", metavar="REV",
                    help="Also time reports/comparison.py as it was at this git revision.")
args = parser.parse_args()
setup_django(use_env_db=args.use_env_db)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from cities.models import User  # noqa: E402
from reports import research_views  # noqa: E402
from reports.comparison import (  # noqa: E402
    PANEL,
    UNBALANCED,
    build_comparison,
    filtered_assessments,
)

RESEARCHER, SECRETARIAT = "demo-researcher", "demo-secretariat"


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(response.content)


def drain(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(len(chunk) for chunk in response.streaming_content)


def load_baseline(rev):
    """reports/comparison.py as it was at `rev`, as the module reports._baseline_comparison."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{rev}:reports/comparison.py"],  # noqa: S603,S607
                            cwd=root, check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("reports._baseline_comparison", loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "reports"
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:reports/comparison.py", "exec"), module.__dict__)  # noqa: S102
    return module


def same_comparison(old, new):
    """Whether two comparisons say the same: every field (as plain values: the two modules'
    dataclasses are different classes), the charts by their SVG."""
    def plain(c):
        charts = [x and x.svg for x in (c.heatmap, c.radar, c.distribution_chart, c.trend.chart)]
        trend = {k: v for k, v in vars(c.trend).items() if k not in {"chart", "criteria"}}
        trend["criteria"] = [asdict(t) for t in c.trend.criteria]
        rows = {name: [asdict(r) for r in getattr(c, name)]
                for name in ("rows", "shown_rows", "radar_rows")}
        fields = {k: v for k, v in vars(c).items() if not is_dataclass(v) and k not in {
            *rows, "heatmap", "radar", "distribution_chart", "selection", "latest"}}
        return {**fields, **rows, "charts": charts, "trend": trend}
    return plain(old) == plain(new)


def side_by_side(fns, runs):
    """The median time of each of `fns` (a dict), their runs taken in turn."""
    times = {name: [] for name in fns}
    for _run in range(runs):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {name: statistics.median(t) for name, t in times.items()}


BASELINE = load_baseline(args.baseline) if args.baseline else None


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
    qs = filtered_assessments(User.objects.get(username=RESEARCHER), {"synthetic": "only"})
    if BASELINE:
        for view in (PANEL, UNBALANCED):
            assert same_comparison(BASELINE.build_comparison(qs, trend_view=view),
                                   build_comparison(qs, trend_view=view)), view
        result["same"] = True

        def baseline_page():
            research_views.build_comparison = BASELINE.build_comparison
            try:
                return page(researcher, only)
            finally:
                research_views.build_comparison = build_comparison

        baseline_page()  # warm
        timings = side_by_side({"page": lambda: page(researcher, only),
                                "baseline_page": baseline_page,
                                "selector": lambda: build_comparison(qs),
                                "baseline_selector": lambda: BASELINE.build_comparison(qs)},
                               args.runs)
        result.update(timings)
    else:
        result["page"] = median_time(lambda: page(researcher, only), args.runs)
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
              + (f"    at {args.baseline} (same comparison: {r['same']}): page "
                 f"{r['baseline_page'] * 1000:6.0f} ms; selector "
                 f"{r['baseline_selector'] * 1000:6.0f} ms\n" if BASELINE else "") +
              f"  /compare/ default: researcher {r['default_researcher'] * 1000:6.0f} ms, "
              f"secretariat {r['default_secretariat'] * 1000:6.0f} ms\n"
              f"  CSV  {r['csv']:6.2f} s, {r['csv_mb']:6.1f} MB, peak {r['csv_peak']:5.1f} MB\n"
              f"  JSON {r['json']:6.2f} s, {r['json_mb']:6.1f} MB, peak {r['json_peak']:5.1f} MB")
    if BASELINE:
        print(f"page at {args.baseline} / now: {large['baseline_page'] / large['page']:.2f}x "
              f"slower; selector {large['baseline_selector'] / large['selector']:.2f}x")
    print(f"ratios large/small: rows {large['rows'] / small['rows']:.1f} | page "
          f"{large['page'] / small['page']:.2f} | CSV time {large['csv'] / small['csv']:.2f}, "
          f"peak memory {large['csv_peak'] / small['csv_peak']:.2f} | JSON time "
          f"{large['json'] / small['json']:.2f}, peak memory "
          f"{large['json_peak'] / small['json_peak']:.2f}")


if __name__ == "__main__":
    main()
