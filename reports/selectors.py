"""Selectors: read what a brief needs in a fixed number of queries and return plain dataclasses.

Renderers (HTML, PDF, ZIP) only format these; they never touch the ORM.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cities.models import City, InstitutionalLocation, ViolenceIndicator
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
from .tradeoffs import Facts, TradeoffNote, tradeoff_notes

#: The Peace in Our Cities goal every member city measures itself against.
GOAL_YEAR = 2030
GOAL_REDUCTION = Decimal("0.5")
GOAL_SOURCE = "PiOC 2024, Introduction; PiOC Two-Year Review"
WEAKEST_COUNT = 3
SAFE_LINK_SCHEMES = ("http://", "https://")


def safe_link(url: str) -> str:
    """The URL if a reader may follow it, else "" (no javascript:, file:, data: links)."""
    url = (url or "").strip()
    return url if url.lower().startswith(SAFE_LINK_SCHEMES) else ""


def brief_queryset(queryset=None):
    """Everything a brief reads about its assessment, fetched up front."""
    queryset = queryset if queryset is not None else Assessment.objects.all()
    return queryset.select_related("office", "city", "framework", "profile").prefetch_related(
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


@dataclass
class OutcomePoint:
    year: int
    value: Decimal
    qualifier: str
    source: str


@dataclass
class OutcomeTrend:
    kind_label: str
    area: str
    points: list[OutcomePoint]
    baseline: OutcomePoint
    target_value: Decimal
    target_year: int
    chart: charts.Chart


@dataclass
class EvidenceItem:
    ref: str
    criterion_number: int
    kind: str
    title: str
    link: str
    url_text: str
    date: object
    source: str
    note: str


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
    generated_at: datetime
    facts: list[Fact]
    rows: list[BriefRow]
    median_count: int
    level_chart: charts.Chart
    notes: list[TradeoffNote]
    weakest: list[WeakCriterion]
    outcome: OutcomeTrend | None
    evidence: list[EvidenceItem]
    filename_stem: str = field(default="")


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
        budget = f"{profile.budget_amount:,.0f} {profile.budget_currency}".strip()
        if profile.budget_year:
            budget += f" ({profile.budget_year})"
    funding = "; ".join(
        f"{_text(s, 'name')} ({s.get_kind_display()}"
        + (f", {s.share_percent.normalize():f} %" if s.share_percent is not None else "")
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
        staffing.append(str(_("%(n)s full-time") % {"n": f"{profile.staff_fte.normalize():f}"}))
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

    return [
        Fact(str(_("Institutional location")), choice(
            profile.institutional_location, profile.get_institutional_location_display())),
        Fact(str(_("Police answer to")), choice(
            profile.police_control, profile.get_police_control_display())),
        Fact(str(_("Budget")), budget, _text(profile, "budget_note")),
        Fact(str(_("Funding sources")), funding),
        Fact(str(_("Staff")), ", ".join(staffing), _text(profile, "staff_note")),
        Fact(str(_("Prevention approaches")), approaches),
        Fact(str(_("Focus population")), _text(profile, "focus_population")),
        Fact(str(_("Mandate goals")), _text(profile, "mandate_goals")),
        Fact(str(_("Last diagnosis")), diagnosis),
        Fact(str(_("Baseline")), _yes_no(profile.has_baseline)),
        Fact(str(_("Buy-in rests on one champion")), _yes_no(profile.buy_in_single_champion)),
    ]


def network_medians(assessment) -> tuple[dict[int, float], int]:
    """Median level per criterion over the round's published assessments in the city's networks.

    Medians are aggregates, so they may draw on assessments the reader cannot open; a city in
    no network is compared with every published assessment of the round. One query.
    """
    network_cities = City.objects.filter(networks__cities__pk=assessment.city_id)
    peers = Assessment.objects.published().filter(
        framework_id=assessment.framework_id, round=assessment.round,
        city__in=network_cities.values("pk"),
    )
    rows = CriterionResponse.objects.filter(
        assessment__in=peers, level__isnull=False
    ).values_list("assessment_id", "criterion__number", "level")
    by_criterion = defaultdict(list)
    assessments = set()
    for assessment_id, number, level in rows:
        by_criterion[number].append(level)
        assessments.add(assessment_id)
    return (
        {number: float(statistics.median(levels)) for number, levels in by_criterion.items()},
        len(assessments),
    )


def _weakest(assessment, rows, peers_from) -> list[WeakCriterion]:
    scored = [r for r in rows if r.level is not None]
    weakest = sorted(scored, key=lambda r: (r.level, r.number))[:WEAKEST_COUNT]
    if not weakest:
        return []
    numbers = [r.number for r in weakest]
    practices = defaultdict(list)
    for p in GoodPractice.objects.filter(
        criterion__framework_id=assessment.framework_id, criterion__number__in=numbers
    ).select_related("criterion", "city", "office").order_by("criterion__number", "city__name"):
        if p.city_id == assessment.city_id:
            continue  # peers, not the office itself
        where = p.office.name + " — " + p.city.name if p.office else p.city.name
        practices[p.criterion.number].append(
            PeerPractice(p.title, p.summary, where, translate_citation(p.source_section))
        )
    peers = defaultdict(list)
    for r in (
        CriterionResponse.objects.filter(
            criterion__framework_id=assessment.framework_id,
            criterion__number__in=numbers,
            level__gte=3,
            assessment__in=peers_from.exclude(city_id=assessment.city_id),
        )
        .select_related("criterion", "assessment__office", "assessment__city")
        .order_by("criterion__number", "-level", "assessment__city__name")
    ):
        peers[r.criterion.number].append(
            PeerScore(
                subject=str(r.assessment.subject), city=r.assessment.city.name,
                round=r.assessment.round, level=r.level, level_name=str(r.level_name),
                strengths=_text(r, "current_strengths"),
            )
        )
    return [
        WeakCriterion(
            number=r.number, name=r.name, level=r.level, level_name=r.level_name,
            practices=practices[r.number][:3], peers=peers[r.number][:3],
        )
        for r in weakest
    ]


def _outcome(assessment) -> OutcomeTrend | None:
    """Homicide (or violent-death) rate, else count, against halving it by 2030."""
    indicators = list(
        ViolenceIndicator.objects.filter(
            city_id=assessment.city_id,
            kind__in=[
                ViolenceIndicator.Kind.HOMICIDE_RATE,
                ViolenceIndicator.Kind.VIOLENT_DEATH_RATE,
                ViolenceIndicator.Kind.HOMICIDES,
            ],
        ).order_by("year")
    )
    return outcome_trend(indicators)


def outcome_trend(indicators) -> OutcomeTrend | None:
    """The trend of one city's `indicators` (ordered by year) against the 2030 goal."""
    for kind in (
        ViolenceIndicator.Kind.HOMICIDE_RATE,
        ViolenceIndicator.Kind.VIOLENT_DEATH_RATE,
        ViolenceIndicator.Kind.HOMICIDES,
    ):
        chosen = [i for i in indicators if i.kind == kind]
        if chosen:
            break
    else:
        return None
    points = [
        OutcomePoint(i.year, i.value, str(i.get_qualifier_display()) if i.qualifier != "exact"
                     else "", translate_citation(i.source))
        for i in chosen
    ]
    baseline = points[0]
    target = (baseline.value * GOAL_REDUCTION).quantize(Decimal("0.1"))
    kind_label = str(ViolenceIndicator.Kind(kind).label)
    return OutcomeTrend(
        kind_label=kind_label,
        area=chosen[0].area,
        points=points,
        baseline=baseline,
        target_value=target,
        target_year=GOAL_YEAR,
        chart=charts.trend_chart(
            [(p.year, float(p.value)) for p in points],
            (baseline.year, float(baseline.value)),
            (GOAL_YEAR, float(target)),
            y_title=kind_label,
            goal_label=str(_("Goal: half the baseline by 2030")),
        ),
    )


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


def build_office_brief(assessment, *, peers_from, now=None) -> OfficeBrief:
    """The office brief of `assessment` (fetched through `brief_queryset`).

    `peers_from` is the queryset of assessments the reader may see: peer examples come only
    from those, so a brief never names an office its reader could not open.
    """
    now = now or timezone.now()
    responses = list(assessment.responses.all())
    medians, median_count = network_medians(assessment)
    rows, evidence = [], []
    for r in responses:
        refs = []
        for e in r.evidence.all():
            ref = f"E{len(evidence) + 1}"
            refs.append(ref)
            evidence.append(EvidenceItem(
                ref=ref, criterion_number=r.criterion.number, kind=str(e.get_kind_display()),
                title=_text(e, "title"), link=safe_link(e.url), url_text=e.url, date=e.date,
                source=translate_citation(e.source), note=_text(e, "note"),
            ))
        rows.append(BriefRow(
            number=r.criterion.number,
            label=r.criterion.chart_label or r.criterion.name,
            name=r.criterion.name,
            level=r.level,
            level_name=str(r.level_name),
            not_applicable=r.not_applicable,
            not_applicable_reason=_text(r, "not_applicable_reason"),
            strengths=_text(r, "current_strengths"),
            opportunities=_text(r, "opportunities"),
            confidence=str(r.get_confidence_display()) if r.confidence else "",
            median=medians.get(r.criterion.number),
            evidence_refs=refs,
        ))
    as_of = (assessment.published_at or now).year
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
        round=assessment.round,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        is_draft=assessment.status != Assessment.Status.PUBLISHED,
        is_public=assessment.is_public,
        framework=assessment.framework.name,
        framework_version=assessment.framework.version,
        summary=_text(assessment, "summary"),
        source=translate_citation(assessment.source),
        level_note=_text(assessment, "level_note"),
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
            median_label=str(_("Network median")),
        ),
        notes=_in_reader_language(assessment, tradeoff_notes(facts)),
        weakest=_weakest(assessment, rows, peers_from),
        outcome=_outcome(assessment),
        evidence=evidence,
        filename_stem=slugify(f"{assessment.city.name} {_english_subject(assessment)}")[:60]
        .strip("-")
        + f"-{slugify(assessment.round)}",
    )


# --- the network brief ------------------------------------------------------------------------


@dataclass
class GapRow:
    number: int
    name: str
    low_count: int
    total: int
    median: float | None


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


def build_network_brief(assessments, *, round) -> NetworkBrief:
    """The network brief of `round` over `assessments` (already scoped to the reader)."""
    assessments = list(
        assessments.filter(round=round)
        .select_related("office", "city", "framework")
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
                                str(a.get_status_display()), row))
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
        levels = [lvl for lvl, c in enumerate(counts) for _i in range(c)]
        gaps.append(GapRow(n, name, counts[0] + counts[1], total,
                           float(statistics.median(levels)) if levels else None))
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
            [s.subject for s in subjects], [str(n) for n in numbers], matrix,
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
        Assessment.objects.visible_to(user).values_list("round", flat=True)
    )
    return sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
