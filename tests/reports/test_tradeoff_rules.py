"""Every tradeoff-note rule, one by one: what triggers it, what does not, what it cites."""

from decimal import Decimal

import pytest

from criteria.models import Tradeoff
from reports.tradeoffs import RULES, RULES_BY_SLUG, Facts, Funding, tradeoff_notes


def fund(kind, share, *, project_based=False, legally_protected=False, name=None):
    return Funding(
        name=name or f"{kind} source", kind=kind, kind_label=kind,
        share=None if share is None else Decimal(share),
        project_based=project_based, legally_protected=legally_protected,
    )


def note_for(slug, facts):
    return RULES_BY_SLUG[slug].apply(facts)


# (rule, facts that trigger it, facts that must not, a phrase the triggers must show)
CASES = [
    ("mayors-office", Facts(institutional_location="mayors_office"),
     Facts(institutional_location="city_department"), "Mayor's office"),
    ("separate-department", Facts(institutional_location="public_health"),
     Facts(institutional_location="mayors_office"), "Public health"),
    ("outside-government", Facts(institutional_location="independent_council"),
     Facts(institutional_location="unknown"), "Independent council"),
    ("municipal-concentration", Facts(funding=(fund("municipal", "85"),)),
     Facts(funding=(fund("municipal", "85", legally_protected=True),)), "85 %"),
    ("project-based-funding",
     Facts(funding=(fund("international", "40"), fund("private", "20", project_based=True))),
     Facts(funding=(fund("international", "30"), fund("municipal", "70"))), "60 %"),
    ("many-funders",
     Facts(funding=(fund("municipal", None), fund("regional", None), fund("national", None))),
     Facts(funding=(fund("municipal", None), fund("regional", None))), "3 funding sources"),
    ("outsourced-delivery", Facts(staffing_model="outsourced"),
     Facts(staffing_model="in_house"), "Outsourced"),
    ("generalist-staff", Facts(staff_expertise="generalists"),
     Facts(staff_expertise="specialists"), "generalists"),
    ("specialist-staff", Facts(staff_expertise="specialists"),
     Facts(staff_expertise="both"), "specialists"),
    ("secondary-vs-police", Facts(prevention_secondary=False, police_control="national"),
     Facts(prevention_secondary=False, police_control="municipal"), "National"),
    ("focused-without-primary", Facts(prevention_primary=False, prevention_tertiary=True),
     Facts(prevention_primary=None, prevention_tertiary=True), "Primary prevention"),
    ("broad-consultation", Facts(levels={2: 3}), Facts(levels={2: 2}), "Criterion 2 level: 3"),
    ("thin-consultation", Facts(levels={2: 1}), Facts(levels={2: None}), "Criterion 2 level: 1"),
    ("stale-diagnosis",
     Facts(last_diagnosis_year=2018, diagnosis_cycle_years=3, as_of_year=2024),
     Facts(last_diagnosis_year=2022, diagnosis_cycle_years=3, as_of_year=2024), "2018"),
    ("frequent-diagnosis", Facts(diagnosis_cycle_years=1), Facts(diagnosis_cycle_years=4),
     "every year"),
    ("no-diagnosis", Facts(levels={3: 1}), Facts(levels={3: 1}, last_diagnosis_year=2022),
     "not provided"),
    ("population-breadth", Facts(levels={4: 0}), Facts(levels={4: 2}), "Criterion 4 level: 0"),
    ("single-champion", Facts(buy_in_single_champion=True),
     Facts(buy_in_single_champion=None), "one champion"),
    ("missing-baseline", Facts(has_baseline=False), Facts(has_baseline=None), "Baseline: none"),
    ("mandate-ahead-of-resources", Facts(levels={1: 3, 6: 1, 7: 2}),
     Facts(levels={1: 2, 6: 1, 7: 1}), "Criterion 6 level: 1"),
    ("buy-in-across-levels", Facts(police_control="state_provincial", levels={8: 2}),
     Facts(police_control="state_provincial", levels={8: 3}), "State or provincial"),
]


def test_there_are_at_least_twelve_rules_and_every_one_is_tested():
    assert len(RULES) >= 12
    assert {c[0] for c in CASES} == set(RULES_BY_SLUG)


@pytest.mark.parametrize(("slug", "hit", "miss", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_facts_and_says_which(slug, hit, miss, phrase):
    note = note_for(slug, hit)
    assert note is not None
    assert any(phrase in t for t in note.triggers), note.triggers
    assert note.section.startswith("PiOC 2024, Part")
    assert note_for(slug, miss) is None


@pytest.mark.parametrize("slug", sorted(RULES_BY_SLUG))
def test_rule_stays_silent_when_nothing_is_known(slug):
    assert note_for(slug, Facts()) is None


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES, ids=[r.slug for r in RULES])
def test_rule_rests_on_a_tradeoff_of_the_seeded_framework(rule):
    assert Tradeoff.objects.filter(
        criterion__framework__is_default=True, criterion__number=rule.criterion,
        title=rule.tradeoff,
    ).exists()


def test_notes_come_in_criterion_order():
    notes = tradeoff_notes(Facts(has_baseline=False, institutional_location="mayors_office",
                                 staffing_model="outsourced"))
    assert [n.criterion_number for n in notes] == [1, 7, 9]


@pytest.mark.django_db
def test_cali_brief_gets_the_notes_its_facts_call_for(part4):
    from reports.selectors import brief_queryset, build_office_brief

    cali = brief_queryset().get(pk=part4["cali"].pk)
    brief = build_office_brief(cali, peers_from=cali.__class__.objects.published())
    rules = {n.rule for n in brief.notes}
    # city department and no baseline; secondary prevention is present (TIOS violence
    # interruption, Cali's violence interrupters) and consultation reads as level 2
    assert {"separate-department", "missing-baseline"} <= rules
    assert not {"secondary-vs-police", "broad-consultation"} & rules
