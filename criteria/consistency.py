"""Rubric–profile consistency: where a profile fact contradicts the level chosen for a criterion.

Each rule reads one criterion's level and the office profile and, when the profile says
something the chosen level's rubric descriptor rules out, returns a message that names both.
The rules are derived from the descriptors in `fixtures/pioc_framework.json`; a fact that is
not known (None / "unknown") never contradicts anything. Editors see the messages on the
criterion page, reviewers on the review page; neither blocks saving, since the fact or the
level may be the one to change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import OfficeProfile


@dataclass(frozen=True)
class Contradiction:
    rule: str
    criterion_number: int
    level: int
    message: str


@dataclass(frozen=True)
class ConsistencyRule:
    slug: str
    criterion: int
    # (profile, level, as_of_year) -> message, or None when the two agree
    test: Callable[[OfficeProfile, int, int], str | None]


def _percent(value):
    return f"{value.normalize():f}"


def _no_diagnosis_but_year(profile, level, as_of):
    if level == 0 and profile.last_diagnosis_year is not None:
        return _("The profile gives a last diagnosis in %(year)s, but level 0 says no diagnosis "
                 "exists.") % {"year": profile.last_diagnosis_year}
    return None


def _no_baseline(profile, level, as_of):
    if level >= 3 and profile.has_baseline is False:
        return _("The profile says there is no baseline, but from level 3 the diagnosis sets "
                 "the baseline.")
    return None


def _stale_diagnosis(profile, level, as_of):
    year, cycle = profile.last_diagnosis_year, profile.diagnosis_cycle_years
    if level >= 3 and year is not None and cycle is not None and as_of - year > cycle:
        return _("The last diagnosis (%(year)s) is older than its planned cycle of %(cycle)s "
                 "years, but from level 3 the diagnosis is updated on a defined cycle.") % {
            "year": year, "cycle": cycle}
    return None


def _prevention_levels(profile, level, as_of):
    missing = [
        str(label) for flag, label in (
            (profile.prevention_primary, _("primary")),
            (profile.prevention_secondary, _("secondary")),
            (profile.prevention_tertiary, _("tertiary")),
        ) if flag is False
    ]
    if level == 4 and missing:
        return _("The profile says %(levels)s prevention is not part of the approach, but level "
                 "4 runs primary, secondary and tertiary prevention.") % {
            "levels": ", ".join(missing)}
    if level == 3 and len(missing) >= 2:
        return _("The profile says %(levels)s prevention are not part of the approach, but "
                 "level 3 combines at least two levels of prevention.") % {
            "levels": ", ".join(missing)}
    return None


def _budget_but_level_0(profile, level, as_of):
    if level == 0 and profile.budget_amount:
        return _("The profile gives a budget, but level 0 says the office has no dedicated "
                 "budget.")
    return None


def _unprotected_budget(profile, level, as_of):
    sources = list(profile.funding_sources.all())
    if level == 4 and sources and not any(s.legally_protected for s in sources):
        return _("No funding source in the profile is protected by law or a voter measure, "
                 "but level 4 has such a mechanism protecting at least part of the budget.")
    return None


def _staff_but_level_0(profile, level, as_of):
    if level == 0 and profile.staff_fte:
        return _("The profile gives %(n)s full-time staff, but level 0 says the office has no "
                 "dedicated staff.") % {"n": _percent(profile.staff_fte)}
    return None


def _short_term_contracts(profile, level, as_of):
    share = profile.short_term_contract_share
    if level >= 3 and share is not None and share >= 50:
        return _("%(share)s %% of staff are on short-term contracts, but from level 3 the "
                 "office has sufficient full-time staff; level 2 describes a team that depends "
                 "heavily on short-term contracts.") % {"share": _percent(share)}
    return None


def _single_champion(profile, level, as_of):
    if level >= 3 and profile.buy_in_single_champion is True:
        return _("The profile says political support rests on one champion, but from level 3 "
                 "formal rules reduce the office's dependence on any one person.")
    return None


def _overlapping_mandates(profile, level, as_of):
    if level == 4 and profile.overlapping_mandates is True:
        return _("The profile says other agencies' mandates overlap with this one, but level 4 "
                 "defines the office's coordinating role in the city's prevention ecosystem.")
    return None


def _impact_evaluation(profile, level, as_of):
    if level == 4 and profile.impact_evaluation in (
        OfficeProfile.ImpactEvaluation.NONE, OfficeProfile.ImpactEvaluation.PLANNED
    ):
        return _("The profile says impact evaluation is %(state)s, but level 4 has independent "
                 "impact evaluations of flagship interventions.") % {
            "state": profile.get_impact_evaluation_display().lower()}
    return None


RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule("mandate-overlap", 1, _overlapping_mandates),
    ConsistencyRule("diagnosis-exists", 3, _no_diagnosis_but_year),
    ConsistencyRule("diagnosis-baseline", 3, _no_baseline),
    ConsistencyRule("diagnosis-cycle", 3, _stale_diagnosis),
    ConsistencyRule("prevention-levels", 5, _prevention_levels),
    ConsistencyRule("budget-exists", 6, _budget_but_level_0),
    ConsistencyRule("budget-protected", 6, _unprotected_budget),
    ConsistencyRule("staff-exists", 7, _staff_but_level_0),
    ConsistencyRule("staff-contracts", 7, _short_term_contracts),
    ConsistencyRule("buy-in-champion", 8, _single_champion),
    ConsistencyRule("impact-evaluation", 9, _impact_evaluation),
)


def as_of_year(assessment):
    """The year the assessment's facts are read against: publication, or today for drafts."""
    return (assessment.published_at or timezone.now()).year


def contradictions(assessment, responses=None, *, number=None):
    """Every contradiction between `assessment`'s profile and its levels, in criterion order.

    `responses` may be given already fetched (with `criterion`); `number` limits the check to
    one criterion. An assessment without a profile, or a criterion without a level (or marked
    not applicable), has nothing to contradict.
    """
    profile = getattr(assessment, "profile", None)
    if profile is None:
        return []
    if responses is None:
        responses = assessment.responses.select_related("criterion")
    levels = {
        r.criterion.number: r.level for r in responses
        if r.level is not None and not r.not_applicable
    }
    as_of = as_of_year(assessment)
    found = []
    for rule in RULES:
        if number is not None and rule.criterion != number:
            continue
        level = levels.get(rule.criterion)
        if level is None:
            continue
        message = rule.test(profile, level, as_of)
        if message:
            found.append(Contradiction(rule.slug, rule.criterion, level, message))
    return found
