"""The indicator register: who sees and changes what, the overdue flag, values, the
all-or-nothing CSV import, the version check, exports and the API."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cities.models import Indicator, IndicatorValue, Office

pytestmark = pytest.mark.django_db

PALMIRA = "palmira-security-coexistence"


@pytest.fixture
def palmira():
    return Office.objects.get(slug=PALMIRA)


@pytest.fixture
def private(palmira):
    return palmira.indicators.get(is_public=False)


@pytest.fixture
def public(palmira):
    return palmira.indicators.filter(is_public=True).order_by("name").first()


def _indicator(office, **extra):
    fields = {"name": "Mediations held", "kind": "process", "unit": "mediations",
              "cadence": "quarterly", "is_public": True}
    fields.update(extra)
    return Indicator.objects.create(office=office, **fields)


# --- the overdue rule ---------------------------------------------------------------------


@pytest.mark.parametrize(("cadence", "last", "due"), [
    ("monthly", date(2026, 1, 31), date(2026, 2, 28)),  # the month's last day when shorter
    ("quarterly", date(2025, 11, 30), date(2026, 2, 28)),
    ("half_yearly", date(2026, 3, 31), date(2026, 9, 30)),
    ("yearly", date(2024, 2, 29), date(2025, 2, 28)),
    ("two_yearly", date(2025, 12, 31), date(2027, 12, 31)),
])
def test_a_new_value_is_due_one_cadence_after_the_last(palmira, cadence, last, due):
    indicator = _indicator(palmira, cadence=cadence)
    assert indicator.due_on(last) == due
    assert indicator.is_stale(last, today=due + timedelta(days=1))
    assert not indicator.is_stale(last, today=due)


def test_an_indicator_without_values_is_empty_not_overdue(palmira):
    indicator = _indicator(palmira)
    assert indicator.due_on(None) is None
    assert not indicator.is_stale(None)


# --- pages: who sees and who writes ---------------------------------------------------------


def test_visitors_see_only_public_indicators_members_see_all(client, as_persona, private,
                                                            public):
    url = reverse("cities:office-indicators", args=[PALMIRA])
    html = client.get(url).content.decode()
    assert public.name in html and private.name not in html
    assert client.get(private.get_absolute_url()).status_code == 404
    html = as_persona("viewer_a").get(url).content.decode()
    assert public.name in html and private.name in html
    assert "New indicator" not in html  # viewers read


def test_another_offices_editor_gets_a_404_for_a_private_indicator(as_persona, private):
    client = as_persona("editor_b")
    assert client.get(private.get_absolute_url()).status_code == 404
    assert client.get(reverse("cities:office-indicator-edit", args=[private.pk])).status_code \
        == 404


def test_a_viewer_cannot_add_a_value(as_persona, public):
    before = public.values.count()
    response = as_persona("viewer_a").post(public.get_absolute_url(),
                                           {"on": "2026-01-31", "value": "5"})
    assert response.status_code == 403
    assert public.values.count() == before


def test_the_register_flags_the_overdue_indicator(as_persona):
    html = as_persona("editor_a").get(
        reverse("cities:office-indicators", args=[PALMIRA])).content.decode()
    assert "1 indicator overdue for an update" in html
    assert "Overdue since" in html


def test_register_page_query_count_is_fixed(client, palmira, django_assert_num_queries):
    for n in range(5):
        indicator = _indicator(palmira, name=f"Extra {n}")
        IndicatorValue.objects.create(indicator=indicator, on=date(2025, 1, 1), value=n)
    # 1 office (+city), 2 indicators with their last value dates, 3 the city's outcome
    # figures (the newest of each series kept). Anonymous: no membership query.
    with django_assert_num_queries(3):
        assert client.get(reverse("cities:office-indicators", args=[PALMIRA])).status_code \
            == 200


def test_an_editor_adds_an_indicator_and_three_values(as_persona, palmira):
    client = as_persona("editor_a")
    response = client.post(reverse("cities:office-indicator-add", args=[PALMIRA]), {
        "name": "Ceasefire mediations", "kind": "process", "unit": "mediations",
        "baseline_value": "12", "baseline_year": "2024", "target_value": "40",
        "target_year": "2027", "cadence": "monthly", "source": "Field team log",
        "is_public": "on"})
    indicator = palmira.indicators.get(name="Ceasefire mediations")
    assert response.status_code == 302 and response.url == indicator.get_absolute_url()
    today = timezone.localdate()
    for days, value in ((95, "14"), (65, "18"), (35, "21")):
        on = today - timedelta(days=days)
        assert client.post(indicator.get_absolute_url(),
                           {"on": on.isoformat(), "value": value}).status_code == 302
    assert list(indicator.values.order_by("on").values_list("value", flat=True)) == [
        Decimal("14"), Decimal("18"), Decimal("21")]
    # The last value is 35 days old: a monthly indicator is overdue.
    html = client.get(indicator.get_absolute_url()).content.decode()
    assert 'id="stale-flag"' in html


def test_a_value_for_a_date_that_has_one_is_refused_and_kept(as_persona, public):
    last = public.values.order_by("-on").first()
    response = as_persona("editor_a").post(public.get_absolute_url(),
                                           {"on": last.on.isoformat(), "value": "999"})
    assert response.status_code == 422
    assert "already has a value for this date" in response.content.decode()
    last.refresh_from_db()
    assert last.value != Decimal("999")


def test_missing_baseline_year_names_the_field(as_persona):
    response = as_persona("editor_a").post(
        reverse("cities:office-indicator-add", args=[PALMIRA]),
        {"name": "X", "kind": "outcome", "unit": "u", "baseline_value": "3",
         "cadence": "yearly"})
    assert response.status_code == 422
    assert "Give the year of the baseline value." in response.content.decode()


def test_a_stale_edit_is_refused_with_both_versions_and_the_input_kept(as_persona, public):
    client = as_persona("editor_a")
    url = reverse("cities:office-indicator-edit", args=[public.pk])
    mine = {"name": public.name, "kind": public.kind, "unit": "young people (mine)",
            "cadence": public.cadence, "baseline_value": public.baseline_value,
            "baseline_year": public.baseline_year, "target_value": public.target_value,
            "target_year": public.target_year, "is_public": "on", "version": public.version}
    # Someone saves first.
    Indicator.objects.filter(pk=public.pk).update(unit="participants (theirs)",
                                                  version=public.version + 1)
    response = client.post(url, mine)
    assert response.status_code == 409
    html = response.content.decode()
    assert "participants (theirs)" in html and "young people (mine)" in html
    public.refresh_from_db()
    assert public.unit == "participants (theirs)"
    # Saving again, now at the stored version, applies the editor's text.
    mine["version"] = public.version
    assert client.post(url, mine).status_code == 302
    public.refresh_from_db()
    assert public.unit == "young people (mine)"


# --- the CSV import --------------------------------------------------------------------------


def _csv(text):
    return SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")


def test_a_bad_line_refuses_the_whole_file_naming_line_and_field(as_persona, public, private):
    before = IndicatorValue.objects.count()
    url = reverse("cities:office-indicator-import", args=[PALMIRA])
    text = ("indicator,date,value,note\n"
            f"{public.name},2020-03-31,10,\n"
            f"{private.name},2020-31-03,11,\n"
            "Unknown thing,2020-03-31,12,\n"
            f"{public.name},2020-06-30,lots,\n")
    response = as_persona("editor_a").post(url, {"file": _csv(text)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "<td>3</td><td><code>date</code></td>" in html
    assert "<td>4</td><td><code>indicator</code></td>" in html
    assert "<td>5</td><td><code>value</code></td>" in html
    assert IndicatorValue.objects.count() == before


def test_a_good_file_imports_every_value(as_persona, public, private):
    before = IndicatorValue.objects.count()
    text = ("indicator,date,value,note\n"
            f"{public.name},2020-03-31,10,first\n"
            f"{private.name.upper()},2020-03-31,\"1,200.5\",\n")
    response = as_persona("editor_a").post(
        reverse("cities:office-indicator-import", args=[PALMIRA]), {"file": _csv(text)})
    assert response.status_code == 302
    assert IndicatorValue.objects.count() == before + 2
    assert private.values.get(on=date(2020, 3, 31)).value == Decimal("1200.50")


def test_an_import_never_replaces_a_stored_value(as_persona, public):
    last = public.values.order_by("-on").first()
    text = f"indicator,date,value\n{public.name},{last.on.isoformat()},1\n"
    response = as_persona("editor_a").post(
        reverse("cities:office-indicator-import", args=[PALMIRA]), {"file": _csv(text)})
    assert response.status_code == 422
    assert "values are not replaced by an import" in response.content.decode()
    last.refresh_from_db()
    assert last.value != 1


def test_a_viewer_cannot_import(as_persona, public):
    text = f"indicator,date,value\n{public.name},2020-03-31,1\n"
    response = as_persona("viewer_a").post(
        reverse("cities:office-indicator-import", args=[PALMIRA]), {"file": _csv(text)})
    assert response.status_code == 403
    assert not public.values.filter(on=date(2020, 3, 31)).exists()


# --- exports ---------------------------------------------------------------------------------


def test_export_gives_visitors_public_indicators_only(client, as_persona, public, private):
    url = reverse("reports:indicator-export", args=[PALMIRA, "json"])
    rows = json.loads(b"".join(client.get(url).streaming_content))
    names = {r["indicator"] for r in rows}
    assert public.name in names and private.name not in names
    rows = json.loads(b"".join(as_persona("viewer_a").get(url).streaming_content))
    assert private.name in {r["indicator"] for r in rows}
    assert len([r for r in rows if r["indicator"] == public.name]) == public.values.count()


# --- criterion pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "shown"), [(3, True), (9, True), (4, False)])
def test_criteria_3_and_9_show_what_the_office_measures(as_persona, palmira_draft, private,
                                                       number, shown):
    html = as_persona("editor_a").get(
        reverse("criteria:response-edit", args=[palmira_draft.pk, number])).content.decode()
    assert ('id="office-indicators"' in html) is shown
    assert (private.name in html) is shown


# --- the API ---------------------------------------------------------------------------------


def test_api_lists_public_indicators_to_visitors(client, public, private):
    data = client.get("/api/office-indicators/?office=" + PALMIRA).json()
    names = {r["name"] for r in data["results"]}
    assert public.name in names and private.name not in names
    assert client.get(f"/api/office-indicators/{private.pk}/").status_code == 404


def test_api_editor_creates_patches_with_if_match_and_adds_values(as_persona, palmira):
    client = as_persona("editor_a")
    created = client.post("/api/office-indicators/", {
        "office": PALMIRA, "name": "Referral follow-ups", "kind": "coordination",
        "unit": "%", "cadence": "quarterly", "is_public": False}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk, etag = created.json()["id"], created["ETag"]
    url = f"/api/office-indicators/{pk}/"
    assert client.patch(url, {"unit": "% of referrals"},
                        content_type="application/json").status_code == 428
    assert client.patch(url, {"unit": "x"}, content_type="application/json",
                        HTTP_IF_MATCH='"99"').status_code == 412
    patched = client.patch(url, {"unit": "% of referrals"}, content_type="application/json",
                           HTTP_IF_MATCH=etag)
    assert patched.status_code == 200 and patched.json()["unit"] == "% of referrals"
    added = client.post(url + "values/", {"on": "2025-12-31", "value": "41.5"},
                        content_type="application/json")
    assert added.status_code == 201
    again = client.post(url + "values/", {"on": "2025-12-31", "value": "50"},
                        content_type="application/json")
    assert again.status_code == 400 and "on" in again.json()
    assert Indicator.objects.get(pk=pk).values.get().value == Decimal("41.5")


def test_api_refuses_writes_from_a_viewer_and_another_office(as_persona, public):
    before = public.values.count()
    for persona in ("viewer_a", "editor_b"):
        response = as_persona(persona).post(
            f"/api/office-indicators/{public.pk}/values/", {"on": "2020-01-31", "value": "1"},
            content_type="application/json")
        assert response.status_code == 403, persona
        response = as_persona(persona).post("/api/office-indicators/", {
            "office": PALMIRA, "name": "Sneaky", "kind": "other", "unit": "u",
            "cadence": "yearly"}, content_type="application/json")
        assert response.status_code == 403, persona
    assert public.values.count() == before
    assert not Indicator.objects.filter(name="Sneaky").exists()


def test_the_brief_lists_public_indicators_only_even_to_members(as_persona, palmira_draft,
                                                                public, private):
    html = as_persona("viewer_a").get(
        reverse("reports:brief", args=[palmira_draft.pk])).content.decode()
    assert 'id="indicators-h"' in html
    assert public.name in html and private.name not in html
