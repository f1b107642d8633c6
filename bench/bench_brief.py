"""Benchmark: the Cali office brief as a PDF, in a warm process.

Prints the median time of the whole app path (queries, selector, template, WeasyPrint) and of
WeasyPrint alone on the same final HTML, and their ratio. Run on a seeded database:

    .venv/bin/python bench/bench_brief.py [--runs 15]

Target (DESIGN.md §8): about a second, and the app adding no more than a quarter on top of
WeasyPrint (ratio <= 1.25).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovp_assess.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from criteria.models import Assessment  # noqa: E402
from reports import renderers  # noqa: E402
from reports.fetcher import BASE_URL, SafeURLFetcher  # noqa: E402
from reports.selectors import brief_queryset, build_office_brief  # noqa: E402


def app_render(pk):
    assessment = brief_queryset().get(pk=pk)
    brief = build_office_brief(assessment, peers_from=Assessment.objects.published())
    return renderers.render_brief_pdf(brief, lang="en")[2]


def weasyprint_alone(document):
    return HTML(string=document, base_url=BASE_URL, url_fetcher=SafeURLFetcher()).write_pdf(
        **renderers.PDF_OPTIONS  # the same tagged PDF the app writes
    )


def timed(fn, *args, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()

    cali = Assessment.objects.filter(city__slug="cali", round__code="2023").first()
    if cali is None:
        sys.exit("No Cali 2023 assessment: run `manage.py seed_demo` first.")
    brief = build_office_brief(brief_queryset().get(pk=cali.pk),
                               peers_from=Assessment.objects.published())
    document = renderers.brief_document_html(brief, lang="en")
    for _ in range(args.warmup):  # fonts, template and CSS caches
        app_render(cali.pk)
        weasyprint_alone(document)

    app = timed(app_render, cali.pk, runs=args.runs)
    alone = timed(weasyprint_alone, document, runs=args.runs)
    pdf = app_render(cali.pk)
    print(f"Cali brief PDF: {len(pdf):,} bytes, {len(brief.evidence)} evidence items, "
          f"{len(brief.notes)} tradeoff notes; {args.runs} runs after {args.warmup} warm-up")
    print(f"  app (queries + selector + template + WeasyPrint): median {app[0]:.3f} s "
          f"(min {app[1]:.3f}, max {app[2]:.3f})")
    print(f"  WeasyPrint alone on the same HTML:               median {alone[0]:.3f} s "
          f"(min {alone[1]:.3f}, max {alone[2]:.3f})")
    print(f"  ratio app / WeasyPrint: {app[0] / alone[0]:.2f}")


if __name__ == "__main__":
    main()
