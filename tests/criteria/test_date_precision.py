"""A date is shown only as precisely as it is known: the report says "January 2024"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from criteria.dates import format_partial_date
from criteria.models import Assessment, DatePrecision, Evidence

pytestmark = pytest.mark.django_db

JAN_2024 = datetime.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("language", "precision", "expected"),
    [
        ("en", DatePrecision.MONTH, "January 2024"),
        ("es", DatePrecision.MONTH, "enero de 2024"),
        ("pt-br", DatePrecision.MONTH, "janeiro de 2024"),
        ("en", DatePrecision.YEAR, "2024"),
        ("es", DatePrecision.DAY, "1 de enero de 2024"),
    ],
)
def test_formatted_to_its_precision_in_the_readers_language(language, precision, expected):
    with translation.override(language):
        assert format_partial_date(JAN_2024, precision) == expected


def test_a_day_date_keeps_its_day():
    with translation.override("en"):
        shown = format_partial_date(datetime.date(2023, 6, 9), DatePrecision.DAY)
    assert "9" in shown and "2023" in shown


def test_seeded_report_dates_are_known_to_the_month():
    charts = Assessment.objects.filter(round__code="2023", city__slug__in=["bristol", "cali"])
    assert {a.published_precision for a in charts} == {DatePrecision.MONTH}
    report = Evidence.objects.filter(response__assessment__in=charts, date=JAN_2024)
    assert report.exists()
    assert not report.exclude(date_precision=DatePrecision.MONTH).exists()


@pytest.mark.parametrize(("language", "shown", "hidden"), [
    ("en", "January 2024", "1 Jan"),
    ("es", "enero de 2024", "1 de enero"),
])
def test_brief_shows_the_month_not_an_invented_day(client, language, shown, hidden):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    html = client.get(reverse("reports:brief", args=[cali.pk]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert shown in html
    assert hidden not in html
    assert "Jan. 1, 2024" not in html


def test_home_and_public_briefs_show_the_publication_month(client):
    Assessment.objects.filter(city__slug="cali", round__code="2023").update(is_public=True)
    for url in (reverse("home"), reverse("reports:public-briefs")):
        html = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "January 2024" in html, url
        assert "1 Jan 2024" not in html, url


def test_evidence_typed_by_a_user_defaults_to_the_day(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    result = client.post(reverse("criteria:evidence-add", args=[palmira_draft.pk, 1]), {
        "kind": "link", "title": "Council minutes", "url": "https://example.org/minutes",
        "date": "2026-03-14", "source": "City council", "strength": "self_reported",
    })
    assert result.status_code in (200, 302)
    evidence = Evidence.objects.get(response__assessment=palmira_draft, title="Council minutes")
    assert evidence.date_precision == DatePrecision.DAY

