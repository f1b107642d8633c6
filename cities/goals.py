"""A network's violence-reduction goal applied to one city's figures: one rule for every
chart, sentence, status and export.

The goal line starts from the city's figure for the goal's baseline year. Where there is none
it starts from the first figure after the baseline year, and says so. It never starts from a
figure before the baseline year: a reduction reached before the goal was set is not progress
towards it. Whether a city has met the goal or is on track is read against the same line.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from .figures import Figure
from .models import Network, NetworkMembership


class GoalStatus(models.TextChoices):
    NO_START = "no_start", _("No figure for the baseline year or later")
    NO_LATER_FIGURE = "no_later_figure", _("No figure after the line's starting year yet")
    MET = "met", _("Goal met")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind the goal line")
    UNCLEAR = "unclear", _("Cannot tell from bounded figures")


@dataclass(frozen=True)
class Goal:
    network: str  # the network's short name
    reduction_percent: int
    baseline_year: int
    target_year: int
    is_member: bool = True  # False: the city is not a recorded member; the goal is a yardstick
    source: str = ""

    @classmethod
    def of(cls, network: Network, *, is_member=True) -> Goal:
        return cls(str(network), network.goal_reduction_percent, network.goal_baseline_year,
                   network.goal_target_year, is_member, network.goal_source)

    @property
    def remaining(self) -> Decimal:
        """The share of the starting level the goal allows: 0.5 for a 50 % reduction."""
        return 1 - Decimal(self.reduction_percent) / 100


class GoalBook:
    """The networks that record a goal and their member cities, read in two queries; then
    `for_city` answers without touching the database (no query per city on list pages)."""

    def __init__(self):
        networks = list(Network.objects.with_goal().order_by("founded_year", "name")
                        .prefetch_related("memberships"))
        self._goals = [(Goal.of(n), {m.city_id for m in n.memberships.all()})
                       for n in networks]

    def for_city(self, city_id) -> Goal | None:
        """The goal of a network the city belongs to; else the first network goal, marked as a
        yardstick for a non-member; None when no network records a goal."""
        for goal, members in self._goals:
            if city_id in members:
                return goal
        if self._goals:
            return replace(self._goals[0][0], is_member=False)
        return None


def goal_for_city(city_id) -> Goal | None:
    """`GoalBook().for_city(city_id)` in one query, for pages about a single city."""
    member = NetworkMembership.objects.filter(network=OuterRef("pk"), city_id=city_id)
    network = (Network.objects.with_goal().annotate(is_member=Exists(member))
               .order_by("-is_member", "founded_year", "name").first())
    return Goal.of(network, is_member=network.is_member) if network else None


@dataclass(frozen=True)
class GoalLine:
    goal: Goal
    start: Figure | None  # None: no usable figure, no line is drawn
    earlier_figures: int  # figures before the baseline year, never used as the start

    @property
    def starts_at_baseline(self) -> bool:
        return self.start is not None and self.start.year == self.goal.baseline_year

    @property
    def target(self) -> Figure | None:
        """The goal for the target year, with the starting figure's qualifier: half of
        "under 15" is "under 7.5"."""
        if self.start is None:
            return None
        value = (self.start.value * self.goal.remaining).quantize(Decimal("0.01"))
        return Figure(self.goal.target_year, value, self.start.qualifier)

    def _share_at(self, year) -> Decimal:
        span = self.goal.target_year - self.start.year
        done = min(max(year - self.start.year, 0), span)
        return 1 - (1 - self.goal.remaining) * Decimal(done) / Decimal(span)

    def value_at(self, year) -> Decimal:
        """Where the straight line from the start to the target stands in `year`."""
        return self.start.value * self._share_at(year)

    def figure_at(self, year) -> Figure:
        """The line's value in `year` as a figure, with the start's qualifier."""
        return Figure(year, self.value_at(year).quantize(Decimal("0.01")), self.start.qualifier)

    def status(self, figures) -> GoalStatus:
        """The latest figure after the start, read against the line (and the target)."""
        if self.start is None:
            return GoalStatus.NO_START
        later = [f for f in figures if f.year > self.start.year]
        if not later:
            return GoalStatus.NO_LATER_FIGURE
        latest = max(later, key=lambda f: f.year)
        share = self._share_at(latest.year)
        start_lo, start_hi = self.start.bounds()
        line_lo = start_lo * share
        line_hi = None if start_hi is None else start_hi * share
        target_lo = start_lo * self.goal.remaining
        low, high = latest.bounds()
        if high is not None and high <= target_lo:
            return GoalStatus.MET
        if high is not None and high <= line_lo:
            return GoalStatus.ON_TRACK
        if line_hi is not None and low > line_hi:
            return GoalStatus.BEHIND
        return GoalStatus.UNCLEAR


def goal_line(goal: Goal, figures) -> GoalLine:
    """The line of `goal` over one indicator's `figures` (any order)."""
    figures = sorted(figures, key=lambda f: f.year)
    usable = [f for f in figures
              if goal.baseline_year <= f.year < goal.target_year]
    return GoalLine(
        goal=goal,
        start=usable[0] if usable else None,
        earlier_figures=sum(1 for f in figures if f.year < goal.baseline_year),
    )
