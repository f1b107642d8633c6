"""The one statistic every aggregate of levels states: the median, with the interquartile range
and the number of levels it is taken over (n). docs/research.md says the same in words.

Levels are ordinal (0–4), so a mean would treat the distance between "none" and "emerging" as
equal to the one between "established" and "leading", which the rubric does not say. The
median does not: half the levels are at or below it. With an even n it may fall halfway
between two levels (2.5).

Quartiles are interpolated linearly between the ordered levels (Hyndman & Fan's type 7: the
default of R, NumPy and pandas), so anyone can recompute them from the tidy export.

Every chart, table, export and API answer built from levels, the comparison's and the network
brief's, calls `summarise` here, so the numbers agree to the last digit wherever they are read.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: No median is stated over fewer levels than this. Over one level a "median" is one office's
#: level and over two it is their midpoint: a description of those offices, not of a group, and
#: nothing a reader should cite as one. Three is also the least at which an office brief's
#: network median (drawn from assessments the reader may not open) cannot be read back as a
#: single peer's level. Below it, charts leave the point out and tables, exports and the API
#: give n and say "too few" instead of a number.
MIN_N = 3

#: Figures are rounded once, here, so a chart, its table, the export and the API agree exactly.
DECIMALS = 2


@dataclass(frozen=True)
class Summary:
    """The median level, quartiles and n of a group of levels (None below MIN_N)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None

    @property
    def enough(self) -> bool:
        return self.n >= MIN_N

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None else round(self.q3 - self.q1, DECIMALS)


def _quantile(ordered: list[int], p: float) -> float:
    """Linear interpolation between order statistics (type 7)."""
    h = (len(ordered) - 1) * p
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def summarise(levels: Iterable[int | None]) -> Summary:
    """The statistic of `levels` (None, "not given", is left out and not counted in n)."""
    ordered = sorted(int(v) for v in levels if v is not None)
    n = len(ordered)
    if n < MIN_N:
        return Summary(n=n, median=None, q1=None, q3=None)
    return Summary(
        n=n,
        median=round(_quantile(ordered, 0.5), DECIMALS),
        q1=round(_quantile(ordered, 0.25), DECIMALS),
        q3=round(_quantile(ordered, 0.75), DECIMALS),
    )


def summarise_counts(counts: Sequence[int]) -> Summary:
    """The same statistic as `summarise`, from how many levels sit at each value: counts[v]
    is the number of levels equal to v (the comparison counts levels 0–4 of thousands of
    offices this way rather than sorting them). Equal to `summarise` of the levels listed."""
    n = sum(counts)
    if n < MIN_N:
        return Summary(n=n, median=None, q1=None, q3=None)
    ends = list(itertools.accumulate(counts))  # ordered[k] is the first v with ends[v] > k

    def at(k):
        return bisect.bisect_right(ends, k)

    def quantile(p):
        h = (n - 1) * p
        low = int(h)
        high = min(low + 1, n - 1)
        return at(low) + (h - low) * (at(high) - at(low))

    return Summary(
        n=n,
        median=round(quantile(0.5), DECIMALS),
        q1=round(quantile(0.25), DECIMALS),
        q3=round(quantile(0.75), DECIMALS),
    )
