"""The brief's improvement-plan sections: the action plan, and what changed since the
previous published round of the same office. Numbers and codes, built in the reader's
language like the rest of the brief (see selectors.build_office_brief)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from criteria.models import LEVEL_NAMES, Action, CriterionResponse, CriterionTarget
from criteria.plans import previous_published


@dataclass
class PlanTarget:
    number: int
    label: str
    level: int | None  # current
    target: int
    target_name: str
    target_date: date | None
    met: bool | None  # None: no current level to compare


@dataclass
class PlanAction:
    number: int
    title: str
    owner: str
    start_date: date | None
    due_date: date | None
    status: str
    status_label: str
    late: bool
    carried: bool


@dataclass
class ActionPlan:
    targets: list[PlanTarget]
    actions: list[PlanAction]

    @property
    def late_count(self) -> int:
        return sum(1 for a in self.actions if a.late)


@dataclass
class SinceRow:
    number: int
    label: str
    before: int | None
    now: int | None
    target: int | None  # the target the previous plan set
    target_met: bool | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.now is None:
            return None
        return self.now - self.before


@dataclass
class SinceLastRound:
    previous_id: int
    previous_round: str
    rows: list[SinceRow]
    done: int = 0
    late: int = 0
    dropped: int = 0
    still_open: int = 0
    targets_met: int = 0
    targets_set: int = 0
    late_titles: list[str] = field(default_factory=list)


def build_action_plan(assessment, rows, *, today=None) -> ActionPlan | None:
    """Targets beside current levels and the actions, or None when there is no plan.
    Two queries (targets, actions)."""
    today = today or timezone.localdate()
    current = {r.number: r.level for r in rows}
    labels = {r.number: r.label for r in rows}
    targets = [
        PlanTarget(number=t.criterion.number, label=labels.get(t.criterion.number, ""),
                   level=current.get(t.criterion.number), target=t.level,
                   target_name=str(LEVEL_NAMES[t.level]), target_date=t.target_date,
                   met=None if current.get(t.criterion.number) is None
                   else current[t.criterion.number] >= t.level)
        for t in CriterionTarget.objects.filter(assessment=assessment)
        .select_related("criterion").order_by("criterion__number")
    ]
    actions = list(Action.objects.filter(assessment=assessment).select_related(
        "criterion", "owner_member").order_by("criterion__number", "due_date", "pk"))
    if not targets and not actions:
        return None
    return ActionPlan(targets=targets, actions=[
        PlanAction(
            number=a.criterion.number, title=a.title,
            owner=", ".join(x for x in (a.owner, a.owner_member.display_name
                                        if a.owner_member_id else "") if x),
            start_date=a.start_date, due_date=a.due_date, status=a.status,
            status_label=str(a.get_status_display()), late=a.is_late(today),
            carried=a.carried_from_id is not None)
        for a in actions
    ])


def build_since_last_round(assessment, rows, *, today=None) -> SinceLastRound | None:
    """Levels against the previous published assessment of the same office, whether the
    targets set then were met, and what became of that plan's actions (followed into this
    plan where they were carried forward). None without a previous assessment.
    One query without one; four with."""
    today = today or timezone.localdate()
    previous = previous_published(assessment)
    if previous is None:
        return None
    before = dict(CriterionResponse.objects.filter(assessment=previous)
                  .values_list("criterion__number", "level"))
    targets = dict(CriterionTarget.objects.filter(assessment=previous)
                   .values_list("criterion__number", "level"))
    old_actions = list(Action.objects.filter(assessment=previous).prefetch_related(
        "carried_to"))
    result = SinceLastRound(previous_id=previous.pk, previous_round=previous.round, rows=[])
    for r in rows:
        target = targets.get(r.number)
        met = None if target is None or r.level is None else r.level >= target
        result.rows.append(SinceRow(number=r.number, label=r.label, before=before.get(r.number),
                                    now=r.level, target=target, target_met=met))
        if target is not None:
            result.targets_set += 1
            result.targets_met += bool(met)
    for action in old_actions:
        # A carried action continues in a later plan: its latest status is what happened.
        later = [a for a in action.carried_to.all() if a.assessment_id == assessment.pk]
        latest = later[-1] if later else action
        if latest.status == Action.Status.DONE:
            result.done += 1
        elif latest.status == Action.Status.DROPPED:
            result.dropped += 1
        elif latest.is_late(today):
            result.late += 1
            result.late_titles.append(latest.title)
        else:
            result.still_open += 1
    return result
