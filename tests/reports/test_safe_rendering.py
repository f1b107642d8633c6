"""Hostile input: nothing a user wrote is fetched into a PDF, nothing leaks, text is escaped."""

import socket

import pytest
from django.urls import reverse
from weasyprint.urls import URLFetcher

from criteria.models import Assessment, CriterionResponse
from reports import renderers
from reports.fetcher import BASE_URL, BlockedURL, SafeURLFetcher
from reports.selectors import brief_queryset, build_office_brief

from .conftest import pdf_text

PASSWD_MARK = "root:x:0:0"
HOSTILE_URLS = [
    "file:///etc/passwd",
    "http://169.254.169.254/latest/meta-data/",
    "https://169.254.169.254/latest/meta-data/iam/",
    BASE_URL + "static/../../../../etc/passwd",
    BASE_URL + "static/reports/../../../etc/passwd",
    BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
    BASE_URL + "static/..%2f..%2fetc/passwd",
    BASE_URL + "etc/passwd",
    "https://example.org/static/reports/brief.css",
    "ftp://169.254.169.254/x",
]


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks any fetcher for, and what the safe fetcher refused."""
    asked, refused = [], []
    original = SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        try:
            return original(self, url, headers)
        except BlockedURL:
            refused.append(url)
            raise

    def default_fetch(self, url, headers=None):  # the fetcher WeasyPrint would use by default
        raise AssertionError(f"default fetcher used for {url}")

    monkeypatch.setattr(SafeURLFetcher, "fetch", spy)
    monkeypatch.setattr(URLFetcher, "fetch", default_fetch)
    return asked, refused


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_fetcher_refuses_anything_but_our_static_files(url):
    fetcher = SafeURLFetcher()
    with pytest.raises(BlockedURL):
        fetcher.fetch(url)
    assert fetcher.blocked == [url]


def test_fetcher_serves_our_stylesheet_and_data_uris():
    fetcher = SafeURLFetcher()
    css = fetcher.fetch(BASE_URL + "static/reports/brief.css")
    assert b".so-table" in css.read()
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"


RAW_HOSTILE_DOCUMENT = """
<html><head>
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="attachment" href="file:///etc/passwd">
<style>@import url("http://169.254.169.254/latest/meta-data/");
body { background: url(file:///etc/passwd); }</style>
</head><body>
<p>hello</p>
<img src="file:///etc/passwd">
<img src="http://169.254.169.254/latest/meta-data/">
<img src="/static/../../../../etc/passwd">
<img src="/static/reports/../../../etc/passwd">
<a rel="attachment" href="file:///etc/passwd">attached</a>
<object data="file:///etc/passwd"></object>
<embed src="file:///etc/passwd">
<iframe src="file:///etc/passwd"></iframe>
</body></html>
"""


@pytest.mark.django_db
def test_raw_hostile_html_fetches_nothing_and_leaks_nothing(no_network, fetched, tmp_path):
    """Even markup that escaping would never let through cannot make the renderer read files."""
    asked, refused = fetched
    pdf, fetcher = renderers.html_to_pdf(RAW_HOSTILE_DOCUMENT)
    assert asked, "WeasyPrint did ask for the hostile resources"
    assert refused == asked  # every single one was refused
    assert fetcher.served == []
    assert PASSWD_MARK.encode() not in pdf
    assert b"/EmbeddedFile" not in pdf
    assert PASSWD_MARK not in pdf_text(pdf, tmp_path)


@pytest.fixture
def hostile_cali(part4):
    """Cali's brief with hostile evidence and HTML/CSS typed into its text fields."""
    cali = part4["cali"]
    Assessment.objects.filter(pk=cali.pk).update(
        summary='<script>alert("x")</script><style>body{background:url(file:///etc/passwd)}'
                "</style>Summary after the script.",
        subject_label='<b>Cali</b> <img src="file:///etc/passwd">',
    )
    response = CriterionResponse.objects.get(assessment=cali, criterion__number=1)
    response.current_strengths = (
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<img src="http://169.254.169.254/latest/meta-data/">Strengths text.'
    )
    response.opportunities = '<img src="/static/../../../../etc/passwd"> ../../etc/passwd'
    response.save()
    response.evidence.create(kind="link", title="Passwd as link", url="file:///etc/passwd")
    response.evidence.create(kind="document", title='<img src="file:///etc/passwd">',
                             url="http://169.254.169.254/latest/meta-data/")
    response.evidence.create(
        kind="note", title="Attachment",
        note='<a rel="attachment" href="file:///etc/passwd">open me</a>',
        url="javascript:alert(1)",
    )
    response.evidence.create(kind="note", title="Traversal",
                             url="https://ovp-assess.invalid/static/../../etc/passwd")
    return brief_queryset().get(pk=cali.pk)


@pytest.mark.django_db
def test_hostile_brief_pdf_fetches_only_our_stylesheet(hostile_cali, no_network, fetched,
                                                        tmp_path):
    asked, refused = fetched
    brief = build_office_brief(hostile_cali, peers_from=Assessment.objects.published())
    _name, _type, pdf = renderers.render_brief_pdf(brief, lang="en")
    assert asked == [BASE_URL + "static/reports/brief.css"]
    assert refused == []
    assert PASSWD_MARK.encode() not in pdf
    assert b"/EmbeddedFile" not in pdf
    text = pdf_text(pdf, tmp_path)
    assert PASSWD_MARK not in text
    # The markup shows as the text the user typed (narrow columns wrap it: compare unspaced).
    flat = "".join(text.split())
    for typed in ['<script>alert("x")</script>', '<link rel="stylesheet" href="file:///etc/passwd">',
                  '<img src="/static/../../../../etc/passwd">', "<b>Cali</b>"]:
        assert "".join(typed.split()) in flat, typed


@pytest.mark.django_db
def test_only_web_links_become_links_in_the_brief(hostile_cali):
    brief = build_office_brief(hostile_cali, peers_from=Assessment.objects.published())
    links = {e.title: e.link for e in brief.evidence}
    assert links["Passwd as link"] == ""
    assert links["Attachment"] == ""
    assert links['<img src="file:///etc/passwd">'].startswith("http://169.254.169.254")
    document = renderers.brief_document_html(brief, lang="en")
    assert 'href="file:' not in document
    assert 'href="javascript:' not in document


@pytest.mark.django_db
def test_hostile_text_is_escaped_on_the_page(client, hostile_cali):
    html = client.get(reverse("reports:brief", args=[hostile_cali.pk])).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html
    assert '<img src="file:' not in html
    assert 'href="file:' not in html
    assert 'href="javascript:' not in html
    # The chart data carry the text as JSON, escaped for a <script> element.
    assert "<b>Cali</b>" not in html
