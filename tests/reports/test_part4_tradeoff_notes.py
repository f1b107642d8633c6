"""The Part 4 briefs carry the tradeoffs the report itself raises for each city, and none the
report contradicts. Each expectation quotes (in short) the passage of PiOC 2024 it rests on.

Some expectations hold only once the levels the report supports are in the fixtures (Cali C7
is 2, not 3: level 2 of the rubric names short-term contracts; see the comments)."""

import pytest

from criteria.models import Assessment
from reports.selectors import brief_queryset, build_office_brief


def notes_of(assessment):
    brief = build_office_brief(
        brief_queryset().get(pk=assessment.pk), peers_from=Assessment.objects.published()
    )
    return {n.rule: n for n in brief.notes}


# Rules the report raises for the city, each with the passage.
RAISED = {
    "cali": {
        # Part 4, Cali's Coordination: the two secretariats' "objectives and activities
        # overlap"; the TIOS model's decree "was never signed" (n. 59: no formal policy, unlike
        # Palmira). The report's central point about Cali.
        "overlapping-mandates",
        # Part 4 chart, criterion 4: coordination "could reach larger groups ... and offer more
        # clarity to the focus population".
        "fragmented-population",
        # Part 4: "Sustainable engagement from the secretariats will also facilitate CBOs
        # participation in implementing" (criterion 2).
        "sustained-participation",
        # Part 4 chart, criterion 5: "advancing secondary prevention (involving police)";
        # police answer to the nation (Part 2, Differences between US OVPs and Non-US Offices).
        "secondary-vs-police",
        # Part 4 chart, criterion 6: "Further insulating departmental budgets from political
        # discretion".
        "unprotected-budget",
        # Part 4 chart, criterion 7: "alternative hiring strategies other than short-term
        # contracts".
        "short-term-contracts",
        # Part 4: "While the leading political authorities will certainly change, it would be
        # important to keep the staff in charge of implementing programs" (criterion 7).
        "institutional-memory",
        # Part 4: October 2023 elections; the TIOS model "was discontinued"; formalize it "to
        # ensure it outlasts political transitions".
        "transition-ahead",
        # Part 3, Criterion 9, n. 49: the secretary says impact is hard to measure "because of
        # the lack of a baseline".
        "missing-baseline",
        # Part 4 chart, criterion 9: "Developing impact evaluation assessments, perhaps with
        # local universities".
        "impact-evaluation",
    },
    "edmonton": {
        # Part 4 chart, criterion 8: "Avoiding unnecessary duplication of some initiatives by
        # the municipal government"; REACH is independent of the city.
        "outside-government",
        # Part 4 chart, criterion 2: "even more formal coordination mechanisms ... given the
        # difficulty of sustaining partnerships".
        "sustained-participation",
        # Part 4: Indigenous, newcomer and disenfranchised communities "are sometimes hard to
        # locate" (criterion 4); Part 3, Criterion 4 calls for regular audits of reach.
        "reach-audit",
        # Part 4 chart, criterion 6: "Exploring whether diversifying its funding sources and
        # volume further would be desirable"; funded by three levels of government.
        "many-funders",
        # Part 3, Criterion 7: REACH as the "mixed internal and external model", run by
        # "generalist staffers who partner with specialized community organizations".
        "outsourced-delivery",
        "generalist-staff",
        # Part 4: "finding and retaining staff with these skills has proven to be somewhat
        # difficult" (criterion 7); chart: "Increasing staff diversity and retention".
        "lived-experience",
    },
    "bristol": {
        # Part 4: faith organizations join the coalition "given their deep-rooted legitimacy"
        # in the affected communities (criterion 2, n. 53).
        "thin-consultation",
        # Part 4: the coalition "should start its work with a baseline study" (criterion 3).
        "no-diagnosis",
        "missing-baseline",
        # Part 4: "official figures of nonlethal but serious incidents of violence are
        # underestimated".
        "official-undercount",
        # Part 4 chart, criterion 4: "Focusing on the highest-risk population in St. Pauls and
        # Easton".
        "population-breadth",
        # Part 4 chart, criterion 5: "For short-term impact, emphasizing secondary and tertiary
        # prevention".
        "focused-interventions",
        # Part 4 chart, criterion 9: "Designing citywide impact assessments".
        "impact-evaluation",
    },
    "rosario": {
        # Part 4: the mayor can "formalize a comprehensive violence prevention strategy"
        # (criterion 1); current initiatives are fragmented.
        "overlapping-mandates",
        # Part 4 chart, criterion 2: "Establishing formal partnerships and coordination
        # mechanisms with civil society organizations".
        "thin-consultation",
        # Part 4 chart, criterion 3: "Developing a formal diagnosis".
        "no-diagnosis",
        # Part 4: "a provincial police force that struggles with societal legitimacy"; chart,
        # criterion 5: coordination with the provincial government (Part 3, Criterion 5, n. 34).
        "secondary-vs-police",
        # Part 4 chart, criterion 6: "Embedding budget sustainability in the legal framework".
        "unprotected-budget",
        # Part 4: initiatives are "fragmented and underresourced".
        "underfunding",
        # Part 4 chart, criterion 8: "Seizing on political alignment with the provincial
        # (state) government ... especially involving the provincial police".
        "buy-in-across-levels",
        # Part 4 chart, criterion 9: "Further involving local universities to collect and
        # analyze data for impact evaluation".
        "impact-evaluation",
    },
}

# Rules whose note the report contradicts for the city (or never links to it).
FORBIDDEN = {
    "cali": {
        # Part 4 chart, criterion 2: "Elaboration of diagnostics is inclusive".
        "thin-consultation",
        # Part 4 chart, criterion 3: "continuously updated diagnostics".
        "no-diagnosis", "official-undercount",
        # Part 4 chart, criterion 5: "strong commitment to primary and tertiary prevention".
        "focused-without-primary", "broad-only",
        # Part 4 chart, criterion 6: "At least one secretariat seems appropriately funded".
        "underfunding",
        # Part 3, Criterion 5, n. 32: SPCC staff already share their clients' lived
        # experience. (Holds once Cali C7 is 2, the level whose descriptor names short-term
        # contracts.)
        "lived-experience",
        # The secretariats are city departments.
        "outside-government",
    },
    "edmonton": {
        "thin-consultation",
        # Part 3, Criterion 3 and the chart ("Continue with current approach"): REACH's
        # diagnosis and baseline are held up as an example.
        "no-diagnosis", "official-undercount", "missing-baseline",
        # Part 3, Criterion 9: "one of the better practices" in reporting; chart: "Continue".
        "impact-evaluation", "activity-not-impact",
        # Part 4 chart, criterion 8: "widely recognized and supported by the local government".
        "single-champion",
        # Part 4 chart, criterion 6: three levels of government fund it.
        "unprotected-budget", "underfunding", "project-based-funding",
    },
    "bristol": {
        "single-champion", "focused-without-primary",
    },
    "rosario": {
        # Part 4 chart, criterion 5: programs "mainly centered on primary prevention".
        "focused-without-primary",
        "single-champion",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("city", sorted(RAISED))
def test_part4_notes_include_the_tradeoffs_the_report_raises_for_the_city(part4, city):
    rules = set(notes_of(part4[city]))
    assert RAISED[city] <= rules, sorted(RAISED[city] - rules)


@pytest.mark.django_db
@pytest.mark.parametrize("city", sorted(FORBIDDEN))
def test_part4_notes_include_none_the_report_contradicts_for_the_city(part4, city):
    rules = set(notes_of(part4[city]))
    assert not FORBIDDEN[city] & rules, sorted(FORBIDDEN[city] & rules)


def test_forbidden_rules_exist():
    from reports.tradeoffs import RULES_BY_SLUG

    for city, slugs in FORBIDDEN.items():
        assert slugs <= set(RULES_BY_SLUG), (city, slugs - set(RULES_BY_SLUG))


@pytest.mark.django_db
@pytest.mark.parametrize("city", sorted(RAISED))
def test_no_part4_city_is_warned_of_paralysis(part4, city):
    # Part 3, Criterion 2 names the risk of paralysis but links it to no office; Cali (its plan
    # built with universities, businesses and neighbourhoods) and REACH are its examples of
    # good consultation.
    tradeoffs = {n.tradeoff for n in notes_of(part4[city]).values()}
    titles = {"Broad participation versus paralysis", "Participación amplia frente a parálisis"}
    assert not tradeoffs & titles


@pytest.mark.django_db
def test_calis_central_point_names_both_facts(part4):
    note = notes_of(part4["cali"])["overlapping-mandates"]
    assert any("Overlapping" in t and "yes" in t for t in note.triggers)
    assert any("Formal, signed" in t and "no" in t for t in note.triggers)
    assert note.section == "PiOC 2024, Part 4, Cali's Coordination, n. 59"
