"""Benchmark: a published brief rendered once, then served from storage.

For the Cali 2023 brief, in a warm process, prints the median of a render (no stored copy:
queries, selector, template, WeasyPrint for the PDF, and storing the result) and of a
repeat request (the key's queries and the stored file), and their ratio, for the PDF and for
the brief page (the whole request through Django's test client, as an anonymous visitor of
the public brief, beside /healthz). Target (issue #16): a repeat costs at most 5 % of a
render. Stored files go to a temporary MEDIA_ROOT. Run on a seeded database:

    .venv/bin/python bench/brief_cache.py [--runs 9]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovp_assess.settings")
# Production settings, as the app servers run (a plain HTTP test client on localhost).
for name, value in {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "localhost",
                    "DJANGO_STATIC_MANIFEST": "0", "DJANGO_SECURE_SSL_REDIRECT": "0"}.items():
    os.environ.setdefault(name, value)
os.environ["DJANGO_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="ovp-bench-briefs-")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from criteria.models import Assessment  # noqa: E402
from reports import brief_cache  # noqa: E402
from reports.models import StoredBrief  # noqa: E402


def timed(fn, runs, before=None):
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def forget(assessment):
    """No stored copy: the next request renders (the files stay in the temporary folder)."""
    StoredBrief.objects.filter(assessment=assessment).delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    cali = Assessment.objects.filter(city__slug="cali", round__code="2023").first()
    if cali is None or cali.status != Assessment.Status.PUBLISHED or not cali.is_public:
        sys.exit("No published, public Cali 2023 assessment: run `manage.py seed_demo` first.")
    lean = Assessment.objects.select_related("office", "city", "round", "framework")

    def pdf():
        return brief_cache.office_brief_pdf(lean.get(pk=cali.pk), reader=AnonymousUser(), lang="en")

    client = Client(HTTP_HOST="localhost")
    page_url = reverse("reports:brief", args=[cali.pk])

    def page():
        assert client.get(page_url).status_code == 200

    def healthz():
        client.get("/healthz")

    for _ in range(2):  # warm up fonts, templates, CSS
        forget(cali)
        pdf()
        page()
        healthz()
    pdf_render = timed(pdf, args.runs, before=lambda: forget(cali))
    pdf()
    pdf_repeat = timed(pdf, args.runs * 5)
    page_render = timed(page, args.runs, before=lambda: forget(cali))
    page()
    page_repeat = timed(page, args.runs * 5)
    trivial = timed(healthz, args.runs * 5)

    ms = 1000
    print(f"Cali 2023 brief, {args.runs} renders and {args.runs * 5} repeats after warm-up")
    print(f"  PDF:  render median {pdf_render * ms:7.1f} ms · stored repeat "
          f"{pdf_repeat * ms:6.2f} ms · ratio {pdf_repeat / pdf_render:.3f} (target <= 0.05)")
    print(f"  page: render median {page_render * ms:7.1f} ms · stored repeat "
          f"{page_repeat * ms:6.2f} ms · ratio {page_repeat / page_render:.3f} (target <= 0.05)")
    print(f"  /healthz median {trivial * ms:.2f} ms: the stored brief page costs "
          f"{page_repeat / trivial:.1f} × a trivial view in-process")


if __name__ == "__main__":
    main()
