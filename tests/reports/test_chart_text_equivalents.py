"""Every chart has a text equivalent — a table with its figures, or a caption pointing to one —
on the page and in the PDF (WCAG 1.1.1; the accessibility statement promises it)."""

import re

import pytest
from django.urls import reverse

from criteria.models import Assessment
from reports import renderers
from reports.selectors import brief_queryset, build_network_brief, build_office_brief

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

FIGURE = re.compile(r'<figure class="chart[^"]*">.*?</figure>', re.S)


def charts_without_a_table(html):
    """Charts with no <table> between the chart before them and the chart after them."""
    main = html.split('<main', 1)[1].split("</main>", 1)[0]
    figures = list(FIGURE.finditer(main))
    bare = []
    for i, figure in enumerate(figures):
        start = figures[i - 1].end() if i else 0
        end = figures[i + 1].start() if i + 1 < len(figures) else len(main)
        if "<table" not in main[start:end]:
            bare.append(figure.group(0)[:120])
    return figures, bare


@pytest.mark.parametrize("url", [
    lambda: reverse("reports:brief", args=[Assessment.objects.get(
        round__code="2023", city__slug="cali").pk]),
    lambda: reverse("reports:network-brief", args=["2023"]),
    lambda: reverse("reports:compare"),
    lambda: reverse("cities:outcome-city", args=["cali"]),
], ids=["office-brief", "network-brief", "compare", "outcome-city"])
def test_every_chart_on_a_page_has_a_table_of_its_figures(as_persona, url):
    html = as_persona("researcher").get(url()).content.decode()
    figures, bare = charts_without_a_table(html)
    assert figures, "the page shows charts"
    assert bare == []


def test_network_distribution_is_written_out_on_the_page_and_in_the_pdf(as_persona, tmp_path):
    network = build_network_brief(Assessment.objects.published(), round="2023")
    html = as_persona("researcher").get(
        reverse("reports:network-brief", args=["2023"])).content.decode()
    table = html.split('class="data-table dist-table"', 1)[1].split("</table>", 1)[0]
    for number, _name, counts, _summary in network.distribution_rows:
        cells = "".join(f'<td class="num">{c}</td>' for c in counts)
        assert f'<span class="so-no">{number}</span>' in table
        assert cells in table, number
    assert sum(sum(c) for _n, _m, c, _s in network.distribution_rows) > 0

    _name, _type, content = renderers.render_network_pdf(network, lang="en")
    text = pdf_text(content, tmp_path)
    assert "how many offices are at each level, per criterion" in text
    assert "0 — Not in place" in text


def test_compare_page_writes_out_the_distribution(as_persona):
    html = as_persona("researcher").get(reverse("reports:compare")).content.decode()
    assert "how many offices are at each level, per criterion" in html
    assert "The levels drawn are the rows ticked in the table above." in html


def test_office_brief_level_chart_points_to_its_table_in_the_pdf_too(tmp_path):
    assessment = brief_queryset().get(round__code="2023", city__slug="cali")
    brief = build_office_brief(assessment, peers_from=Assessment.objects.published())
    _name, _type, content = renderers.render_brief_pdf(brief, lang="en")
    text = pdf_text(content, tmp_path)
    assert "Each level and median is also written out in the table of section 2." in text
    for row in brief.rows:
        if row.level is not None:
            assert f"{row.level} · {row.level_name}" in text, row.number
