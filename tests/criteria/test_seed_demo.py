"""seed_demo loads what the report says, idempotently, and refuses what it must."""

import io
import re

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import override_settings

from cities import city_figures
from cities.models import City, Network, NetworkRole, Office, OfficeMembership, User
from criteria import seeding
from criteria.models import Assessment, Criterion, Framework

pytestmark = pytest.mark.django_db


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"cities", "criteria", "auth"}
    }


def run_seed(*args):
    out = io.StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_nine_criteria_with_rubric_questions_and_tradeoffs():
    framework = Framework.objects.default()
    criteria = list(framework.criteria.prefetch_related("rubric_levels", "guiding_questions",
                                                        "tradeoffs"))
    assert [c.number for c in criteria] == list(range(1, 10))
    for criterion in criteria:
        assert [r.level for r in criterion.rubric_levels.all()] == [0, 1, 2, 3, 4]
        assert len({r.descriptor for r in criterion.rubric_levels.all()}) == 5
        assert 3 <= criterion.guiding_questions.count() <= 6, criterion
        assert criterion.tradeoffs.exists(), criterion
        assert criterion.definition and criterion.why_it_matters and criterion.key_takeaways


def test_the_sample_has_18_cities_in_10_countries_and_21_offices():
    sample = City.objects.filter(in_report_sample=True)
    assert sample.count() == 18
    assert sample.values("country").distinct().count() == 10
    offices = Office.objects.filter(city__in_report_sample=True)
    assert offices.count() == 21
    for slug in ("cali", "medellin", "chicago"):
        assert Office.objects.filter(city__slug=slug).count() == 2


def test_bristol_coalition_is_planned_and_rosario_has_no_office():
    assert Office.objects.get(slug="bristol-coalition").status == Office.Status.PLANNED
    assert not Office.objects.filter(city__slug="rosario").exists()


def test_chicago_staff_figures_are_exact():
    assert Office.objects.get(slug="chicago-ovr").staff_fte == 10
    assert Office.objects.get(slug="chicago-ovpbh").staff_fte == 58


def test_four_part4_charts_are_published_with_36_filled_cells():
    charts = Assessment.objects.published().filter(
        city__slug__in=["bristol", "cali", "edmonton", "rosario"]
    )
    assert charts.count() == 4
    cells = 0
    for chart in charts:
        responses = chart.responses.all()
        assert responses.count() == 9
        for r in responses:
            assert r.current_strengths.strip() and r.opportunities.strip()
            assert r.level is not None and r.level_rationale.strip()
            cells += 1
    assert cells == 36
    scopes = dict(charts.values_list("city__slug", "scope"))
    assert scopes == {"bristol": "city_ecosystem", "cali": "city_ecosystem",
                      "edmonton": "office", "rosario": "city_ecosystem"}


@pytest.mark.parametrize(
    ("city", "number", "words"),
    [
        ("bristol", 4, ["St. Pauls", "Easton"]),
        ("bristol", 8, ["City Council"]),
        ("edmonton", 2, ["100"]),
        ("cali", 9, ["universit"]),
        ("rosario", 9, ["universit"]),
        ("rosario", 5, ["primary"]),
    ],
)
def test_chart_cells_keep_the_reports_facts(city, number, words):
    response = Assessment.objects.get(city__slug=city, round__code="2023").responses.get(
        criterion__number=number
    )
    text = response.current_strengths + " " + response.opportunities
    for word in words:
        assert word in text


@pytest.mark.parametrize(
    ("city", "year", "kind", "value"),
    [
        ("palmira", 2011, "homicide_rate", "98.10"),
        ("palmira", 2022, "homicide_rate", "42.90"),
        ("cali", 2022, "homicide_rate", "43.10"),
        ("rosario", 2022, "homicides", "287.00"),
        ("rosario", 2022, "homicide_rate", "22.10"),
        ("medellin", 1991, "violent_death_rate", "400.00"),
        ("medellin", 2022, "violent_death_rate", "15.00"),
    ],
)
def test_outcome_figures_are_exact_and_sourced(city, year, kind, value):
    indicator = city_figures.figures_of(City.objects.get(slug=city)).get(
        year=year, indicator__measure=kind)
    assert str(indicator.value) == value
    assert indicator.source.strip()


@pytest.mark.parametrize(
    ("office", "number", "needle"),
    [
        ("oakland-dvp", 1, "five"),
        ("reach-edmonton", 2, "1,000"),
        ("chihuahua-coprev", 3, "three"),
        ("penalolen-human-security", 3, "annual"),
        ("palmira-security-coexistence", 4, "29"),
        ("mechelen-prevention", 4, "0.5"),
        ("stuttgart-sos-kkp", 5, "tertiary"),
        ("pelotas-ggim", 6, "law"),
        ("oakland-dvp", 6, "tax"),
        ("mechelen-prevention", 6, "30"),
        ("reach-edmonton", 9, "report"),
        ("cali-peace-citizen-culture", 9, "open data"),
        ("chihuahua-coprev", 9, "video"),
        ("pelotas-ggim", 9, "evaluation"),
    ],
)
def test_the_reports_good_practices_are_there(office, number, needle):
    criterion = Criterion.objects.get(framework=Framework.objects.default(), number=number)
    practices = criterion.good_practices.filter(office__slug=office)
    assert practices.exists(), (office, number)
    text = " ".join(p.title + " " + p.summary for p in practices).lower()
    assert needle.lower() in text
    assert all(p.source_section for p in practices)


def test_personas_have_their_roles():
    assert OfficeMembership.objects.get(user__username="demo-editor").role == "editor"
    assert OfficeMembership.objects.get(user__username="demo-viewer").role == "viewer"
    assert OfficeMembership.objects.get(user__username="demo-editor-b").office.slug == "oakland-dvp"
    pioc = Network.objects.get(slug="pioc")
    assert NetworkRole.objects.filter(user__username="demo-secretariat", network=pioc,
                                      role="secretariat").exists()
    assert NetworkRole.objects.filter(user__username="demo-researcher", network=pioc,
                                      role="researcher").exists()
    assert User.objects.get(username="demo-editor").check_password("demo-pass-2026")


def test_palmira_has_a_draft_with_nine_empty_responses():
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    assert draft.status == Assessment.Status.DRAFT
    assert draft.responses.count() == 9
    assert not draft.responses.exclude(level=None).exists()


def test_a_second_run_changes_nothing():
    before = row_counts()
    output = run_seed()
    assert "Nothing to change" in output
    assert row_counts() == before


def test_a_second_run_keeps_what_users_typed_in_the_draft(editor_a):
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    draft.responses.filter(criterion__number=1).update(current_strengths="Our own words")
    run_seed()
    assert draft.responses.get(criterion__number=1).current_strengths == "Our own words"


def test_seeding_restores_edited_report_content():
    criterion = Criterion.objects.get(framework=Framework.objects.default(), number=1)
    original = criterion.definition
    Criterion.objects.filter(pk=criterion.pk).update(definition="tampered")
    output = run_seed()
    criterion.refresh_from_db()
    assert criterion.definition == original
    assert "updated 1 criteria" in output


@override_settings(DEBUG=False)
def test_refuses_demo_logins_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=io.StringIO())


@override_settings(DEBUG=False)
def test_loads_data_without_logins_when_asked():
    out = io.StringIO()
    call_command("seed_demo", "--no-personas", stdout=out)
    assert "demo-editor" not in out.getvalue()


def test_bad_seed_data_is_reported_and_nothing_is_written(tmp_path, monkeypatch):
    broken = tmp_path / "network.json"
    data = seeding._read(seeding.NETWORK_FILE)
    data["cities"].append({**data["cities"][0], "slug": "new-city", "name": "New City"})
    data["offices"][0]["founded_year"] = 2999
    import json

    broken.write_text(json.dumps(data))
    monkeypatch.setattr(seeding, "NETWORK_FILE", broken)
    with pytest.raises(CommandError, match="founded_year"):
        run_seed()
    assert not City.objects.filter(slug="new-city").exists()


@pytest.mark.django_db(transaction=True)
def test_a_half_migrated_database_is_refused_with_nothing_written():
    call_command("migrate", "criteria", "zero", verbosity=0)
    try:
        cities_before = City.objects.count()
        users_before = User.objects.count()
        with pytest.raises(CommandError, match="not fully migrated"):
            run_seed()
        assert City.objects.count() == cities_before
        assert User.objects.count() == users_before
    finally:
        call_command("migrate", verbosity=0)


ENGLISH_WORDS = {"of", "for", "and", "the", "office", "secretariat", "department", "directorate",
                 "unit", "ministry", "council", "service", "prevention", "security"}


def test_local_names_are_in_the_local_language_or_empty():
    named = Office.objects.exclude(local_name="")
    assert named.exists()
    for office in named:
        assert office.local_name.casefold() != office.name.casefold(), office.slug
        words = set(re.findall(r"[\w']+", office.local_name.casefold()))
        assert not words & ENGLISH_WORDS, (office.slug, office.local_name)
    english_speaking = Office.objects.filter(city__country__in=["US", "CA", "GB"])
    assert not english_speaking.exclude(local_name="").exists()


def test_an_assessment_profile_and_its_office_record_agree():
    """One truth per fact: the Part 4 profile says what the office record says."""
    pairs = [(Assessment.objects.get(city__slug="edmonton", round__code="2023"),
              Office.objects.get(slug="reach-edmonton")),
             (Assessment.objects.get(city__slug="bristol", round__code="2023"),
              Office.objects.get(slug="bristol-coalition"))]
    for assessment, office in pairs:
        profile = assessment.profile
        for field in ("institutional_location", "prevention_primary", "prevention_secondary",
                      "prevention_tertiary", "staffing_model", "staff_expertise"):
            assert getattr(profile, field) == getattr(office, field), (office.slug, field)


@pytest.mark.parametrize(
    ("city", "levels"),
    [
        ("cali", {1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2}),
        ("edmonton", {1: 3, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3}),
    ],
)
def test_part4_levels_follow_the_rubric_and_say_why(city, levels):
    responses = Assessment.objects.get(
        city__slug=city, round__code="2023").responses.select_related(
        "criterion"
    )
    assert {r.criterion.number: r.level for r in responses} == levels
    for r in responses:
        assert len(r.level_rationale.split()) >= 15, (city, r.criterion.number)


def test_cali_records_secondary_prevention_with_its_source():
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    assert cali.profile.prevention_secondary is True
    sources = cali.responses.get(criterion__number=5).evidence.values_list("source", flat=True)
    assert any("Symposium 2023" in s for s in sources)


def test_a_local_name_that_repeats_the_name_is_refused():
    from django.core.exceptions import ValidationError

    office = Office.objects.get(slug="oakland-dvp")
    office.local_name = "department of violence prevention "
    with pytest.raises(ValidationError) as error:
        office.full_clean()
    assert "local_name" in error.value.message_dict


def test_palmiras_demo_indicators_are_labelled_and_one_is_overdue():
    from cities.models import Indicator

    indicators = list(Indicator.objects.filter(office__slug="palmira-security-coexistence")
                      .with_last_value())
    assert len(indicators) == 3
    assert all(i.name.startswith("[Demo] ") and "Demonstration content" in i.source
               for i in indicators)
    assert [i.name for i in indicators if i.is_stale(i.last_on)] == [
        "[Demo] Young people reached by violence-interruption programmes"]
    # Only Palmira gets demonstration indicators; the seeds state none for other offices.
    assert not Indicator.objects.of_offices().exclude(
        office__slug="palmira-security-coexistence").exists()
