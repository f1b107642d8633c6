"""Selectors: read what a brief needs in a fixed number of queries and return plain dataclasses.

Renderers (HTML, PDF, ZIP) only format these; they never touch the ORM.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.text import get_text_list, slugify
from django.utils.translation import gettext_lazy as _

from cities import city_figures
from cities.city_figures import TREND_MEASURES, Measure
from cities.figures import Figure, format_number
from cities.goals import Goal, GoalLine, goal_for_city, goal_line
from cities.models import City, Indicator, InstitutionalLocation
from criteria.models import (
    LEVEL_NAMES,
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    GoodPractice,
    Tradeoff,
)
from criteria.seed_translations import in_reader_language
from ovp_assess.citations import translate_citation

from . import charts
from .indicator_selectors import IndicatorSummary, indicator_summaries
from .plan_selectors import (
    ActionPlan,
    SinceLastRound,
    build_action_plan,
    build_since_last_round,
)
from .resources import ResourcesPanel, build_resources_panel, latest_homicides
from .statistic import MIN_N, Summary, summarise
from .tradeoffs import Facts, TradeoffNote, tradeoff_notes

WEAKEST_COUNT = 3
#: At most this many good practices in all for the weakest criteria. Every criterion shown gets
#: its most relevant practice; a criterion whose second practice is strongly relevant (see
#: `STRONG_SECOND`) gets that one too, while the budget lasts (the strongest seconds first).
PRACTICES_BUDGET = 14
#: A second practice is strongly relevant when it shares words with the opportunity and scores
#: at least this share of the first one's relevance: two comparably good answers to the gap.
STRONG_SECOND = 0.5
#: When more criteria than this tie at the weakest level, the brief says so and lists first the
#: criteria whose peer practices best match their opportunities (not simply by number).
TIE_REORDER_OVER = 4
#: A median over fewer peers than this is not shown (reports/statistic.py says why).
MIN_MEDIAN_PEERS = MIN_N
SAFE_LINK_SCHEMES = ("http://", "https://")


def safe_link(url: str) -> str:
    """The URL if a reader may follow it, else "" (no javascript:, file:, data: links)."""
    url = (url or "").strip()
    return url if url.lower().startswith(SAFE_LINK_SCHEMES) else ""


def brief_queryset(queryset=None):
    """Everything a brief reads about its assessment, fetched up front."""
    queryset = queryset if queryset is not None else Assessment.objects.all()
    return queryset.select_related(
        "office", "city", "round", "framework", "profile").prefetch_related(
        Prefetch(
            "responses",
            queryset=CriterionResponse.objects.select_related("criterion")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
            .order_by("criterion__number"),
        ),
        "profile__funding_sources",
    )


# --- the office brief -------------------------------------------------------------------------


@dataclass
class BriefRow:
    number: int
    label: str
    name: str
    level: int | None
    level_name: str
    not_applicable: bool
    not_applicable_reason: str
    strengths: str
    opportunities: str
    confidence: str
    median: float | None
    median_peers: int
    evidence_refs: list[str]


@dataclass
class Fact:
    label: str
    value: str  # "" renders as "not provided"
    note: str = ""


def _text(obj, name):
    """Text we seeded, in the reader's language when translated; user text as typed."""
    return in_reader_language(obj, name)


def office_display_name(office) -> str:
    """The office's name in the reader's language, with its local name when that differs."""
    if office is None:
        return ""
    name, local = office.name, office.local_name
    if not local or local.casefold() in name.casefold():
        return name
    if name.casefold() in local.casefold():
        return local  # e.g. "Gabinete de Gestão Integral Municipal (GGIM)"
    return f"{name} ({local})"


@dataclass
class PeerPractice:
    title: str
    summary: str
    where: str
    source: str
    lead: str = ""  # the summary's opening sentences, as the brief prints it


#: A practice in a brief is a pointer: its title, place, source and opening sentences (the
#: good-practice library has the whole text).
PRACTICE_LEAD_WORDS = 32


def lead(text: str, max_words: int = PRACTICE_LEAD_WORDS) -> str:
    """The whole sentences of `text` that fit in `max_words` words (at least the first one,
    shortened with "…" if it alone is longer)."""
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z¿¡\"(])", " ".join(text.split()))
    kept, count = [], 0
    for sentence in sentences:
        words = len(sentence.split())
        if kept and count + words > max_words:
            break
        kept.append(sentence)
        count += words
    if count > max_words:
        return " ".join(" ".join(kept).split()[:max_words]) + "…"
    return " ".join(kept) + (" …" if len(kept) < len(sentences) else "")


@dataclass
class PeerScore:
    subject: str
    city: str
    round: str
    level: int
    level_name: str
    strengths: str


@dataclass
class WeakCriterion:
    number: int
    name: str
    level: int | None
    level_name: str
    practices: list[PeerPractice]
    peers: list[PeerScore]
    relevance: float = 0.0  # of the practices shown, summed (orders a long tie)


@dataclass
class OutcomeTrend:
    """One city's chosen indicator against its network's goal (`cities.goals`)."""

    kind: str
    kind_label: str
    area: str
    points: list[Figure]
    goal: Goal | None
    line: GoalLine | None
    status: str  # a GoalStatus code ("" without a goal)
    status_label: str
    latest: Figure | None  # the figure the status reads
    line_at_latest: Figure | None  # where the goal line stands in the latest figure's year
    chart: charts.Chart

    @property
    def start(self) -> Figure | None:
        return self.line.start if self.line else None

    @property
    def target(self) -> Figure | None:
        return self.line.target if self.line else None


@dataclass
class EvidenceNote:
    criteria: list[int]
    text: str


@dataclass
class EvidenceItem:
    """One cited piece of evidence; the same citation under several criteria is one item."""

    ref: str
    criteria: list[int]
    kind: str
    title: str
    link: str
    url_text: str
    date: object
    source: str
    notes: list[EvidenceNote]
    short_title: str = ""  # the title without its group's shared opening
    date_precision: str = "day"


@dataclass
class EvidenceGroup:
    """Items citing the same source on the same date: the source line is printed once."""

    source: str
    date: object
    shared_title: str
    items: list[EvidenceItem]
    keys: list[tuple] = field(default_factory=list, repr=False)
    date_precision: str = "day"
    #: What the appendix prints, in order: an `EvidenceItem`, or an `EvidenceRun` of items that
    #: differ only by their criterion's number (a chart's rows, one per criterion).
    entries: list = field(default_factory=list)


@dataclass
class EvidenceRun:
    """Items of one group that read the same but for their criterion's number N (in the title
    and the note): printed as one row, with the ref of each criterion."""

    items: list[EvidenceItem]
    title: str  # with "N" for the criterion's number
    note: str
    kind: str
    is_run: bool = True

    @property
    def criteria(self) -> list[int]:
        return [i.criteria[0] for i in self.items]

    @property
    def refs_label(self) -> str:
        """"E1–E9" when the refs are consecutive (they are: refs follow the printed order)."""
        numbers = [int(i.ref[1:]) for i in self.items]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{self.items[0].ref}–{self.items[-1].ref}"
        return ", ".join(i.ref for i in self.items)

    @property
    def criteria_label(self) -> str:
        numbers = self.criteria
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return f"{numbers[0]}–{numbers[-1]}"
        return ", ".join(str(n) for n in numbers)


@dataclass
class OfficeBrief:
    assessment_id: int
    subject: str
    city: str
    country: str
    scope: str
    office_name: str
    institutional_model: str
    round: str
    status: str
    status_label: str
    is_draft: bool
    is_public: bool
    framework: str
    framework_version: str
    summary: str
    source: str
    level_note: str
    from_source: bool  # content read from a published source, not given by the office
    generated_at: datetime
    facts: list[Fact]
    rows: list[BriefRow]
    median_count: int
    level_chart: charts.Chart
    notes: list[TradeoffNote]
    weakest: list[WeakCriterion]
    outcome: OutcomeTrend | None
    evidence: list[EvidenceItem]
    evidence_groups: list[EvidenceGroup]
    filename_stem: str = field(default="")
    min_median_peers: int = MIN_MEDIAN_PEERS
    # The improvement plan (reports/plan_selectors.py): shown only when there is one.
    since: SinceLastRound | None = None
    plan: ActionPlan | None = None
    # Resources against ambition (reports/resources.py), section 6.
    resources: ResourcesPanel | None = None
    # The office's public indicators (its register): what it measures and publishes.
    indicators: list[IndicatorSummary] = field(default_factory=list)

    @property
    def resources_no(self) -> int:
        return 6

    @property
    def since_no(self) -> int:
        return 7

    @property
    def plan_no(self) -> int:
        return 7 + bool(self.since)

    @property
    def evidence_no(self) -> int:
        return 7 + bool(self.since) + bool(self.plan)

    @property
    def shows_median(self) -> bool:
        return any(r.median is not None for r in self.rows)

    @property
    def long_tie(self) -> WeakCriterion | None:
        """The first of the weakest criteria when more than `TIE_REORDER_OVER` of them tie at
        the lowest level (the brief then says so, and orders them by relevance); else None."""
        tie = weakest_tie(self.weakest)
        return tie[0] if len(tie) > TIE_REORDER_OVER else None

    @property
    def long_tie_count(self) -> int:
        return len(weakest_tie(self.weakest))

    @property
    def notes_by_criterion(self) -> list[tuple[int, str, list[TradeoffNote]]]:
        """The tradeoff notes grouped by criterion: (number, criterion name, notes)."""
        names = {r.number: r.name for r in self.rows}
        groups: dict[int, list[TradeoffNote]] = {}
        for note in self.notes:
            groups.setdefault(note.criterion_number, []).append(note)
        return [(n, names.get(n, ""), notes) for n, notes in groups.items()]


def _yes_no(value):
    if value is None:
        return ""
    return str(_("yes") if value else _("no"))


def _profile_facts(assessment) -> list[Fact]:
    profile = getattr(assessment, "profile", None)
    if profile is None:
        return [Fact(str(_("Profile")), "")]
    budget = ""
    if profile.budget_amount is not None:
        budget = f"{format_number(profile.budget_amount, max_decimals=0)} "\
                 f"{profile.budget_currency}".strip()
        if profile.budget_year:
            budget += f" ({profile.budget_year})"
    funding = "; ".join(
        f"{_text(s, 'name')} ({s.get_kind_display()}"
        + (f", {format_number(s.share_percent)}\u00a0%" if s.share_percent is not None else "")
        + ")"
        for s in profile.funding_sources.all()
    )
    approaches = ", ".join(
        str(label)
        for flag, label in (
            (profile.prevention_primary, _("primary")),
            (profile.prevention_secondary, _("secondary")),
            (profile.prevention_tertiary, _("tertiary")),
        )
        if flag
    )
    unknown = "unknown"
    staffing = []
    if profile.staff_fte is not None:
        staffing.append(str(_("%(n)s full-time") % {"n": format_number(profile.staff_fte)}))
    if profile.staffing_model != unknown:
        staffing.append(str(profile.get_staffing_model_display()))
    if profile.staff_expertise != unknown:
        staffing.append(str(profile.get_staff_expertise_display()).lower())
    diagnosis = ""
    if profile.last_diagnosis_year:
        diagnosis = str(profile.last_diagnosis_year)
        if profile.diagnosis_cycle_years:
            diagnosis += " · " + str(
                _("updated every %(n)s years") % {"n": profile.diagnosis_cycle_years}
            )

    def choice(value, display):
        return "" if value == unknown else str(display)

    # The facts added for the tradeoff notes appear only where known, to keep the brief short.
    extra = []
    if profile.leadership != unknown:
        extra.append(Fact(str(_("Leadership")), str(profile.get_leadership_display())))
    if profile.formal_strategy is not None:
        extra.append(Fact(str(_("Formal, signed strategy")), _yes_no(profile.formal_strategy)))
    if profile.overlapping_mandates is not None:
        extra.append(Fact(str(_("Overlapping mandates between agencies")),
                          _yes_no(profile.overlapping_mandates)))
    if profile.short_term_contract_share is not None:
        extra.append(Fact(str(_("Staff on short-term contracts")),
                          f"{format_number(profile.short_term_contract_share)}\u00a0%"))
    elif profile.short_term_contracts is not None:
        extra.append(Fact(str(_("Staff on short-term contracts")),
                          _yes_no(profile.short_term_contracts)))
    if profile.impact_evaluation != unknown:
        extra.append(Fact(str(_("Impact evaluation")),
                          str(profile.get_impact_evaluation_display())))
    if profile.last_reach_audit_year:
        extra.append(Fact(str(_("Last audit of reach to marginalized groups")),
                          str(profile.last_reach_audit_year)))
    if profile.next_transition_year:
        when = str(profile.next_transition_year)
        if profile.next_transition_month:
            when = formats.date_format(
                date(profile.next_transition_year, profile.next_transition_month, 1),
                "YEAR_MONTH_FORMAT",
            )
        extra.append(Fact(str(_("Next election or political transition")), when))

    return [
        Fact(str(_("Institutional location")), choice(
            profile.institutional_location, profile.get_institutional_location_display())),
        Fact(str(_("Police answer to")), choice(
            profile.police_control, profile.get_police_control_display())),
        Fact(str(_("Budget")), budget, _text(profile, "budget_note")),
        *[Fact(str(label), f"{format_number(amount, max_decimals=0)} {profile.budget_currency}")
          for label, amount in profile.resource_amounts() if amount is not None],
        Fact(str(_("Funding sources")), funding),
        Fact(str(_("Staff")), ", ".join(staffing), _text(profile, "staff_note")),
        Fact(str(_("Prevention approaches")), approaches),
        Fact(str(_("Focus population")), _text(profile, "focus_population")),
        Fact(str(_("Mandate goals")), _text(profile, "mandate_goals")),
        Fact(str(_("Last diagnosis")), diagnosis),
        Fact(str(_("Baseline")), _yes_no(profile.has_baseline)),
        Fact(str(_("Buy-in rests on one champion")), _yes_no(profile.buy_in_single_champion)),
        *extra,
    ]


def network_medians(assessment) -> tuple[dict[int, tuple[float, int]], int]:
    """Median level per criterion over the round's other published assessments in the city's
    networks, with the number of peers it is taken over, and the number of peers in all.

    Medians are aggregates, so they may draw on assessments the reader cannot open; that is
    why a criterion with fewer than `MIN_MEDIAN_PEERS` levels gets no median (over one peer it
    would be that peer's level). The statistic is `reports.statistic.summarise`, the one every
    comparison states. The assessment itself is not its own peer. A city in no network is
    compared with every published assessment of the round. One query.
    """
    network_cities = City.objects.filter(networks__cities__pk=assessment.city_id)
    peers = Assessment.objects.published().filter(
        framework_id=assessment.framework_id, round=assessment.round,
        city__in=network_cities.values("pk"),
    ).exclude(pk=assessment.pk)
    rows = CriterionResponse.objects.filter(
        assessment__in=peers, level__isnull=False
    ).values_list("assessment_id", "criterion__number", "level")
    by_criterion = defaultdict(list)
    assessments = set()
    for assessment_id, number, level in rows:
        by_criterion[number].append(level)
        assessments.add(assessment_id)
    summaries = {number: summarise(levels) for number, levels in by_criterion.items()}
    return (
        {number: (s.median, s.n) for number, s in summaries.items() if s.enough},
        len(assessments),
    )


# Words that say nothing about what a practice is about, in the three languages we write.
_STOP_WORDS = frozenset("""
a about above after again all also an and any are as at be been being between both but by can
could did do does doing during each few for from further had has have having her here his how
i if in into is it its itself more most much no nor not of off on once only or other our out
over own same should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will
with would you your more make making made way ways find finding better further using use
al algo ante como con contra cual cuando de del desde donde durante e el ella ellas ellos en
entre era es esa ese eso esta este esto hay la las le les lo los mas mi muy no nos o otra otro
para pero poco por que se sea ser si sin sobre su sus tambien tan te tiene todo tras un una uno
unos y ya
ao aos as com da das de do dos e ela elas eles em entre era essa esse esta este eu foi ha isso
mais mas na nas no nos num numa o os ou para pela pelas pelo pelos por quando que se sem ser seu
sua suas seus tambem um uma uns
""".split())
_STEM = 6  # a word's first letters stand in for its stem: budget/budgets, político/political


# Words that name the same thing in an office's budget or staff, per language, by stem: a
# dedicated tax is a budget line ("insulating budgets" is met by a voter-approved tax), and a
# "legal framework" is met by a law.
_SAME_AS = {
    "tax": "budget", "taxes": "budget", "levy": "budget", "levies": "budget",
    "impues": "presup", "impost": "orcame",
    "person": "staff", "employ": "staff", "worker": "staff",
    "laws": "law", "legal": "law", "legisl": "law", "statut": "law", "ley": "law",
    "leyes": "law", "lei": "law", "leis": "law",
}


def _terms(text: str) -> list[str]:
    """Lower-case, accent-free word stems of `text` without stop words (any of our languages)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    stems = (w[:_STEM] for w in re.findall(r"[a-z]{3,}", folded) if w not in _STOP_WORDS)
    return [_SAME_AS.get(stem, stem) for stem in stems]


_LANGUAGES = ("en", "es", "pt_br")
_BM25_K1, _BM25_B = 1.2, 0.75


def _practice_versions(practice) -> list[list[str]]:
    """The practice's terms in each language it is written in: the title twice (it names what
    the practice is) and the summary, without the words of its office's and city's names (a
    name says who, not what: "Department" must not match "departmental budgets")."""
    names = " ".join(
        filter(None, [practice.city.name, practice.office.name if practice.office else ""])
    )
    name_terms = set(_terms(names))
    versions = []
    for code in _LANGUAGES:
        title = getattr(practice, f"title_{code}", "") or ""
        summary = getattr(practice, f"summary_{code}", "") or ""
        terms = [t for t in _terms(title) * 2 + _terms(summary) if t not in name_terms]
        if terms:
            versions.append(terms)
    return versions or [_terms(practice.title) * 2 + _terms(practice.summary)]


def rank_practices(wanted: str, practices: list) -> list:
    """`practices`, the most relevant to the text `wanted` first (see `scored_practices`)."""
    return [p for p, _score in scored_practices(wanted, practices)]


def scored_practices(wanted: str, practices: list) -> list[tuple]:
    """`(practice, relevance)` pairs, the practices most relevant to the text `wanted` (the
    office's opportunities) first; relevance is the practice's BM25 score (0: no shared word).

    Each practice is scored by BM25 over the opportunity's word stems, in whichever of its
    languages matches best (so the order does not depend on the reader's language): a stem
    counts more when few candidates use it, and a match in a short practice more than in a
    long one. Then the practices are taken greedily so that the first ones together cover the
    opportunity: after "budgets" is met by one practice, a practice about "political
    discretion" goes before a second one about budgets. Ties keep the given order (city,
    title), so the ranking is deterministic.
    """
    query = set(_terms(wanted))
    if not query or not practices:
        return [(p, 0.0) for p in practices]
    versions = [[Counter(v) for v in _practice_versions(p)] for p in practices]
    n = len(practices)
    df = Counter(t for bags in versions for t in set().union(*bags) & query)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in df}
    lengths = [sum(bag.values()) for bags in versions for bag in bags]
    average = sum(lengths) / len(lengths)

    def per_term(bag):
        length = sum(bag.values())
        return {
            t: idf[t] * bag[t] * (_BM25_K1 + 1)
            / (bag[t] + _BM25_K1 * (1 - _BM25_B + _BM25_B * length / average))
            for t in query & bag.keys()
        }

    matches = [max((per_term(bag) for bag in bags), key=lambda m: sum(m.values()))
               for bags in versions]
    remaining, ranked, covered = list(range(n)), [], set()
    while remaining:
        best = max(remaining, key=lambda i: (
            sum(v for t, v in matches[i].items() if t not in covered),
            sum(matches[i].values()),
            -i,
        ))
        ranked.append((practices[best], sum(matches[best].values())))
        covered |= matches[best].keys()
        remaining.remove(best)
    return ranked


def weakest_rows(rows) -> list:
    """The `WEAKEST_COUNT` lowest-scoring rows, and every row tied with the last of them."""
    scored = sorted((r for r in rows if r.level is not None), key=lambda r: (r.level, r.number))
    if len(scored) <= WEAKEST_COUNT:
        return scored
    cut = scored[WEAKEST_COUNT - 1].level
    return [r for i, r in enumerate(scored) if i < WEAKEST_COUNT or r.level == cut]


def _weakest(assessment, rows, peers_from, wanted=None) -> list[WeakCriterion]:
    """The weakest criteria with their peer practices. `wanted` maps a criterion's number to
    its opportunities as stored (not in the reader's language), so practices are chosen and
    ordered the same in every language; rows' own (displayed) text is the fallback."""
    wanted = wanted or {}
    weakest = weakest_rows(rows)
    if not weakest:
        return []
    numbers = [r.number for r in weakest]
    practices = defaultdict(list)
    for p in GoodPractice.objects.filter(
        criterion__framework_id=assessment.framework_id, criterion__number__in=numbers
    ).select_related("criterion", "city", "office").order_by(
        "criterion__number", "city__name", "title"
    ):
        if p.city_id == assessment.city_id:
            continue  # peers, not the office itself
        practices[p.criterion.number].append(p)
    peers = defaultdict(list)
    for r in (
        CriterionResponse.objects.filter(
            criterion__framework_id=assessment.framework_id,
            criterion__number__in=numbers,
            level__gte=3,
            assessment__in=peers_from.exclude(city_id=assessment.city_id),
        )
        .select_related("criterion", "assessment__office", "assessment__city", "assessment__round")
        .order_by("criterion__number", "-level", "assessment__city__name")
    ):
        peers[r.criterion.number].append(
            PeerScore(
                subject=str(r.assessment.subject), city=r.assessment.city.name,
                round=r.assessment.round.code, level=r.level, level_name=str(r.level_name),
                strengths=_text(r, "current_strengths"),
            )
        )

    ranked = {
        r.number: scored_practices(wanted.get(r.number, r.opportunities), practices[r.number])
        for r in weakest
    }
    shown = {n: ranked[n][:1] for n in ranked}
    seconds = sorted(
        (
            (scored[1][1], n) for n, scored in ranked.items()
            if len(scored) > 1 and scored[1][1] > 0
            and scored[1][1] >= STRONG_SECOND * scored[0][1]
        ),
        key=lambda pair: (-pair[0], pair[1]),
    )
    spare = PRACTICES_BUDGET - sum(len(v) for v in shown.values())
    for _score, n in seconds[:max(0, spare)]:
        shown[n] = ranked[n][:2]

    def practice(p):
        return PeerPractice(
            p.title, p.summary,
            p.office.name + " — " + p.city.name if p.office else p.city.name,
            translate_citation(p.source_section), lead=lead(p.summary),
        )

    criteria = [
        WeakCriterion(
            number=r.number, name=r.name, level=r.level, level_name=r.level_name,
            practices=[practice(p) for p, _score in shown[r.number]], peers=peers[r.number][:3],
            relevance=sum(score for _p, score in shown[r.number]),
        )
        for r in weakest
    ]
    if len(weakest_tie(criteria)) > TIE_REORDER_OVER:
        # relevance rounded: scores a hair apart are a tie, kept in criterion order
        criteria.sort(key=lambda w: (w.level, -round(w.relevance, 1), w.number))
    return criteria


def weakest_tie(criteria) -> list:
    """The criteria at the lowest level among `criteria`."""
    levels = [c.level for c in criteria if c.level is not None]
    return [c for c in criteria if levels and c.level == min(levels)]


def _trend_indicators(assessment) -> list:
    """The city's figures of the measures a trend charts (homicide counts among them)."""
    return list(city_figures.figures_of(assessment.city_id, measures=TREND_MEASURES))


def _outcome(assessment, indicators) -> OutcomeTrend | None:
    """Homicide (or violent-death) rate, else count, against the city's network goal."""
    return outcome_trend(indicators, goal_for_city(assessment.city_id))


def outcome_trend(indicators, goal: Goal | None) -> OutcomeTrend | None:
    """The trend of one city's `indicators` against `goal`, in the active language.

    The goal line follows `cities.goals.goal_line`: from the baseline year's figure, else the
    first later one, never an earlier one.
    """
    for kind in TREND_MEASURES:
        chosen = sorted((i for i in indicators if i.measure == kind), key=lambda i: i.year)
        if chosen:
            break
    else:
        return None
    points = [Figure.of(i) for i in chosen]
    line = goal_line(goal, points) if goal else None
    status = line.status(points) if line else None
    later = [p for p in points if line and line.start and p.year > line.start.year]
    kind_label = str(Measure(kind).label)
    start, target = (line.start, line.target) if line else (None, None)
    return OutcomeTrend(
        kind=kind,
        kind_label=kind_label,
        area=chosen[0].area,
        points=points,
        goal=goal,
        line=line,
        status=status or "",
        status_label=str(status.label) if status else "",
        latest=later[-1] if later else None,
        line_at_latest=line.figure_at(later[-1].year) if later else None,
        chart=charts.trend_chart(
            [charts.TrendPoint(p.year, float(p.value), p.text,
                               bool(goal) and p.year < goal.baseline_year) for p in points],
            start=(start.year, float(start.value), start.text) if start else None,
            target=charts.TrendPoint(target.year, float(target.value),
                                     str(_("goal: %(figure)s") % {"figure": target.text}))
            if target else None,
            baseline_year=goal.baseline_year if goal else None,
            baseline_label=str(_("%(year)s: goal set") % {"year": goal.baseline_year})
            if goal else "",
            y_title=kind_label,
            goal_label=_goal_label(line),
        ),
    )


def _goal_label(line: GoalLine | None) -> str:
    """The goal line's legend: what it is and, when it does not start in the baseline year,
    where it starts and why."""
    if line is None:
        return str(_("No network goal recorded"))
    goal = line.goal
    values = {"pct": goal.reduction_percent, "base": goal.baseline_year,
              "target": goal.target_year, "network": goal.network}
    if line.start is None:
        return str(_("No %(base)s figure or later: no goal line (%(network)s goal: "
                     "%(pct)s %% less by %(target)s)") % values)
    if line.starts_at_baseline:
        return str(_("%(network)s goal: %(pct)s %% below the %(base)s figure by %(target)s")
                   % values)
    return str(_("%(network)s goal, %(pct)s %% less by %(target)s: no %(base)s figure, line "
                 "drawn from %(start)s, the first figure after %(base)s")
               % {**values, "start": line.start.year})


def _in_reader_language(assessment, notes):
    """Name each note's report tradeoff by its title in the active language (one query)."""
    titles = dict(
        Tradeoff.objects.filter(criterion__framework_id=assessment.framework_id).values_list(
            "title_en", "title"
        )
    )
    return [
        replace(note, tradeoff=titles.get(note.tradeoff) or note.tradeoff,
                section=translate_citation(note.section))
        for note in notes
    ]


def _english_subject(assessment):
    """File names stay the same in every language."""
    with translation.override("en"):
        return str(assessment.subject)


def _shared_opening(titles: list[str]) -> str:
    """The opening the titles share, up to a ": " (so "Report, Part 4: chart, criterion 1" and
    "Report, Part 4: prose on criterion 3" share "Report, Part 4"); "" if there is none."""
    if len(set(titles)) < 2:
        return ""
    prefix = os.path.commonprefix(titles)
    cut = prefix.rfind(": ")
    return prefix[:cut].strip() if cut > 0 else ""


def _evidence_groups(responses):
    """The appendix: one item per citation (title, link, source, date, kind), listing every
    criterion it supports, grouped by source and date; refs E1… in the appendix's order.

    Returns the groups and, per criterion number, the keys of the items it cites.
    """
    groups: dict[tuple, EvidenceGroup] = {}
    items: dict[tuple, EvidenceItem] = {}
    keys_by_criterion = defaultdict(list)
    for r in responses:
        number = r.criterion.number
        for e in r.evidence.all():
            key = (e.title.strip(), e.url.strip(), e.source.strip(), e.date, e.date_precision,
                   e.kind)
            keys_by_criterion[number].append(key)
            item = items.get(key)
            if item is None:
                item = items[key] = EvidenceItem(
                    ref="", criteria=[], kind=str(e.get_kind_display()),
                    title=_text(e, "title"), link=safe_link(e.url), url_text=e.url, date=e.date,
                    source=translate_citation(e.source),
                    notes=[], date_precision=e.date_precision,
                )
                group = groups.setdefault(
                    (key[2], e.date, e.date_precision),
                    EvidenceGroup(translate_citation(e.source), e.date, "", [], [],
                                  e.date_precision),
                )
                group.items.append(item)
                group.keys.append(key)
            if number not in item.criteria:
                item.criteria.append(number)
            note = _text(e, "note")  # keeps the language it is in (lang attribute)
            if note.strip():
                same = next((n for n in item.notes if n.text == note), None)
                if same is None:
                    item.notes.append(EvidenceNote([number], note))
                elif number not in same.criteria:
                    same.criteria.append(number)
    counter = 0
    for group in groups.values():
        group.shared_title = _shared_opening([i.title for i in group.items])
        for item in group.items:
            item.short_title = (
                item.title[len(group.shared_title):].lstrip(": ").strip()
                if group.shared_title else item.title
            )
        # Refs follow the printed order: a run's items take consecutive refs.
        group.entries = _runs(group.items)
        key_of = {id(i): k for i, k in zip(group.items, group.keys, strict=True)}
        group.items = [i for e in group.entries for i in (e.items if _is_run(e) else [e])]
        group.keys = [key_of[id(i)] for i in group.items]
        for item in group.items:
            counter += 1
            item.ref = f"E{counter}"
    return list(groups.values()), keys_by_criterion


def _is_run(entry) -> bool:
    return isinstance(entry, EvidenceRun)


#: At least this many items that differ only by their criterion's number make a run.
MIN_RUN = 3


def _numbered_as(text: str, number: int) -> str | None:
    """`text` with its one standalone `number` replaced by "N"; None if it has not exactly one."""
    pattern = rf"(?<![\w.]){number}(?![\w.]|\.\d)"
    if len(re.findall(pattern, text)) != 1:
        return None
    return re.sub(pattern, "N", text)


def _runs(items: list[EvidenceItem]) -> list:
    """The group's items, those that read the same but for their criterion's number gathered
    into one `EvidenceRun` (at the place of the first); the others as they are."""
    patterns = {}
    for item in items:
        if item.link or item.url_text or len(item.criteria) != 1 or len(item.notes) != 1:
            continue
        number = item.criteria[0]
        title = _numbered_as(item.short_title, number)
        note = _numbered_as(item.notes[0].text, number)
        if title and note:
            patterns[id(item)] = (title, note, item.kind)
    counts = Counter(patterns.values())
    entries, runs = [], {}
    for item in items:
        key = patterns.get(id(item))
        if key is None or counts[key] < MIN_RUN:
            entries.append(item)
        elif key in runs:
            runs[key].items.append(item)
        else:
            runs[key] = EvidenceRun([item], *key)
            entries.append(runs[key])
    return entries


def build_office_brief(assessment, *, peers_from, now=None) -> OfficeBrief:
    """The office brief of `assessment` (fetched through `brief_queryset`).

    `peers_from` is the queryset of assessments the reader may see: peer examples come only
    from those, so a brief never names an office its reader could not open.
    """
    now = now or timezone.now()
    responses = list(assessment.responses.all())
    medians, median_count = network_medians(assessment)
    groups, keys_by_criterion = _evidence_groups(responses)
    evidence = [item for group in groups for item in group.items]
    ref_of = {key: item.ref for group in groups for key, item in zip(
        group.keys, group.items, strict=True)}
    rows = []
    for r in responses:
        number = r.criterion.number
        median = medians.get(number)
        rows.append(BriefRow(
            number=number,
            label=r.criterion.chart_label or r.criterion.name,
            name=r.criterion.name,
            level=r.level,
            level_name=str(r.level_name),
            not_applicable=r.not_applicable,
            not_applicable_reason=_text(r, "not_applicable_reason"),
            strengths=_text(r, "current_strengths"),
            opportunities=_text(r, "opportunities"),
            confidence=str(r.get_confidence_display()) if r.confidence else "",
            median=median[0] if median else None,
            median_peers=median[1] if median else 0,
            evidence_refs=list(dict.fromkeys(ref_of[k] for k in keys_by_criterion[number])),
        ))
    as_of = (assessment.published_at or now).year
    indicators = _trend_indicators(assessment)  # the outcome trend's and the panel's
    facts = Facts.from_assessment(assessment, responses, as_of_year=as_of)
    office = assessment.office
    profile = getattr(assessment, "profile", None)
    location = profile.institutional_location if profile else "unknown"
    if location == "unknown" and office is not None:
        location = office.institutional_location
    model_label = "" if location == "unknown" else str(InstitutionalLocation(location).label)
    return OfficeBrief(
        assessment_id=assessment.pk,
        subject=(_text(assessment, "subject_label") if assessment.subject_label
                 else str(assessment.subject)),
        city=assessment.city.name,
        country=str(assessment.city.country.name),
        scope=str(assessment.get_scope_display()),
        office_name=office_display_name(office),
        institutional_model=model_label,
        round=assessment.round.code,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        is_draft=assessment.status != Assessment.Status.PUBLISHED,
        is_public=assessment.is_public,
        framework=assessment.framework.name,
        framework_version=assessment.framework.version,
        summary=_text(assessment, "summary"),
        source=translate_citation(assessment.source),
        level_note=_text(assessment, "level_note"),
        from_source=bool(assessment.source.strip()),
        generated_at=now,
        facts=_profile_facts(assessment),
        rows=rows,
        median_count=median_count,
        level_chart=charts.levels_chart(
            [f"{r.number}. {r.label}" for r in rows],
            [r.level for r in rows],
            [r.median for r in rows],
            level_names=[str(LEVEL_NAMES[n]) for n in range(5)],
            mine_label=str(_("This assessment")),
            median_label=str(
                _("Network median")
                if any(r.median is not None for r in rows)
                else _("Network median: not enough peers")
            ),
        ),
        notes=_in_reader_language(assessment, tradeoff_notes(facts)),
        weakest=_weakest(assessment, rows, peers_from,
                         wanted={r.criterion.number: r.opportunities for r in responses}),
        outcome=_outcome(assessment, indicators),
        evidence=evidence,
        evidence_groups=groups,
        filename_stem=slugify(f"{assessment.city.name} {_english_subject(assessment)}")[:60]
        .strip("-")
        + f"-{assessment.round.code}",
        since=build_since_last_round(assessment, rows, today=timezone.localdate(now)),
        plan=build_action_plan(assessment, rows, today=timezone.localdate(now)),
        resources=build_resources_panel(
            city=assessment.city, profile=profile,
            homicides=latest_homicides(indicators=indicators)),
        indicators=_public_indicators(assessment, today=timezone.localdate(now)),
    )


def _public_indicators(assessment, *, today):
    """The office's public indicators (one query): the brief is read by anyone who may see
    the assessment, and published briefs are stored and served to the public, so it shows
    what the office publishes, never its private indicators."""
    if assessment.office_id is None:
        return []
    return indicator_summaries(
        Indicator.objects.filter(office_id=assessment.office_id, is_public=True), today=today)


# --- the network brief ------------------------------------------------------------------------


@dataclass
class GapRow:
    number: int
    name: str
    low_count: int
    total: int
    summary: Summary

    @property
    def median(self) -> float | None:
        return self.summary.median


@dataclass
class Standout:
    number: int
    criterion: str
    subject: str
    city: str
    level: int
    strengths: str


@dataclass
class HeatRow:
    assessment_id: int
    subject: str
    city: str
    status: str
    levels: list[int | None]
    # The office did not give these levels itself: the assessment's note on levels says how
    # they were set (the Part 4 charts: OVP Assess's reading of the report).
    not_self_given: bool = False


@dataclass
class NetworkBrief:
    round: str
    generated_at: datetime
    criteria: list[tuple[int, str]]
    subjects: list[HeatRow]
    matrix: list[list[int | None]]
    distribution: dict[int, list[int]]  # criterion -> count per level 0..4
    gaps: list[GapRow]
    standouts: list[Standout]
    heatmap: charts.Chart
    distribution_chart: charts.Chart
    includes_unpublished: bool

    @property
    def distribution_rows(self):
        return distribution_rows(self.criteria, self.distribution)

    @property
    def distribution_headers(self):
        return level_headers()

    @property
    def not_self_given(self) -> list[HeatRow]:
        return [s for s in self.subjects if s.not_self_given]

    @property
    def not_self_given_names(self) -> str:
        """"A, B and C" in the active language (read when the template renders)."""
        return str(get_text_list([s.subject for s in self.not_self_given], _("and")))


def distribution_rows(criteria, distribution):
    """The distribution chart's figures as table rows, its text equivalent on the page and in
    the PDF: (number, name, offices at each level 0..4, the statistic of those levels)."""
    rows = []
    for n, name in criteria:
        counts = distribution.get(n, [0] * 5)
        rows.append((n, name, counts, summarise(_levels_of_counts(counts))))
    return rows


def _levels_of_counts(counts):
    """[2, 0, 1, …] (offices per level) → [0, 0, 2, …] (each office's level)."""
    return [level for level, count in enumerate(counts) for _i in range(count)]


def level_headers():
    return [f"{i} — {LEVEL_NAMES[i]}" for i in range(5)]


def build_network_brief(assessments, *, round) -> NetworkBrief:
    """The network brief of `round` over `assessments` (already scoped to the reader)."""
    assessments = list(
        assessments.filter(round__code=round)
        .select_related("office", "city", "round", "framework")
        .prefetch_related(
            Prefetch("responses", queryset=CriterionResponse.objects.select_related("criterion"))
        )
        .order_by("city__name", "office__name")
    )
    framework_ids = {a.framework_id for a in assessments}
    criteria = list(
        Criterion.objects.filter(framework_id__in=framework_ids)
        .order_by("number").values_list("number", "name").distinct()
    )
    numbers = [n for n, _name in criteria]
    matrix, subjects, standouts = [], [], []
    distribution = {n: [0] * 5 for n in numbers}
    for a in assessments:
        levels = {r.criterion.number: r for r in a.responses.all()}
        row = [levels[n].level if n in levels else None for n in numbers]
        subjects.append(HeatRow(a.pk, str(a.subject), a.city.name,
                                str(a.get_status_display()), row,
                                not_self_given=(a.get_level_source()
                                                == Assessment.LevelSource.READING)))
        matrix.append(row)
        for n, r in levels.items():
            if r.level is not None and n in distribution:
                distribution[n][r.level] += 1
                if r.level == 4:
                    standouts.append(Standout(n, r.criterion.name, str(a.subject), a.city.name,
                                              r.level, _text(r, "current_strengths")))
    gaps = []
    for n, name in criteria:
        counts = distribution[n]
        total = sum(counts)
        gaps.append(GapRow(n, name, counts[0] + counts[1], total,
                           summarise(_levels_of_counts(counts))))
    gaps.sort(key=lambda g: (-g.low_count, g.median if g.median is not None else 9, g.number))
    labels = [f"{n}. {name}" for n, name in criteria]
    return NetworkBrief(
        round=round,
        generated_at=timezone.now(),
        criteria=criteria,
        subjects=subjects,
        matrix=matrix,
        distribution=distribution,
        gaps=[g for g in gaps if g.low_count][:5],
        standouts=standouts,
        heatmap=charts.heatmap_chart(
            [f"{s.subject} *" if s.not_self_given else s.subject for s in subjects],
            [str(n) for n in numbers], matrix,
            x_names=labels, title=str(_("Level")),
        ),
        distribution_chart=charts.distribution_chart(
            labels, [distribution[n] for n in numbers],
            level_names=[f"{i} — {LEVEL_NAMES[i]}" for i in range(5)],
            title=str(_("Distribution of levels per criterion")),
        ),
        includes_unpublished=any(a.status != Assessment.Status.PUBLISHED for a in assessments),
    )


def rounds_visible_to(user):
    """The rounds with at least one assessment the user may see, newest first."""
    counts = Counter(
        Assessment.objects.visible_to(user).values_list("round__code", flat=True)
    )
    return sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
