"""The office brief as a document: tight pages, text that stays on the page, tagged PDFs.

Pages are measured, not looked at: the fill of a page is where its lowest line, image or table
cell ends in WeasyPrint's laid-out Document; text outside the page is found with poppler's
`pdftotext -bbox` on the PDF the app serves.
"""

import re
import subprocess
import zlib

import pytest
from django.utils import translation
from weasyprint.formatting_structure import boxes

from criteria.models import Assessment, Evidence
from reports import renderers
from reports.fetcher import BASE_URL
from reports.selectors import brief_queryset, build_office_brief

pytestmark = pytest.mark.django_db

MAX_PAGES = 7
MIN_FILL = 0.60
MM = 72 / 25.4  # PDF points per millimetre
PAGE_MARGIN_MM = 15  # the narrowest page margin in brief.css (left and right)


def _brief(assessment, lang):
    with translation.override(lang):
        return build_office_brief(
            brief_queryset().get(pk=assessment.pk), peers_from=Assessment.objects.published()
        )


def _content_boxes(box):
    """Boxes that put ink on the page: lines of text, images and SVG, table cells."""
    if isinstance(box, boxes.MarginBox) or box.style["position"] == "fixed":
        return  # running head and foot, page numbers, the draft watermark
    if isinstance(box, boxes.LineBox | boxes.ReplacedBox):
        yield box.position_y + box.margin_height()
        return
    if isinstance(box, boxes.TableCellBox):
        yield box.position_y + box.border_height()
    for child in getattr(box, "children", ()):
        yield from _content_boxes(child)


def page_fills(document) -> list[float]:
    """For each laid-out page, how far down its content reaches, as a share of its height."""
    return [
        max(_content_boxes(page._page_box), default=0) / page.height
        for page in document.pages
    ]


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("lang", ["en", "es", "pt-br"])
def test_cali_brief_fits_seven_pages_and_no_page_but_the_last_is_mostly_empty(
    part4, lang, paper
):
    brief = _brief(part4["cali"], lang)
    document = renderers.brief_document_html(brief, lang=lang, paper=paper)
    laid_out, _fetcher = renderers.layout_document(document)
    fills = page_fills(laid_out)
    assert len(fills) <= MAX_PAGES, fills
    for number, fill in enumerate(fills[:-1], start=1):
        assert fill >= MIN_FILL, f"page {number} of {len(fills)} ends at {fill:.0%}: {fills}"


def test_page_fill_measure_sees_a_forced_break():
    """The measure can fail: a section pushed to a new page leaves the page before it short."""
    html = (
        "<html lang='en'><title>t</title><style>@page { size: A4; margin: 15mm }</style>"
        "<p>One line at the top.</p><p style='break-before: page'>Next page.</p></html>"
    )
    from weasyprint import HTML

    fills = page_fills(HTML(string=html, base_url=BASE_URL).render())
    assert len(fills) == 2 and fills[0] < 0.1


def _words(pdf: bytes, tmp_path):
    """(page width, page height, [(xMin, yMin, xMax, yMax, word)]) per page."""
    path = tmp_path / "brief.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own temp file
        ["/usr/bin/pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout
    pages = []
    for width, height, body in re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S
    ):
        words = [
            (float(a), float(b), float(c), float(d), w)
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                r"(.*?)</word>", body,
            )
        ]
        pages.append((float(width), float(height), words))
    return pages


def _raw_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "raw.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own temp file
        ["/usr/bin/pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True,
    ).stdout


# 298 letters, no break opportunity; it fits the 300-character columns (evidence source)
LONG_WORD = "Unbroken" + "abcdefghij" * 29
# 299 characters: it fits the evidence title column (300) on PostgreSQL too
LONG_URL = "https://example.org/" + "/".join(f"segment{i:03d}-of-a-pasted-link" for i in range(10))


@pytest.fixture
def hostile_cali(part4):
    """Cali's published assessment with the strings people paste: a URL as an evidence title,
    a 300-letter word in every free-text column, in the profile and in a source."""
    cali = part4["cali"]
    first = cali.responses.order_by("criterion__number").first()
    first.current_strengths = LONG_WORD
    first.opportunities = "Before " + LONG_WORD + " after"
    first.save(update_fields=["current_strengths", "opportunities"])
    Evidence.objects.create(
        response=first, kind=Evidence.Kind.LINK, title=LONG_URL, url=LONG_URL,
        source=LONG_WORD, note=LONG_WORD,
    )
    profile = cali.profile
    profile.focus_population = LONG_WORD
    profile.save(update_fields=["focus_population"])
    return cali


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_long_unbroken_strings_wrap_inside_the_page_in_the_pdf(hostile_cali, paper, tmp_path):
    brief = _brief(hostile_cali, "en")
    _name, _type, pdf = renderers.render_brief_pdf(brief, lang="en", paper=paper)
    for number, (width, _height, words) in enumerate(_words(pdf, tmp_path), start=1):
        left, right = PAGE_MARGIN_MM * MM - 1, width - PAGE_MARGIN_MM * MM + 1
        outside = [w for w in words if w[0] < left or w[2] > right]
        assert not outside, f"page {number}: text outside the page's text area: {outside[:3]}"
    # Nothing was clipped: every letter of the long strings is in the PDF's text.
    squashed = re.sub(r"\s+", "", _raw_text(pdf, tmp_path))
    assert squashed.count(LONG_WORD) >= 4  # strengths, opportunities, profile, evidence note
    assert LONG_URL.replace(" ", "") in squashed


def test_standalone_html_keeps_long_strings_and_carries_the_wrapping_rules(hostile_cali):
    """The standalone HTML inlines the CSS the page uses (the browser test measures the page)."""
    brief = _brief(hostile_cali, "en")
    _name, _type, html = renderers.render_brief_html(brief, lang="en")
    html = html.decode()
    assert LONG_WORD in html and LONG_URL in html
    css = renderers.brief_document_html(brief, lang="en", inline_css=True)
    assert "overflow-wrap: anywhere" in css and "table-layout: fixed" in css


def _pdf_objects_text(pdf: bytes) -> bytes:
    """The PDF's objects, with compressed object streams inflated (the catalog lives there)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            chunks.append(zlib.decompressobj().decompress(pdf[match.end():match.end() + 400_000]))
        except zlib.error:
            continue
    return b"\n".join(chunks)


def _pdfinfo(pdf: bytes, tmp_path) -> dict:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(  # noqa: S603 - fixed arguments, our own temp file
        ["/usr/bin/pdfinfo", str(path)], check=True, capture_output=True, text=True,
    ).stdout
    return {k.strip(): v.strip() for k, _sep, v in (line.partition(":") for line in
                                                       out.splitlines())}


@pytest.mark.parametrize("lang", ["en", "es", "pt-br"])
def test_office_brief_is_a_tagged_pdf_with_title_and_language(part4, lang, tmp_path):
    brief = _brief(part4["cali"], lang)
    _name, _type, pdf = renderers.render_brief_pdf(brief, lang=lang)
    info = _pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"].startswith(brief.subject)
    objects = _pdf_objects_text(pdf)
    assert f"/Lang ({lang})".encode() in objects
    assert b"/StructTreeRoot" in objects and b"/DisplayDocTitle true" in objects


def test_network_brief_is_a_tagged_pdf_with_title_and_language(tmp_path):
    from reports.selectors import build_network_brief

    with translation.override("es"):
        network = build_network_brief(Assessment.objects.published(), round="2023")
    _name, _type, pdf = renderers.render_network_pdf(network, lang="es")
    info = _pdfinfo(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert "2023" in info["Title"]
    assert b"/Lang (es)" in _pdf_objects_text(pdf)


def test_every_pdf_in_a_batch_export_is_tagged(secretariat, tmp_path):
    import io
    import zipfile

    from reports.exports import run_export, start_export

    job = start_export(user=secretariat, round="2023", language="pt-br")
    run_export(job.pk)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    # Four office briefs, the network brief, and about.json (the citation sidecar)
    assert len(archive.namelist()) == 6 and "about.json" in archive.namelist()
    for name in archive.namelist():
        if not name.endswith(".pdf"):
            continue
        pdf = archive.read(name)
        assert _pdfinfo(pdf, tmp_path)["Tagged"] == "yes", name
        assert b"/Lang (pt-br)" in _pdf_objects_text(pdf), name


def test_public_brief_pdf_served_to_a_visitor_is_tagged(client, part4, tmp_path):
    cali = part4["cali"]
    assert cali.is_public
    response = client.get(f"/reports/briefs/{cali.pk}/pdf/?lang=es&paper=letter")
    assert response.status_code == 200
    info = _pdfinfo(response.content, tmp_path)
    spanish_subject, lang = cali.translated("subject_label", "es")
    assert lang == "es"
    assert info["Tagged"] == "yes" and info["Title"].startswith(spanish_subject)
    assert b"/Lang (es)" in _pdf_objects_text(response.content)
