"""The transition memo: a short brief for an incoming administration.

What the office is for (its mandate), what works (its strongest criteria), what a change of
administration puts at risk (the tradeoff rules about turnover, a single champion, budgets
without legal protection and patronage), the open actions of its plan and its key
indicators. Built in a fixed number of queries, in the active language (the caller wraps it
in `translation.override`, as the brief's PDF does); rendered by `reports.renderers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.text import slugify

from cities.models import transition_past
from cities.transitions import next_transition_for
from criteria.models import LEVEL_NAMES, Action

from .indicator_selectors import IndicatorSummary, indicator_summaries
from .selectors import _english_subject, _in_reader_language, _text, office_display_name
from .tradeoffs import Facts, TradeoffNote, tradeoff_notes

#: The tradeoff rules about what a change of administration puts at risk (docs/reports.md):
#: exposure to turnover, identification with the predecessor, one champion, a budget the
#: next administration can cut, posts turned into rewards.
TRANSITION_RULES = ("mayors-office", "transition-ahead", "single-champion",
                    "unprotected-budget", "institutional-memory")
#: Strengths shown: the criteria at the highest levels, at most this many, level 3 or above.
STRENGTH_COUNT = 3
STRENGTH_MIN_LEVEL = 3
KEY_INDICATORS = 8


@dataclass(frozen=True)
class Strength:
    number: int
    name: str
    level: int
    level_name: str
    text: str


@dataclass(frozen=True)
class MemoAction:
    number: int
    title: str
    owner: str
    due_date: date | None
    status_label: str
    late: bool


@dataclass
class TransitionMemo:
    assessment_id: int
    subject: str
    office_name: str
    city: str
    country: str
    round: str
    status_label: str
    is_draft: bool
    transition: str  # when the next election or change of administration is, or ""
    #: Where `transition` comes from: "office" (recorded by the office, kept current),
    #: "assessment" (the profile's fact when the assessment was made), or "" (neither).
    transition_from: str
    transition_kind: str  # "Election", … for an office record; "" otherwise
    transition_note: str  # what the office wrote about it (never translated)
    transition_passed: bool  # the assessment's date, now past, with nothing newer recorded
    mandate: str
    mandate_level: int | None
    mandate_level_name: str
    strengths: list[Strength]
    risks: list[TradeoffNote]
    actions: list[MemoAction]
    indicators: list[IndicatorSummary]
    generated_at: datetime
    filename_stem: str = field(default="")


def _transition(assessment, profile, today) -> dict:
    """The next election or change of administration: the office's own record when there
    is one ahead (it is kept current), else what the assessment's profile recorded."""
    recorded = next_transition_for(assessment, today=today)
    if recorded is not None:
        return {"transition": recorded.when, "transition_from": "office",
                "transition_kind": str(recorded.get_kind_display()),
                "transition_note": recorded.note, "transition_passed": False}
    empty = {"transition": "", "transition_from": "", "transition_kind": "",
             "transition_note": "", "transition_passed": False}
    if profile is None or profile.next_transition_year is None:
        return empty
    year, month = profile.next_transition_year, profile.next_transition_month
    when = (formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT") if month
            else str(year))
    return {**empty, "transition": when, "transition_from": "assessment",
            "transition_passed": transition_past(year, month, today)}


def _strengths(responses) -> list[Strength]:
    ranked = sorted((r for r in responses if r.level is not None
                     and r.level >= STRENGTH_MIN_LEVEL and not r.not_applicable),
                    key=lambda r: (-r.level, r.criterion.number))
    return [Strength(number=r.criterion.number, name=r.criterion.name,
                     level=r.level, level_name=str(LEVEL_NAMES[r.level]),
                     text=_text(r, "current_strengths"))
            for r in ranked[:STRENGTH_COUNT]]


def build_transition_memo(assessment, *, actions_from, indicators_from, now=None):
    """The memo of `assessment` (fetched through `brief_queryset`). `actions_from` and
    `indicators_from` are the plan actions and indicators the reader may see: a memo never
    shows what its reader could not open (an anonymous reader gets public indicators only)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    responses = list(assessment.responses.all())
    profile = getattr(assessment, "profile", None)
    facts = Facts.from_assessment(assessment, responses,
                                  as_of_year=(assessment.published_at or now).year)
    risks = [n for n in tradeoff_notes(facts) if n.rule in TRANSITION_RULES]
    mandate = next((r for r in responses if r.criterion.number == 1), None)
    office = assessment.office
    actions = []
    if office is not None:
        actions = [
            MemoAction(number=a.criterion.number, title=a.title,
                       owner=", ".join(x for x in (a.owner, a.owner_member.display_name
                                                   if a.owner_member_id else "") if x),
                       due_date=a.due_date, status_label=str(a.get_status_display()),
                       late=a.is_late(today))
            for a in actions_from.filter(assessment__office=office,
                                         status__in=Action.OPEN_STATUSES)
            .select_related("criterion", "owner_member")
            .order_by("due_date", "criterion__number", "pk")
        ]
    return TransitionMemo(
        assessment_id=assessment.pk,
        subject=(_text(assessment, "subject_label") if assessment.subject_label
                 else str(assessment.subject)),
        office_name=office_display_name(office),
        city=assessment.city.name,
        country=str(assessment.city.country.name),
        round=assessment.round.code,
        status_label=str(assessment.get_status_display()),
        is_draft=assessment.status != assessment.Status.PUBLISHED,
        **_transition(assessment, profile, today),
        mandate=_text(profile, "mandate_goals") if profile is not None else "",
        mandate_level=mandate.level if mandate else None,
        mandate_level_name=str(LEVEL_NAMES[mandate.level])
        if mandate and mandate.level is not None else "",
        strengths=_strengths(responses),
        risks=_in_reader_language(assessment, risks),
        actions=actions,
        indicators=indicator_summaries(indicators_from.filter(office=office), today=today,
                                       limit=KEY_INDICATORS) if office is not None else [],
        generated_at=now,
        filename_stem=slugify(f"{assessment.city.name} {_english_subject(assessment)}")[:60]
        .strip("-") + f"-{assessment.round.code}",
    )
