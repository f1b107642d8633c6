"""One filter language: for every filter of every data view, the page, its downloads and
its API twin return the same rows for the same query string; search ignores accents and
case (runs on SQLite and PostgreSQL alike: the folding happens in Python)."""

import json

import pytest

from cities import city_figures
from cities.models import City
from cities.search import fold
from criteria.models import Criterion, GoodPractice


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _api_all(client, url):
    rows, page = [], url
    while page:
        data = client.get(page, HTTP_ACCEPT="application/json").json()
        rows += data["results"]
        page = data["next"]
    return rows


@pytest.fixture
def practices(db):
    criterion = Criterion.objects.get(framework__is_default=True, number=3)
    medellin = City.objects.create(slug="medellin-test", name="Medellín", country="CO",
                                   region="latin_america_caribbean")
    GoodPractice.objects.create(criterion=criterion, city=medellin, title="Presupuesto ÚNICO",
                                summary="Participación comunitaria")
    return medellin


def test_fold_ignores_accents_and_case():
    assert fold("MEDELLÍN  São Paulo") == "medellin sao paulo"
    assert fold("Straße") == "strasse"


def test_search_text_is_kept_on_save(practices):
    practices.name = "Medellín Ciudad"
    practices.save(update_fields=["name"])
    practices.refresh_from_db()
    assert practices.search_text.startswith("medellin ciudad")


@pytest.mark.parametrize("q", ["medellin", "MEDELLÍN", "Medellín", "presupuesto unico",
                               "PARTICIPACION"])
def test_library_search_ignores_accents_and_case(client, practices, q):
    page = client.get("/practices/", {"q": q})
    assert page.status_code == 200
    assert "Presupuesto ÚNICO" in page.content.decode()
    api = client.get("/api/good-practices/", {"q": q}).json()
    assert "Presupuesto ÚNICO" in [p["title"] for p in api["results"]]


def test_every_spelling_finds_the_same_practices(client, practices):
    def ids(q):
        return [p["id"] for p in client.get("/api/good-practices/", {"q": q}).json()["results"]]

    assert ids("medellin") == ids("MEDELLÍN") == ids("Medellín") != []
    assert ids("medellin") != ids("")


LIBRARY_FILTERS = [
    {}, {"q": "edmonton"}, {"q": "medellin"}, {"criterion": "3"}, {"city": "medellin-test"},
    {"country": "CO"}, {"country": ["CO", "CA"]}, {"region": "latin_america_caribbean"},
    {"network": "pioc"}, {"q": "violence", "criterion": "1"},
]


@pytest.mark.parametrize("params", LIBRARY_FILTERS, ids=lambda p: json.dumps(p))
def test_library_page_export_and_api_agree(client, practices, params):
    from criteria.filters import PracticeFilter

    assert set(PracticeFilter.base_filters) <= {k for p in LIBRARY_FILTERS for k in p} | {
        "office"}, "a filter of the library has no agreement case"
    page = client.get("/practices/", params)
    assert page.status_code == 200
    page_ids = [p.pk for p in page.context["practices"]]
    export = json.loads(_body(client.get("/practices/export.json", params)))
    api = _api_all(client, "/api/good-practices/?" + page.wsgi_request.GET.urlencode())
    assert [r["id"] for r in export["rows"]] == page_ids
    assert [r["id"] for r in api] == page_ids
    assert export["about"]["query"] == page.wsgi_request.GET.urlencode()


def test_library_unknown_parameter_is_refused_by_every_twin(client, db):
    assert client.get("/practices/?colour=red").status_code == 400
    assert client.get("/practices/export.csv?colour=red").status_code == 400
    assert client.get("/api/good-practices/?colour=red").status_code == 400


OUTCOME_FILTERS = [{}, {"kind": "homicide_rate"}, {"year_min": "2019"}, {"year_max": "2015"},
                   {"year": "2022"}, {"q": "medellin"}, {"country": "CO"},
                   {"city": "medellin"}, {"synthetic": "include"}]


@pytest.mark.parametrize("params", OUTCOME_FILTERS, ids=lambda p: json.dumps(p))
def test_outcomes_page_export_and_api_agree(client, db, params):
    from cities.api import IndicatorFilter

    assert set(IndicatorFilter.base_filters) <= {k for p in OUTCOME_FILTERS for k in p}
    page = client.get("/outcomes/", params)
    assert page.status_code == 200
    page_rows = sorted((c.slug, i.year, i.measure, i.label)
                       for c, _t, rows in page.context["cards"] for i in rows)
    export = json.loads(_body(client.get("/outcomes/export.json", params)))
    api = _api_all(client, "/api/indicators/?" + page.wsgi_request.GET.urlencode())
    assert sorted((r["city"], r["year"], r["kind"], r["label"]) for r in export["rows"]) == \
        page_rows
    assert len(api) == len(page_rows)
    assert city_figures.figures().exists()


COMPARISON_FILTERS = [
    {}, {"q": "palmira"}, {"q": "CALI"}, {"network": "pioc"}, {"country": "CO"},
    {"region": "latin_america_caribbean"}, {"us": "non_us"}, {"location": "mayors_office"},
    {"approach": "secondary"}, {"budget": "not_reported"}, {"round": "2023"},
    {"office": "palmira-security-coexistence"}, {"city": "cali"}, {"synthetic": "include"},
    {"source": "published"}, {"source": "self_assessed"}, {"source": "reading"},
    {"trend": "all"},
]


@pytest.mark.parametrize("params", COMPARISON_FILTERS, ids=lambda p: json.dumps(p))
def test_comparison_page_export_and_api_agree(client, researcher, params):
    from reports.comparison import ComparisonFilters

    assert set(ComparisonFilters.base_fields) - {"radar"} <= {
        k for p in COMPARISON_FILTERS for k in p}
    client.force_login(researcher)
    page = client.get("/compare/", params)
    assert page.status_code == 200
    comparison = page.context["comparison"]
    page_ids = sorted(r.assessment_id for r in comparison.rows) if comparison.rows else []
    export = json.loads(_body(client.get("/compare/export.json", {**params, "shape": "wide"})))
    export_ids = sorted({r["assessment_id"] for r in export["rows"]})
    api = _api_all(client, "/api/comparison/?" + page.wsgi_request.GET.urlencode())
    # The page's heatmap shows each subject's latest round; the rows behind it are all of them.
    assert set(page_ids) <= set(export_ids)
    assert sorted({r["assessment_id"] for r in api}) == export_ids
    assert comparison.assessment_count == len(export_ids)


def test_export_citation_matches_the_open_data_page(client, db):
    page = client.get("/open-data/")
    assert page.status_code == 200
    export = json.loads(_body(client.get("/compare/export.json?network=pioc")))
    [dataset] = export["about"]["datasets"]
    assert dataset["citation"] in page.content.decode()
    api = client.get("/api/open-data/").json()
    assert [d["citation"] for d in api if d["network"] == "pioc"] == [dataset["citation"]]


def test_open_data_version_changes_when_public_data_change(client, db):
    before = client.get("/api/open-data/").json()[0]["version"]
    practice = GoodPractice.objects.filter(city__networks__slug="pioc").first()
    practice.title = practice.title + " (revised)"
    practice.save()
    assert client.get("/api/open-data/").json()[0]["version"] != before


def test_library_page_query_count_is_fixed(client, practices, django_assert_num_queries):
    # criteria, cities with practices, their networks (the controls); the practices; the
    # navigation's role checks are skipped for an anonymous visitor.
    with django_assert_num_queries(4):
        assert client.get("/practices/?country=CO&q=medellin").status_code == 200


def test_open_data_page_query_count_is_fixed(client, db, django_assert_num_queries):
    # networks with open data; for each (one here): its dataset version — exchange rates and
    # networks of the cities (for the tidy rows' dollar figures), tidy rows, framework,
    # levels, practices, outcomes, latest publication, count.
    with django_assert_num_queries(10):
        assert client.get("/open-data/").status_code == 200


def test_open_data_holds_only_public_assessments(client, db, complete_draft):
    from criteria.models import Assessment

    body = _body(client.get("/open-data/pioc/assessments.csv")).decode("utf-8-sig")
    assert f"\n{complete_draft.pk}," not in body
    public = Assessment.objects.filter(status="published", is_public=True,
                                       city__networks__slug="pioc").first()
    assert public is not None and f"\n{public.pk}," in body


def test_open_data_zip_carries_the_sidecar(client, db):
    import io
    import zipfile

    response = client.get("/open-data/pioc/dataset.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"assessments.csv", "framework.csv", "practices.csv", "outcomes.csv",
            "datapackage.json", "CITATION.txt"} <= set(archive.namelist())
    package = json.loads(archive.read("datapackage.json"))
    api = client.get("/api/open-data/").json()
    pioc = next(d for d in api if d["network"] == "pioc")
    assert package["version"] == pioc["version"]
    assert archive.read("CITATION.txt").decode().strip() == pioc["citation"]
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_xlsx_export_has_an_about_sheet(client, db):
    import io

    from openpyxl import load_workbook

    response = client.get("/practices/export.xlsx?q=edmonton")
    book = load_workbook(io.BytesIO(_body(response)))
    about = dict(book["about"].iter_rows(min_row=2, values_only=True))
    assert about["query"] == "q=edmonton"
    assert about["dataset pioc: citation"] == client.get("/api/open-data/").json()[0]["citation"]


def test_a_country_is_found_by_its_name_in_every_language(client, db):
    for q in ("Brazil", "brasil", "BRASIL"):
        rows = client.get("/api/good-practices/", {"q": q}).json()["results"]
        assert rows and {r["city_slug"] for r in rows} & set(
            City.objects.filter(country="BR").values_list("slug", flat=True)), q


def test_comparison_finds_evidence_titles_only_where_the_reader_may_see_them(
        client, editor_a, researcher, palmira_draft):
    from criteria.models import Evidence

    response = palmira_draft.responses.order_by("criterion__number").first()
    Evidence.objects.create(response=response, kind=Evidence.Kind.NOTE,
                            title="Acta del Consejo de Convivencia ÁREA norte")
    client.force_login(editor_a)
    mine = client.get("/compare/", {"q": "area NORTE"}).context["comparison"]
    assert palmira_draft.pk in {r.assessment_id for r in mine.rows}
    # The researcher may not see the draft, so its evidence finds nothing for them.
    client.force_login(researcher)
    theirs = client.get("/compare/", {"q": "area NORTE"}).context.get("comparison")
    assert theirs.assessment_count == 0
    api = client.get("/api/comparison/", {"q": "area NORTE"}).json()
    assert api["count"] == 0


def test_an_export_of_a_network_without_open_data_cites_no_dataset(client, other_network):
    slug = other_network.network.slug
    export = json.loads(_body(client.get("/practices/export.json", {"network": slug})))
    assert export["rows"] == [] and export["about"]["datasets"] == []
