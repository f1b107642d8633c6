"""Good-practice library and outcome figures: search, adding, CSV import all or nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cities import city_figures
from cities.models import City, Office
from criteria.models import Assessment, GoodPractice

pytestmark = pytest.mark.django_db


def test_library_filters(client):
    everything = client.get("/practices/").context["practices"].count()
    assert everything == GoodPractice.objects.filter(criterion__framework__is_default=True).count()
    youth = client.get("/practices/?q=youth").context["practices"]
    assert youth and all("youth" in (p.title + p.summary + p.city.name).lower() for p in youth)
    crit = client.get("/practices/?criterion=2&region=latin_america_caribbean")
    assert all(p.criterion.number == 2 and p.city.region == "latin_america_caribbean"
               for p in crit.context["practices"])
    page = client.get("/practices/?city=edmonton").content.decode()
    assert "/offices/reach-edmonton/" in page


def test_secretariat_adds_practice_from_reviewed_assessment(client, secretariat):
    client.force_login(secretariat)
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    form = client.get(f"/practices/new/?assessment={cali.pk}&criterion=3").context["form"]
    assert form.initial["city"] == cali.city_id and form.initial["assessment"] == cali.pk
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["title"] = "Diagnosis updated every year"
    result = client.post("/practices/new/", data)
    assert result.status_code == 302
    practice = GoodPractice.objects.get(title="Diagnosis updated every year")
    assert practice.assessment == cali and practice.added_by == secretariat


@pytest.mark.parametrize("persona", ["anonymous", "editor_a", "researcher"])
def test_only_secretariat_adds_practices(as_persona, persona):
    assert as_persona(persona).get("/practices/new/").status_code in {302, 403}


GOOD = ("city,year,kind,label,value,qualifier,area,source\n"
        "cali,2019,homicide_rate,,47.0,exact,,Cali observatory\n"
        "cali,2020,homicide_rate,,45.5,,,Cali observatory\n")


def _upload(client, text):
    return client.post("/outcomes/import/", {
        "file": SimpleUploadedFile("figures.csv", text.encode(), "text/csv")})


def test_import_all_rows(client, secretariat):
    client.force_login(secretariat)
    before = city_figures.figures().count()
    assert _upload(client, GOOD).status_code == 302
    assert city_figures.figures().count() == before + 2


def test_import_with_a_bad_row_imports_nothing(client, secretariat):
    client.force_login(secretariat)
    before = list(city_figures.figures().order_by("pk").values_list("pk", "value"))
    bad = GOOD + ("cali,2035,homicide_rate,,1,,,x\n"
                  "cali,2021,murders,,-4,,,\n"
                  "atlantis,2021,homicides,,10,,,x\n"
                  "cali,2019,homicide_rate,,47.0,exact,,dup\n")
    result = _upload(client, bad)
    assert result.status_code == 422
    found = {(e.line, e.field) for e in result.context["errors"]}
    assert {(4, "year"), (5, "kind"), (5, "value"), (5, "source"), (6, "city"),
            (7, "year")} <= found
    assert list(city_figures.figures().order_by("pk").values_list("pk", "value")) == before


def test_import_rejects_existing_figures(client, secretariat):
    client.force_login(secretariat)
    before = city_figures.figures().count()
    result = _upload(client, "city,year,kind,label,value,qualifier,area,source\n"
                             "cali,2022,homicide_rate,,43.1,,,again\n")
    assert result.status_code == 422
    assert [(e.line, e.field) for e in result.context["errors"]] == [(2, "year")]
    assert "already has this figure for 2022" in result.context["errors"][0].message
    assert city_figures.figures().count() == before


def test_import_refuses_missing_columns_and_non_utf8(client, secretariat):
    client.force_login(secretariat)
    assert (1, "source") in {(e.line, e.field) for e in
                             _upload(client, "city,year,kind,value\n").context["errors"]}
    result = client.post("/outcomes/import/", {
        "file": SimpleUploadedFile("f.csv", "ciudad,año\n".encode("latin-1"), "text/csv")})
    assert result.status_code == 422


def test_outcome_pages_and_chart(client):
    page = client.get("/outcomes/").content.decode()
    assert "Palmira" in page and "<svg" in page
    city = client.get("/outcomes/palmira/")
    # The line starts at 2022 (42.9), the first figure after the 2019 baseline year, not at
    # 2011's 98.1.
    assert city.context["trend"].target.value == Decimal("21.45")
    assert 'id="chart-trend"' in city.content.decode()


def test_generate_synthetic_is_flagged_and_kept_apart():
    call_command("generate_synthetic", offices=7, rounds=2, stdout=io.StringIO())
    assert Office.objects.filter(is_synthetic=True).count() == 7
    assert City.objects.filter(is_synthetic=True).count() == 2
    synthetic = Assessment.objects.filter(is_synthetic=True)
    assert synthetic.count() == 14 and not synthetic.filter(is_public=True).exists()
    assert not synthetic.exclude(responses__isnull=False).exists()
    with pytest.raises(Exception, match="already exists"):
        call_command("generate_synthetic", offices=7, rounds=2, stdout=io.StringIO())
    call_command("generate_synthetic", offices=3, rounds=1, replace=True, stdout=io.StringIO())
    assert Office.objects.filter(is_synthetic=True).count() == 3
