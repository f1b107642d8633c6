"""The comparison page: filters in the URL, what each reader sees, fixed query counts."""

import io

import pytest
from django.core.management import call_command

from reports.comparison import ComparisonFilters, build_comparison, filtered_assessments

pytestmark = pytest.mark.django_db


def _compare(user, query=""):
    from django.http import QueryDict

    form = ComparisonFilters.from_query(QueryDict(query))
    assert form.is_valid(), form.error_dict()
    return build_comparison(filtered_assessments(user, form.cleaned_data),
                            radar_ids=form.cleaned_data["radar"])


def test_researcher_sees_published_only(researcher, palmira_draft):
    result = _compare(researcher)
    assert palmira_draft.pk not in {r.assessment_id for r in result.rows}
    assert result.subject_count == 4 and not result.includes_unpublished


def test_secretariat_sees_drafts_too(secretariat, palmira_draft):
    result = _compare(secretariat)
    assert palmira_draft.pk in {r.assessment_id for r in result.rows}
    assert result.includes_unpublished


@pytest.mark.parametrize(("query", "subjects"), [
    ("region=europe", {"Bristol"}),
    ("country=CA", {"Edmonton"}),
    ("us=us", {"Testville"}),
    ("us=non_us&region=latin_america_caribbean", {"Cali", "Rosario"}),
    ("location=public_health", {"Testville"}),
    ("approach=primary&approach=tertiary", {"Cali"}),
    ("budget=1m_5m", {"Testville"}),
    ("budget=not_reported&city=testville", set()),
    ("office=testville-ovp&city=cali", {"Testville", "Cali"}),
    ("network=pioc&round=2024", {"Testville"}),
])
def test_filters(researcher, tiny, query, subjects):
    assert {r.city for r in _compare(researcher, query).rows} == subjects


def test_latest_round_on_heatmap_and_trend_over_rounds(researcher, tiny):
    result = _compare(researcher, "office=testville-ovp")
    assert [r.round for r in result.rows] == ["2025"]
    assert result.rows[0].levels[:2] == [2, 4]
    # One office: every round's n is 1, below the minimum, so no median and no chart.
    assert result.trend.rounds == ["2024", "2025"] and result.trend.panel == [
        "Testville OVP (Testville)"]
    assert [c.summary.n for c in result.trend.criteria[0].cells] == [1, 1]
    assert result.trend.chart is None and "at least 3" in result.trend.empty_reason
    assert result.distribution[1] == [0, 0, 1, 0, 0]


def test_radar_takes_at_most_six(researcher, tiny):
    ids = "&".join(f"radar={a.pk}" for a in tiny["assessments"])
    result = _compare(researcher, f"office=testville-ovp&{ids}")
    assert [r.round for r in result.radar_rows] == ["2024", "2025"]
    form = ComparisonFilters.from_query(
        __import__("django.http").http.QueryDict("&".join(f"radar={i}" for i in range(1, 8))))
    assert not form.is_valid() and "radar" in form.error_dict()


def test_page_shows_charts_and_export_links(client, researcher, tiny, cohort):
    client.force_login(researcher)
    html = client.get("/compare/?office=testville-ovp&city=cohortville").content.decode()
    for marker in ('id="chart-heatmap"', 'id="chart-radar"', 'id="chart-distribution"',
                   'id="chart-trend"', "/compare/export.xlsx?office=testville-ovp",
                   "/api/comparison/?office=testville-ovp",
                   "/compare/trend.csv?office=testville-ovp&amp;city=cohortville",
                   "/api/comparison/trend/?office=testville-ovp&amp;city=cohortville"):
        assert marker in html


@pytest.mark.parametrize("size", [5, 60])
def test_comparison_query_count_is_fixed(client, researcher, django_assert_num_queries, size):
    call_command("generate_synthetic", offices=size, rounds=3, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    # session, user, their roles (the MFA rule, the navigation); rounds for the round
    # picker; assessments, criteria, responses; the form's option lists: offices, cities;
    # the checkboxes with data: countries and regions, networks.
    with django_assert_num_queries(11):
        assert client.get("/compare/?synthetic=include").status_code == 200


def test_hand_pick_lists_name_real_offices_and_what_is_chosen(client, researcher, tiny):
    call_command("generate_synthetic", offices=6, rounds=1, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    html = client.get("/compare/?synthetic=only").content.decode()
    assert 'value="testville-ovp"' in html and 'value="synthetic-office-00001"' not in html
    assert "find them with" in html  # says where the generated offices went
    # A generated office chosen by its slug is listed (and selected), so it can be unchosen.
    html = client.get("/compare/?synthetic=only&office=synthetic-office-00001").content.decode()
    assert 'value="synthetic-office-00001" selected' in html
    assert 'value="synthetic-office-00002"' not in html


def test_page_names_at_most_a_hundred_panel_members(client, researcher):
    call_command("generate_synthetic", offices=120, rounds=2, researcher=["demo-researcher"],
                 stdout=io.StringIO())
    client.force_login(researcher)
    html = client.get("/compare/?synthetic=only").content.decode()
    assert "Synthetic Office 00099 (Synthetic City 00019)" in html
    assert "Synthetic Office 00100 (Synthetic City 00020)" not in html
    assert "and 20 more." in html


# --- the selector against a plain reference computation ----------------------------------------


@pytest.fixture
def gappy(db):
    """Eleven subjects over four rounds and two frameworks, with gaps of every kind.

    Rounds 2023, 2024, 2025 use the default framework; round 2024-b (another network, opening
    mid-2024) a second framework with the same criteria plus a tenth. Ten offices in two cities
    and one city's prevention ecosystem; the first four subjects are assessed in every round,
    the others in some; a level is given, left empty (None) or not answered at all, and one
    assessment has no responses."""
    import datetime as dt
    import random

    from cities.models import City, Network, NetworkMembership, Office
    from criteria.models import Assessment, Criterion, CriterionResponse, Framework
    from tests.rounds import make_round

    rng = random.Random(7)  # noqa: S311  (test data, not secrets)
    default = Framework.objects.default()
    second = Framework.objects.create(slug="gappy-fw", version="2", name="Second framework")
    for c in default.criteria.all():
        Criterion.objects.create(framework=second, number=c.number, slug=c.slug, name=c.name,
                                 definition="Same.")
    Criterion.objects.create(framework=second, number=10, slug="gappy-extra",
                             name="An extra criterion", definition="Only here.")
    pioc = Network.objects.get(slug="pioc")
    other = Network.objects.create(slug="gappy-net", name="Gappy network")
    cities = [City.objects.create(slug=f"gappy-{k}", name=f"Gappy {k}", country="GB",
                                  region="europe") for k in ("north", "south")]
    for city in cities:
        NetworkMembership.objects.create(network=pioc, city=city)
        NetworkMembership.objects.create(network=other, city=city)
    offices = [Office.objects.create(slug=f"gappy-office-{i}", city=cities[i % 2],
                                     name=f"Gappy office {i:02}") for i in range(10)]
    rounds = [make_round(pioc, str(y), opens_on=dt.date(y, 1, 1), closes_on=dt.date(y, 12, 31))
              for y in (2023, 2024, 2025)]
    rounds.insert(2, make_round(other, "2024-b", framework=second, opens_on=dt.date(2024, 6, 1),
                                closes_on=dt.date(2024, 12, 31)))
    subjects = [(o, o.city) for o in offices] + [(None, cities[0])]
    for k, (office, city) in enumerate(subjects):
        for rnd in rounds:
            if k >= 4 and rng.random() < 0.35:
                continue  # not assessed in this round
            a = Assessment.objects.create(
                framework=rnd.framework, office=office, city=city, round=rnd,
                scope="office" if office else "city_ecosystem",
                status=Assessment.Status.PUBLISHED, is_public=True,
                published_at=dt.datetime(rnd.opens_on.year, 6, 1, tzinfo=dt.UTC),
                level_note="Read from a chart." if k == 5 else "")
            if k == 6 and rnd.code == "2024":
                continue  # no responses at all
            for criterion in rnd.framework.criteria.all():
                roll = rng.random()
                if roll < 0.1:
                    continue  # not answered
                CriterionResponse.objects.create(
                    assessment=a, criterion=criterion,
                    level=None if roll < 0.2 else rng.randint(0, 4))


def _reference(assessments, view):
    """What the comparison should say, worked out the plain way from model objects."""
    from criteria.models import Criterion, level_source_of
    from reports.statistic import summarise

    rows = list(assessments.select_related("round", "office", "city")
                .prefetch_related("responses__criterion"))
    criteria = list(Criterion.objects.filter(framework__in={a.framework_id for a in rows})
                    .order_by("number").values_list("number", "slug", "name").distinct())
    opens = {}
    for a in rows:
        opens[a.round.code] = min(opens.get(a.round.code, a.round.opens_on), a.round.opens_on)
    rounds = sorted(opens, key=lambda c: (opens[c], c))

    def key(a):
        return ("office", a.office_id) if a.office_id else ("city", a.city_id)

    def levels(a):
        given = {r.criterion.number: r.level for r in a.responses.all()}
        return [given.get(n) for n, _slug, _name in criteria]

    latest = {}
    for a in rows:
        if key(a) not in latest or rounds.index(a.round.code) > rounds.index(
                latest[key(a)].round.code):
            latest[key(a)] = a
    ordered = sorted(latest.values(), key=lambda a: (a.city.name, str(a.subject)))
    distribution = {n: [0] * 5 for n, _slug, _name in criteria}
    for a in ordered:
        for (n, _slug, _name), level in zip(criteria, levels(a), strict=True):
            if level is not None:
                distribution[n][level] += 1
    by_round = {(key(a), a.round.code): a for a in rows}
    subjects = {key(a) for a in rows}
    every = {s for s in subjects if all((s, r) in by_round for r in rounds)}
    trend = []
    for i, (n, _slug, _name) in enumerate(criteria):
        cells = []
        for r in rounds:
            if view == "panel":  # subjects with a level on this criterion in every round
                members = [s for s in subjects if all(
                    (s, rr) in by_round and levels(by_round[s, rr])[i] is not None
                    for rr in rounds)]
                cell = [levels(by_round[s, r])[i] for s in members]
            else:
                cell = [levels(a)[i] for a in rows if a.round.code == r]
            cells.append((r, summarise(cell)))
        trend.append((n, cells))
    sources = {}
    for a in rows:
        source = level_source_of(status=a.status, level_note=a.level_note)
        sources[source] = sources.get(source, 0) + 1
    return {
        "rows": [(a.pk, a.round.code, str(a.subject), a.city.name, levels(a)) for a in ordered],
        "assessment_count": len(rows), "rounds": rounds, "distribution": distribution,
        "sources": sources, "trend": trend,
        "per_round": [len(every)] * len(rounds) if view == "panel"
        else [sum(a.round.code == r for a in rows) for r in rounds],
        "panel": sorted(f"{by_round[s, rounds[-1]].subject} ({by_round[s, rounds[-1]].city.name})"
                        for s in every) if view == "panel" else [],
    }


@pytest.mark.parametrize("view", ["panel", "all"])
def test_selector_agrees_with_a_plain_reference_computation(researcher, gappy, view):
    from reports.comparison import filtered_assessments

    assessments = filtered_assessments(researcher, {"q": "gappy"})
    result = build_comparison(assessments, trend_view=view, max_rows=4)
    expected = _reference(assessments, view)
    assert len(expected["rows"]) == 11 and len(expected["rounds"]) == 4  # the data has gaps
    assert expected["panel"] if view == "panel" else True
    assert [(r.assessment_id, r.round, r.subject, r.city, r.levels)
            for r in result.rows] == expected["rows"]
    assert result.shown_rows == result.rows[:4] and result.subject_count == 11
    assert result.assessment_count == expected["assessment_count"]
    assert result.rounds == result.trend.rounds == expected["rounds"]
    assert result.distribution == expected["distribution"]
    assert {value: count for value, _label, count in result.sources} == expected["sources"]
    assert [(t.number, [(c.round, c.summary) for c in t.cells])
            for t in result.trend.criteria] == expected["trend"]
    assert result.trend.assessments_per_round == expected["per_round"]
    assert result.trend.panel == expected["panel"]
    assert not result.includes_unpublished and not result.includes_synthetic


def test_radar_rows_are_the_chosen_assessments_in_the_order_chosen(researcher, gappy):
    from reports.comparison import filtered_assessments

    assessments = filtered_assessments(researcher, {"q": "gappy"})
    chosen = list(assessments.order_by("-pk").values_list("pk", flat=True)[:3])
    result = build_comparison(assessments, radar_ids=[*chosen, 10**12])
    assert [r.assessment_id for r in result.radar_rows] == chosen
    assert "not in this comparison" in " ".join(result.notes)
    # Unchosen, the radar shows the heatmap's first rows.
    assert build_comparison(assessments).radar_rows == result.shown_rows[:6]
