"""Converting amounts to US dollars with the dated rates the secretariat keeps.

One rule, in Python (`RateBook`) and in SQL (`usd_expression`), so a budget falls in the
same band on the page, in its exports and in the API: an amount of fiscal year Y converts at
the currency's latest rate dated in or before Y; a year before the first rate uses the first
one; an amount without a year uses the latest. A currency without any rate converts to
nothing (never to a guess).
"""

from __future__ import annotations

from bisect import bisect_right
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .models import ExchangeRate

#: Far enough in the future that "in or before this year" means "any".
_ANY_YEAR = 9999


class RateBook:
    """Every rate, read in one query, to convert many amounts without a query each."""

    def __init__(self, rates):
        self._by_currency: dict[str, list[ExchangeRate]] = {}
        for rate in sorted(rates, key=lambda r: (r.currency, r.valid_on)):
            self._by_currency.setdefault(rate.currency, []).append(rate)

    @classmethod
    def load(cls) -> RateBook:
        return cls(ExchangeRate.objects.all())

    def rate(self, currency, year=None) -> ExchangeRate | None:
        rates = self._by_currency.get((currency or "").strip().upper())
        if not rates:
            return None
        if not year:
            return rates[-1]
        i = bisect_right([r.valid_on.year for r in rates], int(year))
        return rates[i - 1] if i else rates[0]

    def to_usd(self, amount, currency, year=None) -> tuple[Decimal, ExchangeRate] | None:
        """(amount in US dollars, the rate used), or None without an amount or a rate."""
        if amount is None:
            return None
        rate = self.rate(currency, year)
        if rate is None:
            return None
        return Decimal(amount) / rate.units_per_usd, rate


def usd_expression(amount, currency, year):
    """SQL for `amount` (a field path) in US dollars, by the same rule as `RateBook`;
    NULL when the amount or the currency's rates are missing."""
    same = ExchangeRate.objects.filter(currency=OuterRef(currency)).order_by()
    in_or_before = same.filter(
        valid_on__year__lte=Coalesce(OuterRef(year), Value(_ANY_YEAR))
    ).order_by("-valid_on").values("units_per_usd")[:1]
    first = same.order_by("valid_on").values("units_per_usd")[:1]
    units = Coalesce(Subquery(in_or_before), Subquery(first))
    return ExpressionWrapper(
        F(amount) / units, output_field=DecimalField(max_digits=30, decimal_places=6))
