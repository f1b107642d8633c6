"""Tradeoff notes: rules over an assessment's profile facts and levels.

Each rule reads `Facts` (what the office said about itself, and its nine levels), and when it
applies returns the facts that triggered it, as readable phrases. The note it produces names
the tradeoff of the PiOC report it rests on and cites the report section, so a reader can check
the reasoning. Unknown facts (None / "unknown") never trigger a rule: a note must rest on
something the office actually said.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from cities.models import InstitutionalLocation, PoliceControl, StaffExpertise, StaffingModel
from criteria.models import LEVEL_NAMES, FundingSource


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
    tradeoff: str  # the framework's Tradeoff title this note rests on
    section: str  # where in the report the tradeoff is discussed
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


# --- the rules --------------------------------------------------------------------------------


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


def _municipal_concentration(f):
    municipal = [s for s in f.funding if s.kind == FundingSource.Kind.MUNICIPAL and s.share]
    total = sum((s.share for s in municipal), Decimal(0))
    if total >= 80 and not any(s.legally_protected for s in municipal):
        return [
            _("Municipal share of the budget: %(share)s %%") % {"share": _share(total)},
            _("No municipal source protected by law or a voter measure"),
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
            _("Project-based or international share of the budget: %(share)s %%")
            % {"share": _share(total)}
        ] + [
            _("%(name)s (%(kind)s, %(share)s %%)")
            % {"name": s.name, "kind": s.kind_label, "share": _share(s.share)}
            for s in risky
        ]
    return None


def _many_funders(f):
    if len(f.funding) >= 3:
        return [
            _("%(n)s funding sources: %(names)s")
            % {"n": len(f.funding), "names": "; ".join(s.name for s in f.funding)}
        ]
    return None


def _outsourced(f):
    if f.staffing_model in (StaffingModel.OUTSOURCED, StaffingModel.MIXED):
        return [
            _("Staffing model: %(value)s") % {"value": StaffingModel(f.staffing_model).label}
        ]
    return None


def _expertise(wanted):
    def test(f):
        if f.staff_expertise == wanted:
            return [_("Staff: %(value)s") % {"value": StaffExpertise(wanted).label}]
        return None

    return test


def _secondary_vs_police(f):
    if f.prevention_secondary is False and f.police_control in (
        PoliceControl.STATE_PROVINCIAL, PoliceControl.NATIONAL
    ):
        return [_("Secondary prevention: not part of the approach"), _police(f)]
    return None


def _focused_only(f):
    if f.prevention_primary is False and (f.prevention_secondary or f.prevention_tertiary):
        return [
            _("Primary prevention: not part of the approach"),
            _("Secondary or tertiary prevention: part of the approach"),
        ]
    return None


def _broad_consultation(f):
    level = f.level(2)
    if _known(level) and level >= 3:
        return [_level(f, 2)]
    return None


def _thin_consultation(f):
    level = f.level(2)
    if _known(level) and level <= 1:
        return [_level(f, 2)]
    return None


def _stale_diagnosis(f):
    if None in (f.last_diagnosis_year, f.diagnosis_cycle_years, f.as_of_year):
        return None
    age = f.as_of_year - f.last_diagnosis_year
    if age > f.diagnosis_cycle_years:
        return [
            _("Last diagnosis: %(year)s (%(age)s years before %(as_of)s)")
            % {"year": f.last_diagnosis_year, "age": age, "as_of": f.as_of_year},
            _("Planned cycle: every %(n)s years") % {"n": f.diagnosis_cycle_years},
        ]
    return None


def _frequent_diagnosis(f):
    if f.diagnosis_cycle_years == 1:
        return [_("Planned cycle: a full diagnosis every year")]
    return None


def _no_diagnosis(f):
    level = f.level(3)
    if f.last_diagnosis_year is None and _known(level) and level <= 1:
        return [_("Year of the last diagnosis: not provided"), _level(f, 3)]
    return None


def _population(f):
    level = f.level(4)
    triggers = []
    if _known(level) and level <= 1:
        triggers.append(_level(f, 4))
    if triggers and not f.focus_population.strip():
        triggers.append(_("Focus population: not provided"))
    return triggers or None


def _single_champion(f):
    if f.buy_in_single_champion is True:
        return [_("Political support rests on one champion: yes")]
    return None


def _no_baseline(f):
    if f.has_baseline is False:
        return [_("Baseline: none")]
    return None


def _mandate_ahead(f):
    mandate = f.level(1)
    means = [n for n in (6, 7) if _known(f.level(n)) and f.level(n) <= 1]
    if _known(mandate) and mandate >= 3 and means:
        return [_level(f, 1)] + [_level(f, n) for n in means]
    return None


def _buy_in_across_levels(f):
    level = f.level(8)
    if f.police_control in (PoliceControl.STATE_PROVINCIAL, PoliceControl.NATIONAL) and (
        _known(level) and level <= 2
    ):
        return [_police(f), _level(f, 8)]
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "mayors-office", 1, "Centralized authority versus exposure to turnover",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices; Part 3, Criterion 1",
        _("Under the mayor: powerful, but exposed to turnover"),
        _("Sitting in the mayor's office gives legal tools, flexibility and convening power, "
          "but raises pressure for quick results and ties the office to one administration. "
          "Anchoring the mandate in law or a multi-year plan helps it outlast a change of mayor."),
        _mayors_office,
    ),
    Rule(
        "separate-department", 1, "Under the mayor or in a separate department",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices, n. 18",
        _("In a department: stable, but fewer levers"),
        _("An office inside a city department or public health is usually steadier and less "
          "exposed to short-term politics, but has fewer levers to coordinate other agencies. "
          "Formal coordination with the mayor's office and other departments makes up for it."),
        _department,
    ),
    Rule(
        "outside-government", 8, "Independent offices and duplication by government",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices; "
        "Part 4, Edmonton's Leadership",
        _("Outside the administration: convening, not commanding"),
        _("A council or civil-society office convenes rather than commands and can keep "
          "credibility across administrations, but the city may duplicate its initiatives. "
          "Regular coordination with the city's own safety plans avoids needless overlap."),
        _outside_government,
    ),
    Rule(
        "municipal-concentration", 6, "Budgets that change with each administration",
        "PiOC 2024, Part 3, Criterion 6, n. 35, n. 36",
        _("One municipal source: exposed to political transitions"),
        _("When most of the budget comes from the municipality without legal protection, a "
          "change of administration can cut it. Safeguards in the report include Pelotas, whose "
          "budget is set by municipal law, and Oakland's ten-year voter-approved tax measures."),
        _municipal_concentration,
    ),
    Rule(
        "project-based-funding", 6, "Project-based funding versus core operations",
        "PiOC 2024, Part 3, Criterion 6",
        _("Project-based or international funding: core operations at risk"),
        _("Donor and project money is usually short-term and tied to programs, not to salaries, "
          "rent and equipment, and donor priorities can override local ones. Seek multi-year, "
          "unrestricted funding for the office's core."),
        _project_based,
    ),
    Rule(
        "many-funders", 6, "Diverse funding versus more actors and fundraising time",
        "PiOC 2024, Part 3, Criterion 6",
        _("Several funders: resilient, but more voices and fundraising time"),
        _("Funding from several sources shields the office from one budget's swings and signals "
          "broad support, but every funder is another actor who may steer or delay decisions, "
          "and raising money from many sources takes time."),
        _many_funders,
    ),
    Rule(
        "outsourced-delivery", 7, "In-house delivery versus outsourcing",
        "PiOC 2024, Part 3, Criterion 7",
        _("Delivery through partners: flexibility and buy-in, less control"),
        _("Contracting delivery to community partners adds flexibility and community buy-in "
          "where public hiring is slow, but the office controls less of what is done. Training, "
          "support and links to other agencies from office staff keep quality up."),
        _outsourced,
    ),
    Rule(
        "generalist-staff", 7, "Specialists versus generalists",
        "PiOC 2024, Part 3, Criterion 7",
        _("Generalist staff: adaptable, less specific expertise"),
        _("Generalists adapt to changing violence dynamics and short-term funding, at the cost "
          "of specific expertise; partnering with specialized organizations fills the gap."),
        _expertise(StaffExpertise.GENERALISTS),
    ),
    Rule(
        "specialist-staff", 7, "Specialists versus generalists",
        "PiOC 2024, Part 3, Criterion 7",
        _("Specialist staff: depth, less flexibility"),
        _("Specialists in social work, psychology, law or particular forms of violence bring "
          "depth, but adapt less easily when violence dynamics or short-term funding shift."),
        _expertise(StaffExpertise.SPECIALISTS),
    ),
    Rule(
        "secondary-vs-police", 5, "Secondary prevention and police jurisdiction",
        "PiOC 2024, Part 3, Criterion 5, n. 34",
        _("No secondary prevention while police answer to another level"),
        _("Secondary prevention often means redirecting police action, which is much harder "
          "when the police answer to a state or national government. Expect a coordination "
          "cost, and build agreements with the police's own level of government."),
        _secondary_vs_police,
    ),
    Rule(
        "focused-without-primary", 5, "Risk of stigmatizing targeted communities",
        "PiOC 2024, Part 1, Balance Specificity and Comprehensiveness",
        _("Focused programs without primary prevention"),
        _("Programs aimed at high-risk people bring quick results but can stigmatize the "
          "neighbourhoods they target and are hard to sustain; primary prevention for broader "
          "populations addresses root causes and balances them."),
        _focused_only,
    ),
    Rule(
        "broad-consultation", 2, "Broad participation versus paralysis",
        "PiOC 2024, Part 3, Criterion 2",
        _("Broad consultation: keep it from stalling decisions"),
        _("Wide participation is a strength, but the search for consensus on contentious "
          "issues can stall the office's work. Clear decision rules keep consultation moving."),
        _broad_consultation,
    ),
    Rule(
        "thin-consultation", 2, "Trust deficits shape who can convene",
        "PiOC 2024, Part 1, Civilian Leadership Is Crucial; Part 4, Bristol's Momentum",
        _("Little consultation yet: who convenes matters"),
        _("Where participation is still informal, who fronts the office decides whether "
          "communities engage. Anchor institutions with community legitimacy, such as faith "
          "organizations in Bristol's proposed coalition, can open the door."),
        _thin_consultation,
    ),
    Rule(
        "stale-diagnosis", 3, "Updating too often",
        "PiOC 2024, Part 3, Criterion 3",
        _("Diagnosis older than its planned cycle"),
        _("Conditions change, and a diagnosis past its planned update no longer guides "
          "decisions well. Near-real-time data can bridge the gap until the next full study."),
        _stale_diagnosis,
    ),
    Rule(
        "frequent-diagnosis", 3, "Over-investing in diagnostics",
        "PiOC 2024, Part 3, Criterion 3, n. 23",
        _("A full diagnosis every year: mind the cost and fatigue"),
        _("Updating a detailed diagnosis very often risks political and social fatigue and "
          "absorbs resources needed for the problems themselves; many problems do not change "
          "in a year. Keep yearly monitoring light and the full study on a longer cycle."),
        _frequent_diagnosis,
    ),
    Rule(
        "no-diagnosis", 3, "Diagnosis arriving after the office",
        "PiOC 2024, Part 3, Criterion 3",
        _("No diagnosis yet: early decisions without guidance"),
        _("Many offices produced their diagnosis only after they were set up, so their first "
          "decisions lacked its guidance. Combining official figures with community sources "
          "gives a baseline quickly."),
        _no_diagnosis,
    ),
    Rule(
        "population-breadth", 4, "Too narrow or too broad",
        "PiOC 2024, Part 3, Criterion 4; Part 1, Balance Specificity and Comprehensiveness",
        _("Focus population not yet defined: too narrow or too broad"),
        _("Too narrow a focus leaves out people who could benefit; too broad spreads benefits "
          "thinly. The report advises aiming part of the resources at those most likely to be "
          "involved in violence, balanced with broader programs."),
        _population,
    ),
    Rule(
        "single-champion", 8, "Dependence on a single political champion",
        "PiOC 2024, Part 3, Criterion 8",
        _("Buy-in rests on one champion: personalisation risk"),
        _("An office that leans on one leader's personal involvement may never institutionalize "
          "its procedures and can become unstable after turnover. Involve other officials, "
          "opposition members and partners to give them a stake in its continuity."),
        _single_champion,
    ),
    Rule(
        "missing-baseline", 9, "Indicators without a baseline",
        "PiOC 2024, Part 3, Criterion 9, n. 49",
        _("No baseline: results hard to interpret"),
        _("Without a baseline or benchmark, indicators are hard to interpret and impact is "
          "hard to show. A year-on-year change or a comparison with the intended outcome can "
          "serve as a benchmark."),
        _no_baseline,
    ),
    Rule(
        "mandate-ahead-of-resources", 1, "Mandate ahead of position and resources",
        "PiOC 2024, Part 3, Criterion 1; Part 1, Ensure Resources Meet Ambition",
        _("Mandate ahead of budget or staff"),
        _("A clear mandate only delivers if the office has the means to act on it; expecting "
          "quick results without them sets the office up to disappoint."),
        _mandate_ahead,
    ),
    Rule(
        "buy-in-across-levels", 8, "Buy-in across levels of government",
        "PiOC 2024, Part 2, Differences between US OVPs and Non-US Offices; "
        "Part 4, Rosario's Opportunity",
        _("Police under another level of government: negotiate buy-in"),
        _("Where the police answer to a state or national government, the city must negotiate "
          "their cooperation with other political actors; aligned governments are an opening "
          "to formalize it."),
        _buy_in_across_levels,
    ),
)

RULES_BY_SLUG = {rule.slug: rule for rule in RULES}


def tradeoff_notes(facts: Facts) -> list[TradeoffNote]:
    """Every note whose rule applies to `facts`, in criterion order."""
    notes = [note for rule in RULES if (note := rule.apply(facts))]
    return sorted(notes, key=lambda n: n.criterion_number)
