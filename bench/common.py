"""What the in-process benchmarks share: Django on a throwaway database, and the two
measures they print (median wall time, peak Python memory).

Call `setup_django()` before importing anything from the project; it returns the path of
the throwaway database's directory (None when DATABASE_URL is used as is).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

QUIET = open(os.devnull, "w")  # noqa: SIM115  (kept open for the process's lifetime)


def synthetic_parser(description, *, offices, runs=5, env_db=True):
    """The arguments of a benchmark on `generate_synthetic` data: how many offices and
    rounds, how many runs to take the median of, and (with `env_db`) --use-env-db."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--offices", type=int, default=offices)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=runs)
    if env_db:
        parser.add_argument("--use-env-db", action="store_true",
                            help="Use DATABASE_URL as is (it will receive synthetic data).")
    return parser


def setup_django(*, use_env_db=False, prefix="ovp-bench-"):
    """Django set up on a fresh SQLite file in a temporary directory (or on DATABASE_URL,
    which then receives the benchmark's data)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovp_assess.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    workdir = None
    if not use_env_db:
        workdir = tempfile.mkdtemp(prefix=prefix)
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    import django

    django.setup()
    return workdir


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn, runs):
    return statistics.median(timed(fn) for _ in range(runs))


def peak_memory(fn):
    """The peak of Python allocations while `fn` runs (tracemalloc), in bytes."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak
