"""Tradeoff notes: rules over an assessment's profile facts and levels.

Each rule reads `Facts` (what the office said about itself, and its nine levels), and when it
applies returns the facts that triggered it, as readable phrases. The note it produces names
the tradeoff of the PiOC report it rests on and cites the report section, so a reader can check
the reasoning. Unknown facts (None / "unknown") never trigger a rule: a note must rest on
something the office actually said. A level the office chose is such a fact; where a rule fires
on a level, the comment says which words of the rubric descriptor it relies on.

Every one of the report's 49 tradeoffs (fixtures/pioc_framework.json) has a rule here, keyed by
its English title, or a reason in docs/reports.md why no recorded fact can trigger one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from cities.models import InstitutionalLocation, PoliceControl, StaffExpertise, StaffingModel
from criteria.models import LEVEL_NAMES, FundingSource, OfficeProfile


@dataclass(frozen=True)
class Funding:
    name: str
    kind: str
    kind_label: str
    share: Decimal | None
    project_based: bool
    legally_protected: bool


@dataclass(frozen=True)
class Facts:
    """The inputs of the rules, detached from the ORM so rules are plain functions."""

    institutional_location: str = InstitutionalLocation.UNKNOWN
    police_control: str = PoliceControl.UNKNOWN
    staffing_model: str = StaffingModel.UNKNOWN
    staff_expertise: str = StaffExpertise.UNKNOWN
    prevention_primary: bool | None = None
    prevention_secondary: bool | None = None
    prevention_tertiary: bool | None = None
    focus_population: str = ""
    has_baseline: bool | None = None
    last_diagnosis_year: int | None = None
    diagnosis_cycle_years: int | None = None
    buy_in_single_champion: bool | None = None
    leadership: str = "unknown"
    formal_strategy: bool | None = None
    overlapping_mandates: bool | None = None
    short_term_contracts: bool | None = None
    short_term_contract_share: Decimal | None = None
    impact_evaluation: str = "unknown"
    last_reach_audit_year: int | None = None
    next_transition_year: int | None = None
    next_transition_month: int | None = None
    funding: tuple[Funding, ...] = ()
    # criterion number -> level (None when not given or not applicable)
    levels: dict[int, int | None] = field(default_factory=dict)
    as_of_year: int | None = None

    @classmethod
    def from_assessment(cls, assessment, responses, as_of_year):
        """Read the facts of `assessment` (its profile may be missing) and its responses."""
        levels = {r.criterion.number: r.level for r in responses}
        profile = getattr(assessment, "profile", None)
        if profile is None:
            return cls(levels=levels, as_of_year=as_of_year)
        funding = tuple(
            Funding(
                name=s.name,
                kind=s.kind,
                kind_label=str(s.get_kind_display()),
                share=s.share_percent,
                project_based=s.project_based,
                legally_protected=s.legally_protected,
            )
            for s in profile.funding_sources.all()
        )
        return cls(
            institutional_location=profile.institutional_location,
            police_control=profile.police_control,
            staffing_model=profile.staffing_model,
            staff_expertise=profile.staff_expertise,
            prevention_primary=profile.prevention_primary,
            prevention_secondary=profile.prevention_secondary,
            prevention_tertiary=profile.prevention_tertiary,
            focus_population=profile.focus_population,
            has_baseline=profile.has_baseline,
            last_diagnosis_year=profile.last_diagnosis_year,
            diagnosis_cycle_years=profile.diagnosis_cycle_years,
            buy_in_single_champion=profile.buy_in_single_champion,
            leadership=profile.leadership,
            formal_strategy=profile.formal_strategy,
            overlapping_mandates=profile.overlapping_mandates,
            short_term_contracts=profile.short_term_contracts,
            short_term_contract_share=profile.short_term_contract_share,
            impact_evaluation=profile.impact_evaluation,
            last_reach_audit_year=profile.last_reach_audit_year,
            next_transition_year=profile.next_transition_year,
            next_transition_month=profile.next_transition_month,
            funding=funding,
            levels=levels,
            as_of_year=as_of_year,
        )

    def level(self, number):
        return self.levels.get(number)


@dataclass(frozen=True)
class TradeoffNote:
    rule: str
    criterion_number: int
    title: str
    body: str
    triggers: list[str]
    section: str
    tradeoff: str


@dataclass(frozen=True)
class Rule:
    slug: str
    criterion: int
    # The framework's Tradeoff title (English, as in fixtures/pioc_framework.json) this note
    # rests on: the stable key that maps rules to the report's 49 tradeoffs (docs/reports.md).
    tradeoff: str
    # Where in the report the passage the note uses is, with its endnotes.
    section: str
    title: object
    body: object
    test: Callable[[Facts], list[str] | None]

    def apply(self, facts: Facts) -> TradeoffNote | None:
        triggers = self.test(facts)
        if not triggers:
            return None
        return TradeoffNote(
            rule=self.slug,
            criterion_number=self.criterion,
            title=str(self.title),
            body=str(self.body),
            triggers=[str(t) for t in triggers],
            section=self.section,
            tradeoff=self.tradeoff,
        )


# --- phrases for the facts that trigger a rule -----------------------------------------------


def _location(facts):
    label = InstitutionalLocation(facts.institutional_location).label
    return _("Institutional location: %(value)s") % {"value": label}


def _police(facts):
    label = PoliceControl(facts.police_control).label
    return _("Police answer to: %(value)s") % {"value": label}


def _level(facts, number):
    level = facts.level(number)
    return _("Criterion %(n)s level: %(level)s — %(name)s") % {
        "n": number, "level": level, "name": LEVEL_NAMES[level],
    }


def _share(value):
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def _known(value):
    return value is not None




def _yes_no(label, value):
    return _("%(fact)s: %(answer)s") % {"fact": label, "answer": _("yes") if value else _("no")}


def _percent(value):
    return _("%(share)s %%") % {"share": _share(value)}


def _transition(f):
    if f.next_transition_month:
        when = formats.date_format(
            date(f.next_transition_year, f.next_transition_month, 1), "YEAR_MONTH_FORMAT"
        )
    else:
        when = str(f.next_transition_year)
    return _("Election or political transition: %(when)s (assessment as of %(as_of)s)") % {
        "when": when, "as_of": f.as_of_year,
    }


def _at_most(f, number, top):
    level = f.level(number)
    return _known(level) and level <= top


def _at_least(f, number, bottom):
    level = f.level(number)
    return _known(level) and level >= bottom


def _other_level_police(f):
    return f.police_control in (PoliceControl.STATE_PROVINCIAL, PoliceControl.NATIONAL)


def _share_of(f, keep):
    """Sum of the known shares of the funding sources `keep` selects."""
    return sum((s.share for s in f.funding if s.share and keep(s)), Decimal(0))


def _on_short_term_contracts(f):
    """Phrases saying staff are on short-term contracts, or [] when that is not recorded."""
    if f.short_term_contract_share is not None and f.short_term_contract_share > 0:
        return [_("Staff on short-term contracts: %(share)s") % {
            "share": _percent(f.short_term_contract_share)}]
    if f.short_term_contracts is True:
        return [_yes_no(_("Staff hired on short-term contracts"), True)]
    return []


def _transition_recent_or_ahead(f):
    """A transition in the year before the assessment or later: the new administration is
    deciding, or is about to decide, what to keep (the report's Cali and Rosario sections
    address the incoming administration)."""
    return (
        f.next_transition_year is not None
        and f.as_of_year is not None
        and f.next_transition_year >= f.as_of_year - 1
    )


# A reach audit counts as regular if it is at most this many years old: the report's own
# example of a regular cycle is COPREV's three-year comprehensive diagnosis (Part 3, Criterion 3).
REACH_AUDIT_YEARS = 3


# --- the rules --------------------------------------------------------------------------------
# Each returns the phrases of the facts that trigger it, or None. A rule fires only on facts the
# office recorded (a level it chose is such a fact); an unknown fact never triggers one.


def _mayors_office(f):
    if f.institutional_location == InstitutionalLocation.MAYORS_OFFICE:
        return [_location(f)]
    return None


def _department(f):
    if f.institutional_location in (
        InstitutionalLocation.CITY_DEPARTMENT, InstitutionalLocation.PUBLIC_HEALTH
    ):
        return [_location(f)]
    return None


def _outside_government(f):
    if f.institutional_location in (
        InstitutionalLocation.INDEPENDENT_COUNCIL,
        InstitutionalLocation.CIVIL_SOCIETY,
        InstitutionalLocation.MIXED,
    ):
        return [_location(f)]
    return None


def _mandate_ahead(f):
    means = [n for n in (6, 7) if _at_most(f, n, 1)]
    if _at_least(f, 1, 3) and means:
        return [_level(f, 1)] + [_level(f, n) for n in means]
    return None


def _police_leadership(f):
    if f.leadership == OfficeProfile.Leadership.POLICE:
        return [_("Leadership of the office: %(value)s") % {
            "value": OfficeProfile.Leadership(f.leadership).label}]
    return None


def _overlapping_mandates(f):
    triggers = []
    if f.overlapping_mandates is True and f.formal_strategy is not True:
        triggers.append(_yes_no(_("Overlapping violence prevention mandates between agencies"),
                                True))
    if f.formal_strategy is False:
        triggers.append(_yes_no(_("Formal, signed violence prevention strategy"), False))
    return triggers or None


def _funder_sway(f):
    private = _share_of(f, lambda s: s.kind in (
        FundingSource.Kind.PRIVATE, FundingSource.Kind.PHILANTHROPIC))
    if private >= 50:
        return [_("Private and philanthropic share of the budget: %(share)s") % {
            "share": _percent(private)}]
    return None


def _sustained_participation(f):
    if _at_least(f, 2, 2):
        return [_level(f, 2)]
    return None


def _thin_consultation(f):
    if _at_most(f, 2, 1):
        return [_level(f, 2)]
    return None


def _no_diagnosis(f):
    # Level 0-1 of criterion 3: no diagnosis, or only informal knowledge or an old study.
    if _at_most(f, 3, 1):
        return [_level(f, 3)]
    return None


def _official_undercount(f):
    if f.has_baseline is False and _at_most(f, 3, 1):
        return [_("Baseline: none"), _level(f, 3)]
    return None


def _population(f):
    if _at_most(f, 4, 1):
        triggers = [_level(f, 4)]
        if not f.focus_population.strip():
            triggers.append(_("Focus population: not recorded"))
        return triggers
    return None


def _broad_only(f):
    if f.prevention_primary is True and f.prevention_secondary is False and (
        f.prevention_tertiary is False
    ):
        return [
            _("Primary prevention: part of the approach"),
            _("Secondary and tertiary prevention: not part of the approach"),
        ]
    return None


def _reach_audit(f):
    audit, as_of = f.last_reach_audit_year, f.as_of_year
    if audit is not None and as_of is not None:
        if as_of - audit > REACH_AUDIT_YEARS:
            return [_("Last audit of reach to marginalized groups: %(year)s (%(age)s years "
                      "before %(as_of)s)") % {"year": audit, "age": as_of - audit,
                                              "as_of": as_of}]
        return None
    # Level 4 of criterion 4 is the first whose descriptor asks for regular audits of reach.
    if f.level(4) == 3:
        return [_level(f, 4)]
    return None


def _fragmented_population(f):
    if f.overlapping_mandates is True and f.formal_strategy is False:
        return [
            _yes_no(_("Overlapping violence prevention mandates between agencies"), True),
            _yes_no(_("Formal, signed violence prevention strategy"), False),
        ]
    return None


def _focused_interventions(f):
    if _at_most(f, 5, 1):
        return [_level(f, 5)]
    return None


def _focused_only(f):
    if f.prevention_primary is False and (f.prevention_secondary or f.prevention_tertiary):
        return [
            _("Primary prevention: not part of the approach"),
            _("Secondary or tertiary prevention: part of the approach"),
        ]
    return None


def _secondary_vs_police(f):
    if not _other_level_police(f):
        return None
    if f.prevention_secondary is False:
        return [_("Secondary prevention: not part of the approach"), _police(f)]
    # Level 4 of criterion 5 is the first that asks for workable arrangements with the police
    # at whatever level of government controls them.
    if _at_most(f, 5, 3):
        return [_police(f), _level(f, 5)]
    return None


def _approach_coordination(f):
    used = [
        label for flag, label in (
            (f.prevention_primary, _("primary")),
            (f.prevention_secondary, _("secondary")),
            (f.prevention_tertiary, _("tertiary")),
        ) if flag is True
    ]
    if len(used) >= 2 and _at_most(f, 5, 3):
        return [
            _("Levels of prevention in the approach: %(levels)s") % {
                "levels": ", ".join(str(u) for u in used)},
            _level(f, 5),
        ]
    return None


def _many_funders(f):
    if len(f.funding) >= 3:
        return [
            _("%(n)s funding sources: %(names)s")
            % {"n": len(f.funding), "names": "; ".join(s.name for s in f.funding)}
        ]
    return None


def _unprotected_budget(f):
    if any(s.legally_protected for s in f.funding):
        return None
    municipal = _share_of(f, lambda s: s.kind == FundingSource.Kind.MUNICIPAL)
    if municipal >= 80:
        return [
            _("Municipal share of the budget: %(share)s") % {"share": _percent(municipal)},
            _("No funding source protected by law or a voter measure"),
        ]
    # Levels 0-2 of criterion 6 describe a budget with no protection beyond the current
    # administration.
    if _at_most(f, 6, 2):
        triggers = [_level(f, 6)]
        if f.funding:
            triggers.append(_("No funding source protected by law or a voter measure"))
        return triggers
    return None


def _donor_priorities(f):
    donors = [s for s in f.funding if s.kind == FundingSource.Kind.INTERNATIONAL]
    if donors:
        return [
            _("International funding: %(names)s") % {"names": "; ".join(s.name for s in donors)}
        ]
    return None


def _project_based(f):
    risky = [
        s for s in f.funding
        if s.share and (s.project_based or s.kind == FundingSource.Kind.INTERNATIONAL)
    ]
    total = sum((s.share for s in risky), Decimal(0))
    if total >= 50:
        return [
            _("Project-based or international share of the budget: %(share)s")
            % {"share": _percent(total)}
        ] + [
            _("%(name)s (%(kind)s, %(share)s)")
            % {"name": s.name, "kind": s.kind_label, "share": _percent(s.share)}
            for s in risky
        ]
    return None


def _contracts_and_funding(f):
    contracts = _on_short_term_contracts(f)
    unstable = [
        s for s in f.funding if s.project_based or s.kind == FundingSource.Kind.INTERNATIONAL
    ]
    if contracts and unstable:
        return contracts + [
            _("Project-based or international funding: %(names)s")
            % {"names": "; ".join(s.name for s in unstable)}
        ]
    return None


def _underfunding(f):
    if _at_most(f, 6, 1):
        return [_level(f, 6)]
    return None


def _outsourced(f):
    if f.staffing_model in (StaffingModel.OUTSOURCED, StaffingModel.MIXED):
        return [
            _("Staffing model: %(value)s") % {"value": StaffingModel(f.staffing_model).label}
        ]
    return None


def _short_term_contracts(f):
    return _on_short_term_contracts(f) or None


def _expertise(wanted):
    def test(f):
        if f.staff_expertise == wanted:
            return [_("Staff: %(value)s") % {"value": StaffExpertise(wanted).label}]
        return None

    return test


def _lived_experience(f):
    # Level 4 of criterion 7 is the first that names lived-experience and culturally
    # competent staff; an office at level 3 is one step from it.
    if f.level(7) == 3:
        return [_level(f, 7)]
    return None


def _institutional_memory(f):
    # Level 4 of criterion 7 keeps frontline staff and memory through changes of
    # administration; below it, a transition puts them at risk.
    if _transition_recent_or_ahead(f) and _at_most(f, 7, 3):
        return [_transition(f), _level(f, 7)]
    return None


def _single_champion(f):
    if f.buy_in_single_champion is True:
        return [_yes_no(_("Political support rests on one champion"), True)]
    return None


def _transition_ahead(f):
    if _transition_recent_or_ahead(f):
        return [_transition(f)]
    return None


def _buy_in_across_levels(f):
    # Level 4 of criterion 8 is the first whose descriptor has buy-in extending across levels
    # of government; below it (or when the level is not given) the negotiation is still open.
    if _other_level_police(f) and f.level(8) != 4:
        triggers = [_police(f)]
        if _known(f.level(8)):
            triggers.append(_level(f, 8))
        return triggers
    return None


def _no_baseline(f):
    if f.has_baseline is False:
        return [_("Baseline: none")]
    return None


def _impact_evaluation(f):
    if f.impact_evaluation == OfficeProfile.ImpactEvaluation.PLANNED:
        return [_("Impact evaluation: planned")]
    # Levels 0-2 of criterion 9 have no independent evaluation; say so unless the office
    # recorded one (or recorded that it has none, which the next rule takes up).
    if f.impact_evaluation == OfficeProfile.ImpactEvaluation.UNKNOWN and _at_most(f, 9, 2):
        return [_level(f, 9)]
    return None


def _activity_not_impact(f):
    if f.impact_evaluation == OfficeProfile.ImpactEvaluation.NONE:
        return [_("Impact evaluation: none")]
    return None


R = Rule  # short alias for the table below

RULES: tuple[Rule, ...] = (
    # --- criterion 1 ---
    R(
        "mayors-office", 1, "Centralized authority versus exposure to turnover",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices",
        _("Under the mayor: influential, but exposed to turnover"),
        _("An office centralized under the mayor is influential by design, but it can be seen "
          "as the mayor's own project and lose its power when a new administration takes "
          "over. Anchoring the mandate in law or a multi-year plan helps it outlast a change "
          "of mayor."),
        _mayors_office,
    ),
    R(
        "separate-department", 1, "Under the mayor or in a separate department",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices",
        _("In a department: stable, but fewer levers"),
        _("An office inside a city department or public health is usually steadier and less "
          "exposed to short-term politics, but has fewer levers to coordinate other agencies. "
          "Formal coordination with the mayor's office and other departments makes up for it."),
        _department,
    ),
    R(
        "mandate-ahead-of-resources", 1, "Mandate ahead of position and resources",
        "PiOC 2024, Part 3, Criterion 1; Part 1, Ensure Resources Meet Ambition",
        _("Mandate ahead of budget or staff"),
        _("A clear mandate only delivers if the office has the means to act on it; expecting "
          "quick results without them sets the office up to disappoint."),
        _mandate_ahead,
    ),
    R(
        "police-leadership", 1, "Civilian versus police leadership",
        "PiOC 2024, Part 1, Civilian Leadership Is Crucial; "
        "Part 2, Sample and Subsample Selection, n. 16",
        _("Led by police: a partial view, and harder community trust"),
        _("The report holds civilian leadership to be indispensable. Police expertise is worth "
          "consulting, but police see only part of a city's violence, and police commanders at "
          "the head of an office can strain relations with community partners who distrust "
          "them. In Chihuahua, civilians chair many of COPREV's technical posts and "
          "commissions and its board decides by vote, although its president is a police "
          "officer."),
        _police_leadership,
    ),
    R(
        "overlapping-mandates", 1, "Overlapping mandates and unformalized strategies",
        "PiOC 2024, Part 4, Cali's Coordination, n. 59",
        _("No formal strategy binding the agencies: coordination may not last"),
        _("Where several agencies hold a prevention mandate and no signed strategy binds them, "
          "their work overlaps and coordination depends on who is in office: Cali's "
          "coordinated model ended because its decree was never signed. The report proposes a "
          "formal strategy with a clear coordinating mandate, which need not mean merging "
          "agencies or creating new ones."),
        _overlapping_mandates,
    ),
    # --- criterion 2 ---
    R(
        "funder-sway", 2, "Outside actors' sway over the agenda",
        "PiOC 2024, Part 3, Criterion 2",
        _("Mostly private funding: guard the agenda"),
        _("The report warns that outside actors can gain too much say over priorities when an "
          "office depends heavily on private-sector money. Clear rules on who sets priorities "
          "keep local needs first."),
        _funder_sway,
    ),
    R(
        "sustained-participation", 2, "Sustaining participation over time",
        "PiOC 2024, Part 3, Criterion 2; Part 4, Edmonton's Leadership",
        _("Partnerships in place: keeping them alive takes work"),
        _("Participation wears down: economic hardship, work and family duties and partners' "
          "competing priorities make it hard to keep groups involved. The report advises even "
          "REACH, with more than 100 partners, to build more formal coordination mechanisms "
          "so partnerships last and its work stays relevant."),
        _sustained_participation,
    ),
    R(
        "thin-consultation", 2, "Trust deficits shape who can convene",
        "PiOC 2024, Part 1, Civilian Leadership Is Crucial; Part 4, Bristol's Momentum, n. 53",
        _("Little consultation yet: who convenes matters"),
        _("Where participation is still informal, who fronts the office decides whether "
          "communities engage. Anchor institutions with community legitimacy, such as faith "
          "organizations in Bristol's proposed coalition, can open the door."),
        _thin_consultation,
    ),
    # --- criterion 3 ---
    R(
        "no-diagnosis", 3, "Diagnosis arriving after the office",
        "PiOC 2024, Part 3, Criterion 3; Part 2, Criterion 3",
        _("No sound diagnosis yet: decisions without guidance"),
        _("Many offices got their diagnosis only after they were set up, so their first "
          "decisions went without it. A proper diagnosis takes time and is often expensive: "
          "plan and fund it from the start, with quantitative and qualitative data, and "
          "publish it as the baseline."),
        _no_diagnosis,
    ),
    R(
        "official-undercount", 3, "Official statistics may undercount violence",
        "PiOC 2024, Part 4, Bristol's Momentum; Part 3, Criterion 3",
        _("Building a baseline: official figures may undercount"),
        _("In Bristol, some injured young people reportedly stay away from medical care for "
          "fear the police will be called, so official counts of serious nonlethal violence "
          "are probably too low and looming retaliation can go unseen. Add community and "
          "qualitative sources to official statistics."),
        _official_undercount,
    ),
    # --- criterion 4 ---
    R(
        "population-breadth", 4, "Too narrow or too broad",
        "PiOC 2024, Part 3, Criterion 4",
        _("Focus population not yet defined: too narrow or too broad"),
        _("There is no right population, but too narrow a focus leaves out people who could "
          "benefit and too broad a focus spreads benefits too thinly. Define it with clear "
          "criteria drawn from the diagnosis."),
        _population,
    ),
    R(
        "broad-only", 4, "Specificity versus comprehensiveness",
        "PiOC 2024, Part 1, Balance Specificity and Comprehensiveness, n. 10",
        _("Broad programs only: aim part of the effort at those most at risk"),
        _("With limited means and pressure for quick results, the report advises aiming at "
          "least part of the resources at the people, places and moments most likely to be "
          "involved in violence, while keeping broader programs where possible."),
        _broad_only,
    ),
    R(
        "reach-audit", 4, "Overlooked marginalized groups",
        "PiOC 2024, Part 3, Criterion 4; Part 4, Edmonton's Leadership",
        _("Check whom the office misses"),
        _("Marginalized and minority groups often go unreached, sometimes through prejudice, "
          "so the report calls for regular audits of reach. REACH finds Indigenous, newcomer "
          "and other disenfranchised communities hard to locate without brokers who share "
          "their language and culture."),
        _reach_audit,
    ),
    R(
        "fragmented-population", 4, "Fragmented programs blur the focus population",
        "PiOC 2024, Part 4, Cali's Coordination",
        _("Several agencies, no shared strategy: who is served is unclear"),
        _("When agencies run programs for different groups without a shared strategy, the "
          "population served is unclear and coverage is weaker; in Cali the report expects "
          "better coordination to reach more people with stronger effects."),
        _fragmented_population,
    ),
    # --- criterion 5 ---
    R(
        "focused-interventions", 5, "Focused interventions: quick impact, hard to sustain",
        "PiOC 2024, Part 1, Balance Specificity and Comprehensiveness, n. 11",
        _("No prevention approach yet: quick impact comes from focused programs"),
        _("For reductions in the near term, the report advises some secondary and tertiary "
          "programs for high-risk people and victims. They are hard to run and sustain: they "
          "rely on legitimate brokers in stressful, risky, full-time work, and alone they do "
          "not change the social norms behind violence."),
        _focused_interventions,
    ),
    R(
        "focused-without-primary", 5, "Risk of stigmatizing targeted communities",
        "PiOC 2024, Part 1, Balance Specificity and Comprehensiveness",
        _("Focused programs without primary prevention"),
        _("Programs aimed at high-risk people bring quick results but can stigmatize the "
          "neighbourhoods they target and are hard to sustain; primary prevention for broader "
          "populations addresses root causes and balances them."),
        _focused_only,
    ),
    R(
        "secondary-vs-police", 5, "Secondary prevention and police jurisdiction",
        "PiOC 2024, Part 3, Criterion 5, n. 34; "
        "Part 2, Differences between US OVPs and Non-US Offices",
        _("Police answer to another level of government: secondary prevention is harder"),
        _("Offices may step back from secondary prevention, above all where it would mean "
          "redirecting police action, and steering police that answer to a state or national "
          "government is far harder than through the mayor's office. Where the police also "
          "lack legitimacy in the most affected communities, it is harder still. Agreements "
          "with the police's own level of government open the way."),
        _secondary_vs_police,
    ),
    R(
        "approach-coordination", 5, "Capability and coordination demands of each approach",
        "PiOC 2024, Part 3, Criterion 5",
        _("Several levels of prevention: each brings its own partners"),
        _("There is no single right approach. Each level of prevention the office runs needs "
          "its own capabilities and its own set of state and community actors to coordinate "
          "with; weigh both before adding or expanding one."),
        _approach_coordination,
    ),
    # --- criterion 6 ---
    R(
        "many-funders", 6, "Diverse funding versus more actors and fundraising time",
        "PiOC 2024, Part 3, Criterion 6; "
        "Part 1, Increase Political and Societal Buy-In to Ensure Sustainability",
        _("Several funders: resilient, but more voices and fundraising time"),
        _("Funding from several sources shields the office from one budget's swings and signals "
          "broad support, but every funder is another actor who may steer or delay decisions, "
          "and raising money from many sources takes time."),
        _many_funders,
    ),
    R(
        "unprotected-budget", 6, "Budgets that change with each administration",
        "PiOC 2024, Part 3, Criterion 6, n. 36",
        _("Budget without legal protection: exposed to political transitions"),
        _("Municipal allocations, in Latin America above all, can change sharply after a "
          "change of administration. Safeguards in the report include Pelotas, where a "
          "municipal law sets the budget for parts of its office, and Oakland, where "
          "voter-approved tax measures fund some programs for ten years."),
        _unprotected_budget,
    ),
    R(
        "donor-priorities", 6, "International aid and donor priorities",
        "PiOC 2024, Part 3, Criterion 6",
        _("International funding: keep local priorities first"),
        _("Development aid can transform an office's work, but donors' priorities sometimes "
          "override local ones, and some civil society partners lack the capacity to apply for "
          "or manage such funds."),
        _donor_priorities,
    ),
    R(
        "project-based-funding", 6, "Project-based funding versus core operations",
        "PiOC 2024, Part 3, Criterion 6",
        _("Project-based or international funding: core operations at risk"),
        _("Donor and project money is usually short-term and tied to programs, not to salaries, "
          "rent and equipment, so the office's basic running stays exposed even when programs "
          "are funded. Seek multi-year, unrestricted funding for the office's core."),
        _project_based,
    ),
    R(
        "contracts-and-funding", 6, "Short-term contracts versus creative partnerships",
        "PiOC 2024, Part 3, Criterion 6",
        _("Unstable funding, short contracts: look for partners"),
        _("Unpredictable funding pushes offices to hire on short contracts, which weakens "
          "full-time commitment and long relations with community actors. The report notes it "
          "can also prompt creative work with the private sector and new public-private "
          "practices."),
        _contracts_and_funding,
    ),
    R(
        "underfunding", 6, "Underfunding relative to the cost of violence",
        "PiOC 2024, Part 1, Ensure Resources Meet Ambition, n. 14",
        _("Small budget: weigh it against the cost of violence"),
        _("Prevention is often underfunded because the cost of violence is underestimated; "
          "studies the report cites put the cost of one homicide to a city at $1.5 million to "
          "$3 million. Resources have to match the office's ambition."),
        _underfunding,
    ),
    # --- criterion 7 ---
    R(
        "outsourced-delivery", 7, "In-house delivery versus outsourcing",
        "PiOC 2024, Part 3, Criterion 7, n. 39",
        _("Delivery through partners: flexibility and buy-in, less control"),
        _("Contracting delivery to community partners adds flexibility and community buy-in "
          "where public hiring is slow, but the office controls less of what is done. Training, "
          "support and links to other agencies from office staff keep quality up."),
        _outsourced,
    ),
    R(
        "short-term-contracts", 7, "Short-term contracts versus stability",
        "PiOC 2024, Part 3, Criterion 7; Part 3, Criterion 6; Part 4, Cali's Coordination",
        _("Short-term contracts: programs need stable staff"),
        _("Staff on short-term contracts can undermine the stability programs need to take "
          "effect and break long relations with community actors. For Cali, the report "
          "recommends hiring strategies other than short-term contracts."),
        _short_term_contracts,
    ),
    R(
        "generalist-staff", 7, "Specialists versus generalists",
        "PiOC 2024, Part 3, Criterion 7",
        _("Generalist staff: adaptable, less specific expertise"),
        _("Generalists adapt to changing violence dynamics and short-term funding, at the cost "
          "of specific expertise; partnering with specialized organizations fills the gap."),
        _expertise(StaffExpertise.GENERALISTS),
    ),
    R(
        "specialist-staff", 7, "Specialists versus generalists",
        "PiOC 2024, Part 3, Criterion 7",
        _("Specialist staff: depth, less flexibility"),
        _("Specialists in social work, psychology, law or particular forms of violence bring "
          "depth, but adapt less easily when violence dynamics or short-term funding shift."),
        _expertise(StaffExpertise.SPECIALISTS),
    ),
    R(
        "lived-experience", 7, "Barriers to hiring people with lived experience",
        "PiOC 2024, Part 3, Criterion 7, n. 39; Part 4, Edmonton's Leadership",
        _("Next step for the team: lived experience and cultural skills are hard to hire"),
        _("The step beyond an established team includes staff with lived experience and staff "
          "with the language, culture and trauma skills to reach Indigenous and newcomer "
          "communities. Both are hard to recruit: bureaucratic rules make hiring formerly "
          "imprisoned people difficult, and REACH has found such skills hard to find and keep."),
        _lived_experience,
    ),
    R(
        "institutional-memory", 7, "Patronage and loss of institutional memory",
        "PiOC 2024, Part 1, Ensure Sufficient Autonomy; Part 4, Cali's Coordination",
        _("Political transition: keep the frontline staff"),
        _("A change of leadership can turn posts into rewards for loyalists and cost the office "
          "the frontline staff who know the territory, its people and how things get done. "
          "Keeping them preserves institutional memory and relations with community partners."),
        _institutional_memory,
    ),
    # --- criterion 8 ---
    R(
        "single-champion", 8, "Dependence on a single political champion",
        "PiOC 2024, Part 3, Criterion 8",
        _("Buy-in rests on one champion: personalisation risk"),
        _("An office that leans on one leader's personal involvement may never institutionalize "
          "its procedures and can become unstable after turnover. Involve other officials, "
          "opposition members and partners to give them a stake in its continuity."),
        _single_champion,
    ),
    R(
        "transition-ahead", 8, "Identification with a predecessor",
        "PiOC 2024, Part 1, Increase Political and Societal Buy-In to Ensure Sustainability",
        _("A new administration: avoid being seen as the predecessor's office"),
        _("An incoming administration may close, sideline or duplicate an office it sees as "
          "its predecessor's. Giving other state actors, even opposition members, roles in the "
          "office, inclusive strategies and several funding sources give them a stake in its "
          "continuity."),
        _transition_ahead,
    ),
    R(
        "buy-in-across-levels", 8, "Buy-in across levels of government",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices; "
        "Part 4, Rosario's Opportunity",
        _("Police under another level of government: negotiate buy-in"),
        _("Where the police answer to a state or national government, the city must negotiate "
          "their cooperation with other political actors; aligned governments are an opening "
          "to formalize it."),
        _buy_in_across_levels,
    ),
    R(
        "outside-government", 8, "Independent offices and duplication by government",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices; "
        "Part 4, Edmonton's Leadership",
        _("Outside the administration: convening, not commanding"),
        _("A council or civil-society office convenes rather than commands and can keep "
          "credibility across administrations, but the city may duplicate its initiatives. "
          "Regular coordination with the city's own safety plans avoids needless overlap."),
        _outside_government,
    ),
    # --- criterion 9 ---
    R(
        "missing-baseline", 9, "Indicators without a baseline",
        "PiOC 2024, Part 3, Criterion 9, n. 49",
        _("No baseline: results hard to interpret"),
        _("Without a baseline or benchmark, indicators are hard to interpret and impact is hard "
          "to show; Cali's peace secretary called measuring impact complicated for that "
          "reason. A year-on-year change or a comparison with the intended outcome can serve "
          "as a benchmark."),
        _no_baseline,
    ),
    R(
        "impact-evaluation", 9, "Impact evaluations are costly and complex",
        "PiOC 2024, Part 3, Criterion 9, n. 41",
        _("No impact evaluation yet: costly, but the surest test"),
        _("An impact evaluation is the surest way to learn what a program, or the office "
          "itself, changed, but it is costly and technically demanding, above all when "
          "measuring violence that did not happen. The report suggests partnering with local "
          "universities and asks donors to fund independent evaluations."),
        _impact_evaluation,
    ),
    R(
        "activity-not-impact", 9, "Activity reporting versus impact",
        "PiOC 2024, Part 3, Criterion 9; "
        "Part 1, Increase Political and Societal Buy-In to Ensure Sustainability",
        _("Activities reported, impact not assessed"),
        _("Counting activities is not enough: the report asks offices to assess the impact of "
          "specific interventions and of the office as a whole. Results may be positive, "
          "unclear or even negative, and partners need them to correct course."),
        _activity_not_impact,
    ),
)

RULES_BY_SLUG = {rule.slug: rule for rule in RULES}


def tradeoff_notes(facts: Facts) -> list[TradeoffNote]:
    """Every note whose rule applies to `facts`, in criterion order."""
    notes = [note for rule in RULES if (note := rule.apply(facts))]
    return sorted(notes, key=lambda n: n.criterion_number)
