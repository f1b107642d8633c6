"""Renderers: turn a selector's dataclass into `(filename, content_type, bytes)`.

The HTML page and the PDF come from the same template (`reports/brief.html`); the PDF wraps
it in a print document, draws charts as SVG and lays it out with WeasyPrint, reading only
what `SafeURLFetcher` allows.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe
from weasyprint import HTML

from .fetcher import BASE_URL, SafeURLFetcher

PAPER_SIZES = {"a4": "A4", "letter": "letter"}
#: Every brief is a tagged PDF (headings, lists, tables and figures with their SVG <title> as
#: alternative text in the structure tree), with the document's language (<html lang>) and its
#: title (<title>, shown instead of the file name): what WCAG 2.1 AA asks of a published PDF.
PDF_OPTIONS = {"pdf_tags": True}
PDF = "application/pdf"
HTML_TYPE = "text/html; charset=utf-8"

# WeasyPrint warns about every resource it skips; the fetcher already records them.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def paper_or_default(value) -> str:
    return value if value in PAPER_SIZES else "a4"


def brief_document_html(brief, *, lang, paper="a4", inline_css=False) -> str:
    """The complete print document of an office brief, as WeasyPrint receives it."""
    css = Path(finders.find("reports/brief.css")).read_text() if inline_css else ""
    with translation.override(lang):
        return render_to_string(
            "reports/brief_document.html",
            {"brief": brief, "paper": PAPER_SIZES[paper_or_default(paper)], "for_pdf": True,
             "lang": lang, "inline_css": mark_safe(css)},  # noqa: S308 - our own static file
        )


def layout_document(document: str):
    """WeasyPrint's laid-out pages of `document` (to measure them, or to write the PDF)."""
    fetcher = SafeURLFetcher()
    laid_out = HTML(string=document, base_url=BASE_URL, url_fetcher=fetcher).render(
        **PDF_OPTIONS
    )
    return laid_out, fetcher


def html_to_pdf(document: str) -> tuple[bytes, SafeURLFetcher]:
    laid_out, fetcher = layout_document(document)
    return laid_out.write_pdf(**PDF_OPTIONS), fetcher


def render_brief_pdf(brief, *, lang, paper="a4"):
    paper = paper_or_default(paper)
    pdf, _fetcher = html_to_pdf(brief_document_html(brief, lang=lang, paper=paper))
    suffix = "" if paper == "a4" else "-letter"
    return f"brief-{brief.filename_stem}{suffix}.pdf", PDF, pdf


def render_brief_html(brief, *, lang):
    """A standalone HTML file of the brief (for scripts): the print document, SVG charts."""
    document = brief_document_html(brief, lang=lang, inline_css=True)
    return f"brief-{brief.filename_stem}.html", HTML_TYPE, document.encode()


def render_network_pdf(network, *, lang, paper="a4"):
    paper = paper_or_default(paper)
    with translation.override(lang):
        document = render_to_string(
            "reports/network_document.html",
            {"network": network, "paper": PAPER_SIZES[paper], "for_pdf": True, "lang": lang},
        )
    pdf, _fetcher = html_to_pdf(document)
    return f"network-brief-{network.round}.pdf", PDF, pdf


def transition_memo_document_html(memo, *, lang, paper="a4") -> str:
    with translation.override(lang):
        return render_to_string(
            "reports/transition_memo_document.html",
            {"memo": memo, "paper": PAPER_SIZES[paper_or_default(paper)], "for_pdf": True,
             "lang": lang},
        )


def render_transition_memo_pdf(memo, *, lang, paper="a4"):
    """The memo as a tagged PDF (the same options as the brief)."""
    paper = paper_or_default(paper)
    pdf, _fetcher = html_to_pdf(transition_memo_document_html(memo, lang=lang, paper=paper))
    suffix = "" if paper == "a4" else "-letter"
    return f"transition-memo-{memo.filename_stem}-{lang}{suffix}.pdf", PDF, pdf
