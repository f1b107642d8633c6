"""The indicator register in a browser, as a new editor meets it: from the office page to a
new indicator with three values, the overdue flag, a CSV refused for one bad line and then
imported, and the transition memo; axe-core on every page, on a slow link."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .test_editing import draft, editor_page
from .test_plan import _shoot

pytestmark = pytest.mark.django_db(transaction=True)

OFFICE = "palmira-security-coexistence"


def test_editor_adds_an_indicator_values_and_imports_a_csv(browser, seeded_live_server,
                                                          sign_in, axe):
    from cities.models import Indicator, IndicatorValue

    base = seeded_live_server.url
    page = editor_page(browser, base, sign_in)
    page.goto(f"{base}/offices/{OFFICE}/")
    page.get_by_role("link", name="Indicators the office tracks").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Indicators of")
    assert axe(page) == []
    page.get_by_role("link", name="New indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New indicator")
    page.get_by_label("Name").fill("Mediations that held for 90 days")
    page.get_by_label("Kind").select_option("process")
    page.get_by_label("Unit").fill("% of mediations")
    page.get_by_label("Baseline value").fill("40")
    page.get_by_label("Baseline year").fill("2024")
    page.get_by_label("Target value").fill("70")
    page.get_by_label("Target year").fill("2027")
    page.get_by_label("Update frequency").select_option("monthly")
    page.get_by_label("Public").check()
    assert axe(page) == []
    _shoot(page, "indicator-form")
    page.get_by_role("button", name="Save the indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mediations that held for 90 days")
    indicator = Indicator.objects.get(name="Mediations that held for 90 days")

    today = timezone.localdate()
    for days, value in ((100, "44"), (70, "47"), (40, "52")):
        page.get_by_label("Date").fill((today - timedelta(days=days)).isoformat())
        page.get_by_label("Value").fill(value)
        page.get_by_role("button", name="Save the value").click()
        expect(page.get_by_text("saved.").first).to_be_visible()
    assert indicator.values.count() == 3
    # Monthly, last value 40 days old: overdue, said on the page and in the register.
    expect(page.locator("#stale-flag")).to_be_visible()
    assert axe(page) == []
    _shoot(page, "indicator-detail")

    page.get_by_role("link", name="Or import many from a CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Import indicator values from a CSV")
    assert axe(page) == []
    bad = ("indicator,date,value,note\n"
           "Mediations that held for 90 days,2025-01-31,41,\n"
           "Mediations that held for 90 days,2025-02-30,42,\n")
    page.get_by_label("CSV file").set_input_files(
        {"name": "values.csv", "mimeType": "text/csv", "buffer": bad.encode()})
    page.get_by_role("button", name="Check and import").click()
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("1 problem found; nothing was imported.")
    expect(errors.locator("tbody tr td")).to_have_text(
        ["3", "date", "“2025-02-30” is not a date; write it as YYYY-MM-DD."])
    assert indicator.values.count() == 3
    assert axe(page) == []
    _shoot(page, "indicator-import-refused")
    good = bad.replace("2025-02-30", "2025-02-28")
    page.get_by_label("CSV file").set_input_files(
        {"name": "values.csv", "mimeType": "text/csv", "buffer": good.encode()})
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("2 values imported.")).to_be_visible()
    assert indicator.values.count() == 5
    assert IndicatorValue.objects.filter(indicator=indicator, value=42).exists()
    row = page.locator(f"#indicator-{indicator.pk}")
    expect(row).to_contain_text("Overdue since")
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 900})  # a phone: the table reflows
    assert axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    _shoot(page, "indicator-register")

    # What the office measures, beside criterion 9, and the memo for a new administration.
    assessment = draft()
    page.goto(f"{base}/assessments/{assessment.pk}/criteria/9/")
    expect(page.locator("#office-indicators")).to_contain_text(
        "Mediations that held for 90 days")
    page.goto(f"{base}/assessments/{assessment.pk}/")
    page.get_by_role("link", name="Transition memo").click()
    expect(page.locator("#memo-indicators")).to_contain_text("Mediations that held for 90 days")
    expect(page.locator("#memo-actions")).to_contain_text("[Demo]")
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 900})
    assert axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    _shoot(page, "transition-memo")


def test_editor_records_the_next_election_and_the_memo_names_it(browser, seeded_live_server,
                                                                sign_in, axe):
    """From the memo to the office's elections page and back, on a 400 ms link, with a
    double click on the button: one record, and the memo names it as the office's."""
    from cities.models import Transition

    base = seeded_live_server.url
    page = editor_page(browser, base, sign_in)
    assessment = draft()
    page.goto(f"{base}/reports/briefs/{assessment.pk}/transition/")
    page.get_by_role("link", name="Record the next election or change of administration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Elections and changes of administration")
    assert axe(page) == []
    year = timezone.localdate().year + 1
    page.get_by_label("Year").fill(str(year))
    page.get_by_label("Month").select_option("10")
    page.get_by_label("What changes").fill("Local elections: mayor and council")
    page.get_by_role("button", name="Record it").dblclick()
    expect(page.get_by_text(f"Recorded: Election, October {year}.")).to_be_visible()
    assert Transition.objects.filter(office__slug=OFFICE).count() == 1
    assert axe(page) == []
    page.set_viewport_size({"width": 390, "height": 900})
    assert axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    _shoot(page, "transitions")
    page.goto(f"{base}/reports/briefs/{assessment.pk}/transition/")
    expect(page.locator(".brief-meta")).to_contain_text(
        f"October {year} (election): Local elections: mayor and council")
    expect(page.locator(".brief-meta")).to_contain_text("as the office recorded it")
