"""Outcome figures as readers see them: a number in the reader's language, with its qualifier.

A figure the source gives as "under 15" is shown as "under 15" (es "menos de 15") everywhere:
sentences, tables, chart labels and hover text. Never a bare "15.0".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats

from .models import Qualifier


@dataclass(frozen=True)
class Figure:
    """One city figure for one year. `qualifier` is a `Qualifier` code."""

    year: int
    value: Decimal
    qualifier: str = Qualifier.EXACT
    source: str = ""

    @classmethod
    def of(cls, indicator) -> Figure:
        return cls(indicator.year, Decimal(indicator.value), indicator.qualifier,
                   indicator.source)

    def bounds(self) -> tuple[Decimal, Decimal | None]:
        """(lowest, highest) the true value can be; None is unbounded. "about" counts as the
        value itself: the source gives no margin, and we do not invent one."""
        if self.qualifier == Qualifier.UNDER:
            return Decimal(0), self.value
        if self.qualifier == Qualifier.OVER:
            return self.value, None
        return self.value, self.value

    @property
    def text(self) -> str:
        return format_figure(self.value, self.qualifier)


def format_number(value, *, max_decimals=2) -> str:
    """`value` in the active language, without trailing zeros: 43.10 → "43.1" (es "43,1")."""
    value = Decimal(value).quantize(Decimal(1).scaleb(-max_decimals))
    exponent = value.normalize().as_tuple().exponent
    decimals = min(max(0, -exponent), max_decimals) if isinstance(exponent, int) else 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True,
                                 force_grouping=True)


def format_figure(value, qualifier=Qualifier.EXACT, *, max_decimals=2) -> str:
    """The number with its qualifier in the active language: "under 15", "alrededor de 400"."""
    number = format_number(value, max_decimals=max_decimals)
    if not qualifier or qualifier == Qualifier.EXACT:
        return number
    return f"{Qualifier(qualifier).label} {number}"


def plotly_separators() -> str:
    """plotly's `layout.separators` (decimal mark, then thousands mark) for the active
    language, so its axes and hover numbers read as our own text does."""
    return (formats.get_format("DECIMAL_SEPARATOR") or ".") + (
        formats.get_format("THOUSAND_SEPARATOR") or ","
    )
