"""Writes and lookups of the improvement plan (targets and actions).

Written like `criteria.workflow`: keyword-only functions under one transaction, the
assessment locked first (so a save never interleaves with a copy-forward), compare-and-set
on each row's `version`, three-way merges against the version the editor started from,
`StaleVersion` when a person must decide, and `SubmissionKey` so a double click creates one
action. Unlike answers, a plan is writable whatever the assessment's status (published
included): the access need is PLAN, not EDIT.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F, Q

from . import access
from .models import Action, Assessment, CriterionTarget
from .workflow import (
    StaleVersion,
    _base_values,
    _record_submission,
    claim_submission,
    three_way,
)

ACTION_FIELDS = ["title", "criterion", "opportunity", "owner", "owner_member", "partners",
                 "start_date", "due_date", "status", "cost_amount", "cost_currency",
                 "done_when"]

_BULLET = re.compile(r"^\s*(?:[-*•·–]|\(?\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[A-ZÁÉÍÓÚÑÇÀÂÊÔÃÕ¿¡\"“(])")


def opportunity_items(text: str, *, limit: int = 2_000) -> list[str]:
    """The separate opportunities in a response's free text, to pick one for an action.

    One per line (bullets and numbers stripped); a single paragraph is split into its
    sentences. Each item is cut to `limit`, the length an action's `opportunity` holds.
    """
    lines = [_BULLET.sub("", line).strip() for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        lines = [part.strip() for part in _SENTENCE_END.split(lines[0]) if part.strip()]
    seen, items = set(), []
    for line in lines:
        item = line[:limit]
        if item not in seen:
            seen.add(item)
            items.append(item)
    return items


def previous_published(assessment):
    """The published assessment of the same office before `assessment`, or None.

    "Before" is round order (the round's opening date, then its closing date), then
    publication date: the one place that decides it.
    """
    if assessment.office_id is None:
        return None
    current = assessment.round
    earlier = Assessment.objects.published().filter(
        Q(round__opens_on__lt=current.opens_on)
        | Q(round__opens_on=current.opens_on, round__closes_on__lt=current.closes_on),
        office_id=assessment.office_id, framework_id=assessment.framework_id,
    ).exclude(pk=assessment.pk)
    return earlier.order_by("-round__opens_on", "-round__closes_on", "-published_at",
                            "-pk").first()


def _lock_for_plan(assessment, by):
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    access.require(by, locked, access.PLAN)
    return locked


# --- actions -------------------------------------------------------------------------------


@transaction.atomic
def create_action(*, assessment, content, by, submission_key=None, exchange=None):
    """A new action on `assessment`'s plan. `content` maps ACTION_FIELDS to values;
    `exchange`, a peer exchange of the office that this action follows up."""
    locked = _lock_for_plan(assessment, by)
    claim = claim_submission(submission_key, by)
    action = Action(assessment=locked, created_by=by, updated_by=by, **content)
    action.full_clean(exclude=["assessment", "criterion", "owner_member", "carried_from",
                               "created_by", "updated_by"])
    action._history_user = by
    action.save()
    if exchange is not None:
        from .exchanges import link_action

        link_action(exchange=exchange, action=action)
    _record_submission(claim, action.get_absolute_url())
    return action


def _claim_action(pk, base_version):
    return Action.objects.filter(pk=pk, version=base_version).update(version=F("version") + 1)


def _comparable(content):
    """Foreign keys compared by id, as the history stores them."""
    out = {}
    for name, value in content.items():
        if name in ("criterion", "owner_member"):
            out[name + "_id"] = getattr(value, "pk", value)
        else:
            out[name] = value
    return out


@transaction.atomic
def save_action(*, action, content, base_version, by, merge=True):
    """Write `content` based on the editor's copy at `base_version` (see save_response).

    Returns the saved action with `kept` / `kept_from` like a response; raises StaleVersion
    when both changed the same field differently (nothing is written then).
    """
    _lock_for_plan(action.assessment, by)
    kept, kept_from = [], None
    mine = _comparable(content)
    if not _claim_action(action.pk, base_version):
        current = Action.objects.select_related("updated_by").get(pk=action.pk)
        if not merge:
            raise StaleVersion(current)
        stored = {name: getattr(current, name) for name in mine}
        base = _base_values(current, base_version, list(mine))
        write, conflicts, kept = three_way(base=base, mine=mine, theirs=stored)
        if conflicts:
            merged = {**mine, **{name: stored[name] for name in kept}}
            raise StaleVersion(current, base=base, conflicts=conflicts, merged=merged)
        if not write:
            current.kept, current.kept_from = kept, current.updated_by
            return current
        kept_from = current.updated_by
        mine = write
        if not _claim_action(action.pk, current.version):
            raise StaleVersion(current)
    fresh = Action.objects.get(pk=action.pk)
    for name, value in mine.items():
        setattr(fresh, name, value)
    fresh.updated_by = by
    fresh.full_clean(exclude=["assessment", "criterion", "owner_member", "carried_from",
                              "created_by", "updated_by"])
    fresh._history_user = by
    fresh.save()
    fresh.kept, fresh.kept_from = kept, kept_from
    return fresh


@transaction.atomic
def delete_action(*, action, base_version, by):
    """Delete, unless someone changed the action since the person looked at it: removing
    what a colleague just wrote without them seeing it would lose it silently."""
    _lock_for_plan(action.assessment, by)
    current = Action.objects.filter(pk=action.pk).first()
    if current is None:
        return None
    if base_version is not None and current.version != base_version:
        raise StaleVersion(current)
    current._history_user = by
    current.delete()
    return current


# --- targets -------------------------------------------------------------------------------


@transaction.atomic
def save_targets(*, assessment, rows, by):
    """Save the targets in `rows`: dicts with criterion, level (None: no target), target_date,
    and the `base_level` / `base_date` the editor's page showed.

    Each criterion is merged on its own: a row whose stored target moved since the page was
    loaded is saved only if the other person changed nothing this row changes; otherwise
    it is returned in `conflicts` (criterion id → stored target or None) and left as stored,
    while the other rows are saved. Returns (saved count, conflicts).
    """
    locked = _lock_for_plan(assessment, by)
    stored = {t.criterion_id: t for t in CriterionTarget.objects.filter(assessment=locked)}
    saved, conflicts = 0, {}
    for row in rows:
        criterion = row["criterion"]
        current = stored.get(criterion.pk)
        theirs = {"level": current.level if current else None,
                  "target_date": current.target_date if current else None}
        mine = {"level": row["level"], "target_date": row["target_date"] if row["level"]
                is not None else None}
        base = {"level": row["base_level"], "target_date": row["base_date"]}
        write, clash, _kept = three_way(base=base, mine=mine, theirs=theirs)
        if clash:
            conflicts[criterion.pk] = current
            continue
        if not write:
            continue
        values = {**theirs, **write}
        if values["level"] is None:
            if current is not None:
                current._history_user = by
                current.delete()
                saved += 1
            continue
        if current is None:
            current = CriterionTarget(assessment=locked, criterion=criterion)
        else:
            current.version += 1
        current.level, current.target_date = values["level"], values["target_date"]
        current.updated_by = by
        current._history_user = by
        current.save()
        saved += 1
    return saved, conflicts


# --- copying forward -----------------------------------------------------------------------


def carry_plan_forward(*, source, into, by):
    """Copy `source`'s targets and its open actions (planned, in progress) into `into`'s
    plan; each copied action remembers the one it continues (`carried_from`). Called by
    `workflow.start_assessment` inside its transaction."""
    criteria = {c.pk for c in into.framework.criteria.all()}
    for target in CriterionTarget.objects.filter(assessment=source, criterion_id__in=criteria):
        copy = CriterionTarget(assessment=into, criterion_id=target.criterion_id,
                               level=target.level, target_date=target.target_date,
                               updated_by=by)
        copy._history_user = by
        copy.save()
    for action in Action.objects.filter(assessment=source, status__in=Action.OPEN_STATUSES,
                                        criterion_id__in=criteria).order_by("pk"):
        original = action.pk
        action.pk = None
        action.id = None
        action._state.adding = True
        action.assessment = into
        action.carried_from_id = original
        action.version = 1
        action.created_by = by
        action.updated_by = by
        action._history_user = by
        action.save()



class TargetExists(Exception):
    """The criterion already has a target on this plan (change that one instead)."""

    def __init__(self, current):
        self.current = current
        super().__init__(f"target {current.pk}")


@transaction.atomic
def create_target(*, assessment, criterion, level, target_date, by):
    """A target for one criterion that has none yet (the API's POST)."""
    locked = _lock_for_plan(assessment, by)
    current = CriterionTarget.objects.filter(assessment=locked, criterion=criterion).first()
    if current is not None:
        raise TargetExists(current)
    target = CriterionTarget(assessment=locked, criterion=criterion, level=level,
                             target_date=target_date, updated_by=by)
    target._history_user = by
    target.save()
    return target


@transaction.atomic
def change_target(*, target, level, target_date, base_version, by):
    """Compare-and-set on the target's version: StaleVersion (nothing written) when someone
    saved it since `base_version`."""
    _lock_for_plan(target.assessment, by)
    current = CriterionTarget.objects.select_for_update().get(pk=target.pk)
    if current.version != base_version:
        raise StaleVersion(current)
    current.level, current.target_date = level, target_date
    current.version += 1
    current.updated_by = by
    current._history_user = by
    current.save()
    return current


@transaction.atomic
def delete_target(*, target, base_version, by):
    _lock_for_plan(target.assessment, by)
    current = CriterionTarget.objects.select_for_update().filter(pk=target.pk).first()
    if current is None:
        return None
    if base_version is not None and current.version != base_version:
        raise StaleVersion(current)
    current._history_user = by
    current.delete()
    return current
