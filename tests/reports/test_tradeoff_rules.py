"""Every tradeoff-note rule, one by one: what triggers it, what does not, what it cites."""

import re
from decimal import Decimal
from pathlib import Path

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
    ("mandate-ahead-of-resources", Facts(levels={1: 3, 6: 1, 7: 2}),
     Facts(levels={1: 2, 6: 1, 7: 1}), "Criterion 6 level: 1"),
    ("police-leadership", Facts(leadership="police"), Facts(leadership="civilian"),
     "Police or security forces"),
    ("overlapping-mandates", Facts(overlapping_mandates=True),
     Facts(overlapping_mandates=True, formal_strategy=True), "Overlapping"),
    ("funder-sway", Facts(funding=(fund("private", "30"), fund("philanthropic", "25"))),
     Facts(funding=(fund("private", "30"), fund("municipal", "70"))), "55 %"),
    ("sustained-participation", Facts(levels={2: 2}), Facts(levels={2: 1}),
     "Criterion 2 level: 2"),
    ("thin-consultation", Facts(levels={2: 1}), Facts(levels={2: None}), "Criterion 2 level: 1"),
    ("no-diagnosis", Facts(levels={3: 1}), Facts(levels={3: 2}), "Criterion 3 level: 1"),
    ("official-undercount", Facts(has_baseline=False, levels={3: 0}),
     Facts(has_baseline=False, levels={3: 2}), "Baseline: none"),
    ("population-breadth", Facts(levels={4: 0}), Facts(levels={4: 2}), "Criterion 4 level: 0"),
    ("broad-only",
     Facts(prevention_primary=True, prevention_secondary=False, prevention_tertiary=False),
     Facts(prevention_primary=True, prevention_secondary=None, prevention_tertiary=False),
     "Primary prevention: part"),
    ("reach-audit", Facts(last_reach_audit_year=2015, as_of_year=2024, levels={4: 4}),
     Facts(last_reach_audit_year=2023, as_of_year=2024, levels={4: 3}), "2015"),
    ("fragmented-population", Facts(overlapping_mandates=True, formal_strategy=False),
     Facts(overlapping_mandates=True, formal_strategy=None), "Formal, signed"),
    ("focused-interventions", Facts(levels={5: 0}), Facts(levels={5: 2}),
     "Criterion 5 level: 0"),
    ("focused-without-primary", Facts(prevention_primary=False, prevention_tertiary=True),
     Facts(prevention_primary=None, prevention_tertiary=True), "Primary prevention"),
    ("secondary-vs-police", Facts(prevention_secondary=False, police_control="national"),
     Facts(prevention_secondary=False, police_control="municipal"), "National"),
    ("approach-coordination",
     Facts(prevention_primary=True, prevention_tertiary=True, levels={5: 3}),
     Facts(prevention_primary=True, prevention_tertiary=True, levels={5: 4}), "tertiary"),
    ("many-funders",
     Facts(funding=(fund("municipal", None), fund("regional", None), fund("national", None))),
     Facts(funding=(fund("municipal", None), fund("regional", None))), "3 funding sources"),
    ("unprotected-budget", Facts(funding=(fund("municipal", "85"),)),
     Facts(funding=(fund("municipal", "85", legally_protected=True),), levels={6: 2}), "85 %"),
    ("donor-priorities", Facts(funding=(fund("international", None, name="USAID"),)),
     Facts(funding=(fund("national", None),)), "USAID"),
    ("project-based-funding",
     Facts(funding=(fund("international", "40"), fund("private", "20", project_based=True))),
     Facts(funding=(fund("international", "30"), fund("municipal", "70"))), "60 %"),
    ("contracts-and-funding",
     Facts(short_term_contracts=True, funding=(fund("international", None),)),
     Facts(short_term_contracts=True, funding=(fund("municipal", None),)), "short-term"),
    ("underfunding", Facts(levels={6: 1}), Facts(levels={6: 2}), "Criterion 6 level: 1"),
    ("outsourced-delivery", Facts(staffing_model="outsourced"),
     Facts(staffing_model="in_house"), "Outsourced"),
    ("short-term-contracts", Facts(short_term_contract_share=Decimal("60")),
     Facts(short_term_contracts=False), "60 %"),
    ("generalist-staff", Facts(staff_expertise="generalists"),
     Facts(staff_expertise="specialists"), "generalists"),
    ("specialist-staff", Facts(staff_expertise="specialists"),
     Facts(staff_expertise="both"), "specialists"),
    ("lived-experience", Facts(levels={7: 3}), Facts(levels={7: 4}), "Criterion 7 level: 3"),
    ("institutional-memory",
     Facts(next_transition_year=2023, next_transition_month=10, as_of_year=2024, levels={7: 2}),
     Facts(next_transition_year=2021, as_of_year=2024, levels={7: 2}), "2023"),
    ("single-champion", Facts(buy_in_single_champion=True),
     Facts(buy_in_single_champion=None), "one champion"),
    ("transition-ahead", Facts(next_transition_year=2027, as_of_year=2026),
     Facts(next_transition_year=2024, as_of_year=2026), "2027"),
    ("buy-in-across-levels", Facts(police_control="state_provincial", levels={8: 3}),
     Facts(police_control="state_provincial", levels={8: 4}), "State or provincial"),
    ("outside-government", Facts(institutional_location="independent_council"),
     Facts(institutional_location="unknown"), "Independent council"),
    ("missing-baseline", Facts(has_baseline=False), Facts(has_baseline=None), "Baseline: none"),
    ("impact-evaluation", Facts(levels={9: 2}),
     Facts(levels={9: 2}, impact_evaluation="done"), "Criterion 9 level: 2"),
    ("activity-not-impact", Facts(impact_evaluation="none"),
     Facts(impact_evaluation="planned"), "none"),
]


def test_every_rule_is_tested():
    assert {c[0] for c in CASES} == set(RULES_BY_SLUG)
    assert len(RULES) == len(RULES_BY_SLUG), "rule slugs must be unique"


@pytest.mark.parametrize(("slug", "hit", "miss", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_rule_fires_on_its_facts_and_says_which(slug, hit, miss, phrase):
    note = note_for(slug, hit)
    assert note is not None
    assert any(phrase in t for t in note.triggers), note.triggers
    assert note_for(slug, miss) is None


@pytest.mark.parametrize("slug", sorted(RULES_BY_SLUG))
def test_rule_stays_silent_when_nothing_is_known(slug):
    assert note_for(slug, Facts()) is None


# "PiOC 2024, Part 3, Criterion 6, n. 36; Part 4, Cali's Coordination": parts, sections, notes.
CITATION = re.compile(
    r"^PiOC 2024, Part [1-5], [^;]+?(, n\. \d+(, n\. \d+)*)?"
    r"(; Part [1-5], [^;]+?(, n\. \d+(, n\. \d+)*)?)*$"
)


@pytest.mark.parametrize("rule", RULES, ids=[r.slug for r in RULES])
def test_rule_cites_part_section_and_endnotes_in_the_schema_format(rule):
    assert CITATION.match(rule.section), rule.section


def _report_text():
    repo = Path(__file__).resolve().parents[2]
    for base in (repo.parent, repo.parent.parent):
        seed = base / "shared" / "seeds" / "001_10e5d9afd786331e.txt"
        if seed.exists():
            return seed.read_text()
    pytest.skip("the report's text (../shared/seeds) is not available here")


SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
PART_HEADINGS = {
    "1": "Civilian Leadership Is Crucial",  # Part 1 starts before its first heading
    "2": "Part 2: Methodology",
    "3": "Part 3: Specific Findings",
    "4": "Part 4: Adapting Lessons",
}


def _section_text(text, part, section):
    """The text of `section` in `part`, up to the next heading of the same kind."""
    body = text[text.index("Endnotes\n\n", text.index("Acknowledgments")) * 0:]
    start = body.index(PART_HEADINGS[part]) if part in PART_HEADINGS else 0
    lines = body[start:].split("\n")
    for i, line in enumerate(lines):
        heading = line.strip().lower()
        if heading == section.lower() or heading.startswith(section.lower() + ":"):
            out = []
            for later in lines[i + 1:]:
                stripped = later.strip()
                if re.match(r"^(Criterion \d|Part \d:|[A-Z][a-z]+'s [A-Z][a-z]+$|Endnotes$)",
                            stripped) or stripped in (
                        "Balance Specificity and Comprehensiveness", "Ensure Sufficient Autonomy",
                        "Increase Political and Societal Buy-In to Ensure Sustainability",
                        "Coordinate a Whole-of-City Approach to Prevention",
                        "Ensure Resources Meet Ambition", "Sample and Subsample Selection",
                        "Definition and Rationale of Criteria",
                        "Differences between US OVPs and Non-US Offices"):
                    break
                out.append(later)
            return "\n".join(out).translate(SUPERSCRIPTS)
    raise AssertionError(f"no section {section!r} in Part {part}")


@pytest.mark.parametrize("rule", RULES, ids=[r.slug for r in RULES])
def test_every_endnote_a_rule_cites_is_marked_in_the_cited_section(rule):
    text = _report_text()
    for part, section, endnotes in re.findall(
        r"Part (\d), ([^;]+?)((?:, n\. \d+)*)(?:;|$)", rule.section
    ):
        passage = _section_text(text, part, section)
        for number in re.findall(r"\d+", endnotes):
            assert re.search(rf"(?<![\d$])(?<!\d[.,]){number}(?![\d%])", passage), (
                rule.slug, section, number)


@pytest.mark.django_db
@pytest.mark.parametrize("rule", RULES, ids=[r.slug for r in RULES])
def test_rule_rests_on_a_tradeoff_of_the_seeded_framework(rule):
    assert Tradeoff.objects.filter(
        criterion__framework__is_default=True, criterion__number=rule.criterion,
        title_en=rule.tradeoff,
    ).exists()


def test_notes_come_in_criterion_order():
    notes = tradeoff_notes(Facts(has_baseline=False, institutional_location="mayors_office",
                                 staffing_model="outsourced"))
    assert [n.criterion_number for n in notes] == [1, 7, 9]


def test_the_diagnosis_cycle_raises_no_tradeoff_note_either_way():
    # The report calls Peñalolén's annual diagnostic remarkable (Part 3, Criterion 3), so a
    # yearly cycle is no fault; a diagnosis past its own cycle is a matter for the rubric
    # (criteria/consistency.py, rule diagnosis-cycle), not one of the report's tradeoffs.
    yearly = Facts(last_diagnosis_year=2023, diagnosis_cycle_years=1, as_of_year=2023,
                   levels={3: 4})
    stale = Facts(last_diagnosis_year=2015, diagnosis_cycle_years=3, as_of_year=2024,
                  levels={3: 4})
    assert tradeoff_notes(yearly) == [] and tradeoff_notes(stale) == []


def test_no_diagnosis_note_does_not_fire_on_an_unknown_year_alone():
    assert note_for("no-diagnosis", Facts(levels={3: 2})) is None
    body = str(RULES_BY_SLUG["no-diagnosis"].body)
    assert "quickly" not in body and "expensive" in body


def test_secondary_prevention_note_keeps_the_reports_hedge():
    body = str(RULES_BY_SLUG["secondary-vs-police"].body)
    assert "often means" not in body and "may step back" in body


def test_a_legally_protected_source_silences_the_budget_note_whatever_the_level():
    facts = Facts(funding=(fund("municipal", "100", legally_protected=True),), levels={6: 1})
    assert note_for("unprotected-budget", facts) is None


def test_short_term_contract_share_of_zero_does_not_trigger():
    assert note_for("short-term-contracts", Facts(short_term_contract_share=Decimal(0))) is None


def _words(text):
    return re.findall(r"[a-z0-9$.]+", text.lower().replace("’", "'"))


def test_note_texts_are_in_our_own_words():
    report = _words(_report_text())
    runs = {tuple(report[i:i + 10]) for i in range(len(report) - 9)}
    for rule in RULES:
        for text in (str(rule.title), str(rule.body)):
            words = _words(text)
            copied = [" ".join(words[i:i + 10]) for i in range(len(words) - 9)
                      if tuple(words[i:i + 10]) in runs]
            assert not copied, (rule.slug, copied)
