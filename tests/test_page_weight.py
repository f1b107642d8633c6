"""Page weight: no page's first visit downloads more than 400 KB of compressed JavaScript and
CSS (issue #16). Read from the templates' own <script src> and stylesheet <link> tags, with
their `{% extends %}` chain: a template that adds a script adds its bytes here. The pages as
served, crawled, are measured by bench/page_weight.py."""

import gzip
import re
from functools import cache
from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

BUDGET = 400 * 1024
TEMPLATES = Path(settings.BASE_DIR) / "templates"
ASSET = re.compile(
    r"<(?:script[^>]*\ssrc|link[^>]*rel=\"stylesheet\"[^>]*\shref)=\"\{% static '([^']+)' %\}\"")
EXTENDS = re.compile(r"\{% extends \"([^\"]+)\" %\}")
# Third-party pages that are no part of a user's work: the API reference (Swagger UI and
# ReDoc from drf-spectacular-sidecar) is read by developers and weighs what those tools weigh.
EXEMPT = {"api/docs.html", "api/redoc.html"}


@cache
def compressed(path: str) -> tuple[int, int]:
    """(gzip, brotli) bytes of a static file, compressed as whitenoise stores it."""
    data = Path(finders.find(path)).read_bytes()
    return len(gzip.compress(data, compresslevel=9)), len(brotli.compress(data))


def assets(name: str) -> list[str]:
    """The static JS and CSS a template loads, its parents' included."""
    text = (TEMPLATES / name).read_text()
    parent = EXTENDS.search(text)
    inherited = assets(parent.group(1)) if parent and (TEMPLATES / parent.group(1)).exists() else []
    return list(dict.fromkeys(inherited + ASSET.findall(text)))


def pages():
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                  if "partials" not in p.parts and str(p.relative_to(TEMPLATES)) not in EXEMPT)


def test_chart_pages_load_the_partial_plotly_bundle():
    chart_pages = [name for name in pages() if any("plotly" in a for a in assets(name))]
    assert {"reports/brief_page.html", "reports/compare.html", "reports/network_page.html",
            "cities/outcome_city.html"} <= set(chart_pages)
    assert all("vendor/plotly-ovp.min.js" in assets(name) for name in chart_pages)
    assert not finders.find("vendor/plotly.min.js")  # the full 4.8 MB bundle is gone


@pytest.mark.parametrize("name", pages())
def test_no_page_ships_more_than_400_kb_of_compressed_js_and_css(name):
    # whitenoise serves the brotli copy to browsers that accept it and gzip to the others.
    gzip_total = sum(compressed(a)[0] for a in assets(name))
    brotli_total = sum(compressed(a)[1] for a in assets(name))
    assert gzip_total <= BUDGET, f"{name}: {gzip_total / 1024:.0f} KB gzip ({assets(name)})"
    assert brotli_total <= BUDGET, f"{name}: {brotli_total / 1024:.0f} KB brotli"
