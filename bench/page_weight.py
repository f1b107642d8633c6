"""Page weight: the JavaScript and CSS each page makes a first visit download, compressed.

Renders the pages of a seeded database through Django's test client (as the secretariat, who
sees the most, and as an anonymous visitor), reads each page's <script src> and stylesheet
<link href>, and sums those static files' sizes raw, gzip-compressed and brotli-compressed
as whitenoise stores them (gzip level 9, brotli quality 11). Budget (issue #16): at most
400 KB compressed per page. Run on a seeded database:

    .venv/bin/python bench/page_weight.py [--full-plotly PATH]

`--full-plotly` also prints what the chart pages weighed with the full plotly.js bundle.
"""

import argparse
import gzip
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovp_assess.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

import brotli  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.test import Client  # noqa: E402

BUDGET = 400 * 1024
ASSET = re.compile(rb'<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="/static/([^"?]+)')


def sizes(path):
    data = Path(finders.find(path)).read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9)), len(brotli.compress(data))


def pages():
    from cities.models import City, Office
    from criteria.models import Assessment

    cali = Assessment.objects.filter(city__slug="cali", round__code="2023").first()
    draft = Assessment.objects.exclude(status="published").order_by("pk").first()
    city = City.objects.filter(indicators__office__isnull=True).order_by("pk").first()
    office = Office.objects.order_by("pk").first()
    return [
        ("home", "/"),
        ("office brief (published)", f"/reports/briefs/{cali.pk}/"),
        ("office brief (draft)", f"/reports/briefs/{draft.pk}/"),
        ("network brief", f"/reports/rounds/{cali.round.code}/"),
        ("compare", "/compare/"),
        ("outcome figures of a city", f"/outcomes/{city.slug}/" if city else "/outcomes/"),
        ("reports index", "/reports/"),
        ("public briefs", "/briefs/"),
        ("assessment", f"/assessments/{draft.pk}/"),
        ("criterion edit", f"/assessments/{draft.pk}/criteria/1/"),
        ("office", office.get_absolute_url()),
        ("good-practice library", "/practices/"),
        ("review queue", "/review/"),
        ("admin", "/admin/"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full-plotly", type=Path,
                        help="the full plotly.min.js, to print the chart pages' old weight")
    args = parser.parse_args()
    from cities.models import User

    secretariat = Client(HTTP_HOST="localhost")  # an allowed host in DEBUG
    secretariat.force_login(User.objects.get(username="demo-secretariat"))
    worst = 0
    print(f"{'page':30} {'status':>6} {'files':>5} {'raw KB':>8} {'gzip KB':>8} {'br KB':>7}")
    for label, path in pages():
        response = secretariat.get(path, follow=True)
        assets = list(dict.fromkeys(a.decode() for a in ASSET.findall(response.content)))
        raw = gz = br = 0
        for asset in assets:
            r, g, b = sizes(asset)
            raw, gz, br = raw + r, gz + g, br + b
        if response.status_code == 200:
            worst = max(worst, br)
        print(f"{label:30} {response.status_code:6} {len(assets):5} {raw / 1024:8.0f} "
              f"{gz / 1024:8.0f} {br / 1024:7.0f}")
        if args.full_plotly and any("plotly" in a for a in assets):
            full = args.full_plotly.read_bytes()
            ours = sizes("vendor/plotly-ovp.min.js")
            print(f"{'  with the full plotly.js':30} {'':6} {'':5} "
                  f"{(raw - ours[0] + len(full)) / 1024:8.0f} "
                  f"{(gz - ours[1] + len(gzip.compress(full, 9))) / 1024:8.0f} "
                  f"{(br - ours[2] + len(brotli.compress(full))) / 1024:7.0f}")
    plotly = sizes("vendor/plotly-ovp.min.js")
    print(f"plotly-ovp.min.js: {plotly[0] / 1024:.0f} KB raw, {plotly[1] / 1024:.0f} KB gzip, "
          f"{plotly[2] / 1024:.0f} KB brotli")
    print(f"heaviest page: {worst / 1024:.0f} KB brotli (budget {BUDGET // 1024} KB): "
          f"{'within' if worst <= BUDGET else 'OVER'}")


if __name__ == "__main__":
    main()
