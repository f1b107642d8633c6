"""Resources against ambition: the panel's figures, its references, the profile's currency
and amounts, and the dated exchange rates comparisons convert with."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import translation

from cities import city_figures
from cities.exchange import RateBook, usd_expression
from cities.models import City, ExchangeRate, PoliceControl
from criteria.forms import ProfileForm
from criteria.models import Assessment, FundingSource, OfficeProfile
from reports import resources
from reports.comparison import budget_band
from reports.resources import build_resources_panel

pytestmark = pytest.mark.django_db

SEED_001 = "/work/shared/seeds/001_10e5d9afd786331e.txt"
SEED_003 = "/work/shared/seeds/003_5382866b22682ddc.txt"


def _profile(assessment, **facts):
    OfficeProfile.objects.filter(pk=assessment.profile.pk).update(**facts)
    return OfficeProfile.objects.get(pk=assessment.profile.pk)


# --- the reference figures are the sources' own --------------------------------------------


def test_reference_figures_are_in_the_seed_documents_where_cited():
    pioc = open(SEED_001, encoding="utf-8").read()
    vera = open(SEED_003, encoding="utf-8").read()
    # Part 1, "Ensure Resources Meet Ambition", endnote 14.
    part1 = pioc[pioc.index("\nEnsure Resources Meet Ambition"):pioc.index("\nThere Are Good")]
    assert "between \\$1.5 million and \\$3 million¹⁴" in part1
    assert resources.HOMICIDE_COST_USD == (Decimal(1_500_000), Decimal(3_000_000))
    # Part 3, Criterion 3, endnote 23 (the 15 % of staffing costs).
    start = pioc.index("\nCriterion 3: Sound, Regularly Updated Diagnoses")
    crit3 = pioc[start:pioc.index("\nCriterion 4:", start)]
    assert "²³" in crit3
    assert "- 23 The Community Violence Intervention ecosystem website suggests that cities " \
           "estimate 15 percent of staffing costs" in pioc
    assert resources.DATA_EVALUATION_SHARE == 15
    # Vera, "4. Provide adequate resources and staffing", endnote 2.
    section = vera[vera.index("4. Provide adequate resources"):vera.index("HOW OFFICES CAN")]
    assert "less than 5 percent of the budget allocated to the local police department" in section
    assert resources.VERA_POLICE_SHARE == 5


# --- the selector ---------------------------------------------------------------------------


def test_rosario_shows_the_homicide_cost_as_a_range_and_the_rest_not_recorded(part4):
    rosario = part4["rosario"]
    panel = build_resources_panel(city=rosario.city, profile=rosario.profile)
    # 287 homicides in 2022 (PiOC 2024, Part 4, Rosario's Opportunity) × US$1.5–3 million.
    assert panel.homicides.value == 287 and panel.homicides.year == 2022
    assert (panel.cost_low_usd, panel.cost_high_usd) == (Decimal(430_500_000),
                                                         Decimal(861_000_000))
    assert panel.budget is None and panel.per_resident is None
    assert panel.municipal_share is None and panel.data_evaluation_share is None
    assert not panel.police_meaningful  # provincial police
    assert panel.funding.sources == 0 and panel.funding.protected_share is None


def test_shares_per_resident_and_dollar_figures_rest_on_the_inputs(palmira_draft):
    city = palmira_draft.city
    City.objects.filter(pk=city.pk).update(population=400_000, population_year=2024)
    city.refresh_from_db()
    city_figures.record_figure(city=city, year=2024, measure="homicides", value=100,
                               qualifier="over", source="test")
    profile = _profile(palmira_draft, budget_amount=4_000_000_000, budget_currency="COP",
                       budget_year=2025, municipal_budget_amount=800_000_000_000,
                       police_budget_amount=40_000_000_000, police_control="municipal",
                       staff_cost_amount=1_000_000_000, data_evaluation_amount=100_000_000)
    FundingSource.objects.create(profile=profile, name="City", kind="municipal",
                                 share_percent=60)
    FundingSource.objects.create(profile=profile, name="Levy", kind="voter_approved_tax",
                                 share_percent=30)
    FundingSource.objects.create(profile=profile, name="Law", kind="national",
                                 legally_protected=True)
    rate = ExchangeRate.objects.get(currency="COP")
    panel = build_resources_panel(city=city, profile=profile)
    assert panel.per_resident == Decimal(10_000)
    assert panel.municipal_share == Decimal("0.5")
    assert panel.police_share == Decimal(10)
    assert panel.data_evaluation_share == Decimal(10)
    assert panel.data_evaluation_verdict == "below"
    assert panel.rate.valid_on == rate.valid_on
    assert panel.budget_usd == Decimal(4_000_000_000) / rate.units_per_usd
    # "over 100" homicides: a floor only, never an invented ceiling.
    assert panel.cost_low_usd == Decimal(150_000_000) and panel.cost_high_usd is None
    assert panel.budget_of_cost_low is None
    assert panel.budget_of_cost_high == panel.budget_usd * 100 / Decimal(150_000_000)
    f = panel.funding
    assert (f.sources, f.with_share, f.largest_share, f.largest_kind) == (3, 2, 60, "municipal")
    # The voter-approved levy counts; the protected source without a share is counted apart.
    assert f.protected_share == 30 and f.protected_share_unknown == 1


def test_police_budget_is_not_compared_where_the_state_controls_the_police(palmira_draft):
    profile = _profile(palmira_draft, budget_amount=100, budget_currency="USD",
                       police_budget_amount=1000, police_control=PoliceControl.NATIONAL)
    panel = build_resources_panel(city=palmira_draft.city, profile=profile)
    assert not panel.police_meaningful and panel.police_share is None


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang,expected", [
    ("en", "US$ 430,500,000 to US$ 861,000,000"),
    ("es", "US$ 430\u00a0500\u00a0000 a US$ 861\u00a0000\u00a0000"),  # Django's es grouping
    ("pt-br", "US$ 430.500.000 a US$ 861.000.000"),
])
def test_rosario_brief_shows_the_estimate_with_its_sources_in_each_language(client, part4,
                                                                            lang, expected):
    client.cookies["django_language"] = lang
    html = client.get(reverse("reports:brief", args=[part4["rosario"].pk])).content.decode()
    panel = html[html.index('id="resources"'):html.index('id="evidence"')]
    assert expected in panel
    assert "n. 14" in panel and "n. 23" in panel and "Vera 2023" in panel
    assert 'class="res-estimate"' in panel


def test_every_part4_brief_and_palmira_show_the_panel(client, part4, palmira_draft,
                                                      editor_a):
    for assessment in part4.values():
        html = client.get(reverse("reports:brief", args=[assessment.pk])).content.decode()
        assert "Resources against ambition" in html and "not recorded" in html
    client.force_login(editor_a)
    html = client.get(reverse("reports:brief", args=[palmira_draft.pk])).content.decode()
    assert "Resources against ambition" in html


def test_office_page_shows_the_panel_with_the_funding_recorded(client):
    html = client.get(reverse("cities:office-detail", args=["reach-edmonton"])).content.decode()
    section = html[html.index('id="resources-h"'):]
    assert "3 sources recorded" in section and "Their shares are not recorded." in section


def test_brief_pdf_has_the_panel(client, part4, tmp_path):
    from tests.reports.conftest import pdf_text

    response = client.get(reverse("reports:brief-pdf", args=[part4["rosario"].pk]))
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Resources against ambition" in text and "861,000,000" in text


# --- the profile: currency and amounts ------------------------------------------------------


def _form_data(**extra):
    data = {"institutional_location": "unknown", "police_control": "unknown",
            "staffing_model": "unknown", "staff_expertise": "unknown"}
    data.update(extra)
    return data


@pytest.mark.parametrize("typed", ["pesos", "PES", "US$"])
def test_a_currency_that_is_not_iso_4217_is_refused_naming_the_field(palmira_draft, typed):
    form = ProfileForm(_form_data(budget_amount="10", budget_currency=typed),
                       instance=palmira_draft.profile)
    assert not form.is_valid()
    assert "ISO 4217" in str(form.errors["budget_currency"])


def test_amounts_need_a_currency(palmira_draft):
    form = ProfileForm(_form_data(staff_cost_amount="10"), instance=palmira_draft.profile)
    assert not form.is_valid() and "currency" in str(form.errors["budget_currency"])


def test_a_post_without_the_new_amounts_keeps_them(palmira_draft):
    profile = _profile(palmira_draft, municipal_budget_amount=123, budget_currency="COP")
    form = ProfileForm(_form_data(budget_currency="cop"), instance=profile)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["municipal_budget_amount"] == 123
    assert form.cleaned_data["budget_currency"] == "COP"


def test_the_currency_field_suggests_iso_codes(palmira_draft):
    html = str(ProfileForm(instance=palmira_draft.profile)["budget_currency"])
    assert 'list="id_budget_currency-codes"' in html and '<option value="COP">' in html
    assert "maxlength" not in html  # a browser would cut "pesos" to "pes" without a word


def test_migration_reads_a_currency_word_by_the_city_country(palmira_draft):
    migration = importlib.import_module("criteria.migrations.0018_resources_profile")
    _profile(palmira_draft, budget_amount=5, budget_currency="PES", budget_note="Typed note")
    migration.fix_currencies(global_apps, None)
    profile = OfficeProfile.objects.get(pk=palmira_draft.profile.pk)
    assert profile.budget_currency == "COP"  # Palmira is in Colombia
    assert profile.budget_note.startswith("Typed note") and "“PES”" in profile.budget_note


# --- exchange rates ---------------------------------------------------------------------------


def test_the_dated_rate_of_the_budget_year_is_used_in_python_and_sql(palmira_draft):
    ExchangeRate.objects.create(currency="COP", units_per_usd=Decimal(2000),
                                valid_on=datetime.date(2020, 6, 30), source="test")
    book = RateBook.load()
    assert book.rate("COP", 2021).units_per_usd == 2000  # the latest in or before 2021
    assert book.rate("COP", 2025).valid_on == datetime.date(2024, 9, 13)
    assert book.rate("COP", 2010).valid_on == datetime.date(2020, 6, 30)  # the first one
    assert book.rate("ARS", 2024) is None  # no rate: no guess
    # 3,000 million pesos: US$1.5 million at 2,000 (band 1m_5m), under 1 million at 4,236.63.
    for year, band in ((2021, "1m_5m"), (2025, "under_1m")):
        _profile(palmira_draft, budget_amount=3_000_000_000, budget_currency="COP",
                 budget_year=year)
        assert budget_band(3_000_000_000, "COP", year, rates=book) == band
        usd = Assessment.objects.filter(pk=palmira_draft.pk).annotate(
            usd=usd_expression("profile__budget_amount", "profile__budget_currency",
                               "profile__budget_year")).get().usd
        assert abs(usd - book.to_usd(3_000_000_000, "COP", year)[0]) < Decimal("0.01")


def test_exchange_rates_api_lists_rates_with_date_and_source(client):
    data = client.get("/api/exchange-rates/?currency=cop").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["currency"] for r in rows] == ["COP"]
    assert rows[0]["valid_on"] == "2024-09-13" and "Banco de la República" in rows[0]["source"]


def test_only_a_secretariat_maintains_exchange_rates(client, secretariat, researcher):
    from cities.access import may_maintain_exchange_rates

    assert may_maintain_exchange_rates(secretariat)
    assert not may_maintain_exchange_rates(researcher)
    client.force_login(secretariat)
    url = reverse("admin:cities_exchangerate_add")
    response = client.post(url, {"currency": "pesos", "units_per_usd": "1",
                                 "valid_on": "2025-01-01", "source": "x"})
    assert response.status_code == 200 and "ISO 4217" in response.content.decode()
    assert not ExchangeRate.objects.filter(valid_on="2025-01-01").exists()
    with translation.override("en"):
        response = client.post(url, {"currency": "ars", "units_per_usd": "1000",
                                     "valid_on": "2025-01-01", "source": "BCRA"})
    assert response.status_code == 302
    assert ExchangeRate.objects.get(currency="ARS").units_per_usd == 1000
