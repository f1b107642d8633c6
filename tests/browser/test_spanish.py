"""A Spanish-speaking staff member works in Spanish and downloads a Spanish PDF brief."""

import subprocess

import pytest
from django.utils import translation
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def es(text):
    with translation.override("es"):
        return translation.gettext(text)


def test_switch_to_spanish_edit_and_export_the_brief(page, seeded_live_server, sign_in,
                                                     tmp_path, screenshot):
    from criteria.models import Assessment

    base = seeded_live_server.url
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    sign_in(page, base, "demo-editor")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name=es("My assessments"))).to_be_visible()

    page.goto(f"{base}/assessments/{draft.pk}/criteria/1/")
    page.get_by_label(es("Current strengths")).fill("El mandato fue aprobado por decreto en 2020.")
    page.get_by_label(es("Opportunities to enhance effectiveness")).fill(
        "Fijar metas medibles para 2027."
    )
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=15000)
    screenshot("spanish-edit")

    page.goto(f"{base}/assessments/{draft.pk}/")
    link = page.get_by_role("link", name=es("PDF (A4)"))
    # The browser shows PDFs inline; fetch the link with the same session instead.
    answer = page.context.request.get(base + link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "brief.pdf"
    pdf.write_bytes(answer.body())
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True,  # noqa: S607
        check=True,
    ).stdout
    text = " ".join(text.split())  # table headings wrap over lines
    assert "El mandato fue aprobado por decreto en 2020." in text
    for heading in ("Current strengths", "Opportunities to enhance effectiveness",
                    "Tradeoff notes", "Evidence appendix"):
        assert es(heading) != heading and es(heading).upper() in text.upper()
        assert heading.upper() not in text.upper()
