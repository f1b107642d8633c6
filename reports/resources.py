"""Resources against ambition: an office's money set beside its city, its police and the cost
of the violence it works against (issue #15; the report's key message "Ensure Resources Meet
Ambition").

The selector returns numbers and codes only; `templates/reports/partials/resources_panel.html`
writes them in the reader's language. Every figure rests on an input (the assessment's
profile, the city's population and homicide count, the secretariat's exchange rates) or on
one of the reference figures below, each cited to the page, section and note it comes from.
Nothing is filled in: a missing input makes its line "not recorded", and says what it needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cities import city_figures
from cities.city_figures import Measure
from cities.exchange import RateBook
from cities.figures import Figure
from cities.models import ExchangeRate, PoliceControl
from criteria.models import FundingSource

# --- reference figures, from the seed documents ----------------------------------------------

#: "studies have estimated that each homicide can cost a city anywhere between $1.5 million
#: and $3 million" (US dollars; the note cites a DC estimate of over $1.5 million per fatal
#: shooting and the UK Home Office's £3,217,740 per homicide, 2018).
HOMICIDE_COST_USD = (Decimal(1_500_000), Decimal(3_000_000))
HOMICIDE_COST_SOURCE = "PiOC 2024, Part 1, Ensure Resources Meet Ambition, p. 8, n. 14"

#: The CVI Ecosystem's suggestion, which the report passes on: estimate 15 % of staffing costs
#: for "Data and Evaluation Support" (diagnoses and evaluations).
DATA_EVALUATION_SHARE = Decimal(15)
DATA_EVALUATION_SOURCE = "PiOC 2024, Part 3, Criterion 3, pp. 15–16, n. 23"

#: Vera: "In many cities, the budget of a local OVP/ONS equals less than 5 percent of the
#: budget allocated to the local police department" (US cities, 2020–21 budgets). Context
#: for the reader, never a pass mark.
VERA_POLICE_SHARE = Decimal(5)
VERA_POLICE_SOURCE = ("Vera 2023, How to Set Up Offices for Success, "
                      "Provide Adequate Resources and Staffing, n. 2")

#: Where the city answers for its police, so the office's budget can be set beside theirs.
CITY_POLICE = {PoliceControl.MUNICIPAL, PoliceControl.MIXED}

#: Funding the report counts as safeguarded: a budget set by law (Pelotas) or a tax voters
#: approved (Oakland) (PiOC 2024, Part 3, Criterion 6).
PROTECTED_KINDS = {FundingSource.Kind.VOTER_APPROVED_TAX}
PROTECTION_SOURCE = "PiOC 2024, Part 3, Criterion 6, n. 36"

HUNDRED = Decimal(100)


def _share(part, whole) -> Decimal | None:
    if part is None or not whole:
        return None
    return Decimal(part) * HUNDRED / Decimal(whole)


@dataclass(frozen=True)
class Rate:
    """The exchange rate a dollar figure was converted at (shown beside it)."""

    currency: str
    units_per_usd: Decimal
    valid_on: object  # date
    source: str

    @classmethod
    def of(cls, rate: ExchangeRate) -> Rate:
        return cls(rate.currency, rate.units_per_usd, rate.valid_on, rate.source)


@dataclass(frozen=True)
class HomicideCount:
    value: Decimal
    qualifier: str
    year: int
    area: str
    source: str


@dataclass
class Funding:
    sources: int = 0
    with_share: int = 0
    largest_share: Decimal | None = None
    largest_kind: str = ""
    largest_name: str = ""
    protected_sources: int = 0
    protected_share: Decimal | None = None  # of the shares known
    protected_share_unknown: int = 0  # protected sources whose share is not recorded


@dataclass
class ResourcesPanel:
    """Everything on the panel, as numbers and codes. Amounts are in `currency`."""

    has_profile: bool
    currency: str = ""
    budget: Decimal | None = None
    budget_year: int | None = None
    population: int | None = None
    population_year: int | None = None
    population_source: str = ""
    per_resident: Decimal | None = None
    municipal_budget: Decimal | None = None
    municipal_share: Decimal | None = None
    police_control: str = PoliceControl.UNKNOWN
    police_budget: Decimal | None = None
    police_share: Decimal | None = None
    staff_cost: Decimal | None = None
    data_evaluation: Decimal | None = None
    data_evaluation_share: Decimal | None = None
    homicides: HomicideCount | None = None
    cost_low_usd: Decimal | None = None
    cost_high_usd: Decimal | None = None  # None with a low bound: "more than"
    budget_usd: Decimal | None = None
    rate: Rate | None = None
    budget_of_cost_low: Decimal | None = None  # % of the high estimate
    budget_of_cost_high: Decimal | None = None  # % of the low estimate
    funding: Funding = field(default_factory=Funding)
    # The reference figures, so the template never hard-codes a number.
    homicide_cost_usd: tuple[Decimal, Decimal] = HOMICIDE_COST_USD
    homicide_cost_source: str = HOMICIDE_COST_SOURCE
    data_evaluation_reference: Decimal = DATA_EVALUATION_SHARE
    data_evaluation_source: str = DATA_EVALUATION_SOURCE
    vera_police_share: Decimal = VERA_POLICE_SHARE
    vera_police_source: str = VERA_POLICE_SOURCE
    protection_source: str = PROTECTION_SOURCE

    @property
    def police_meaningful(self) -> bool:
        """Only where the city controls (some of) its police is its police budget the
        city's to weigh against the office's."""
        return self.police_control in CITY_POLICE

    @property
    def data_evaluation_verdict(self) -> str:
        """"below" or "at_or_above" the report's reference; "" when not computed."""
        if self.data_evaluation_share is None:
            return ""
        return "below" if self.data_evaluation_share < DATA_EVALUATION_SHARE else "at_or_above"


def latest_homicides(city=None, *, indicators=None) -> HomicideCount | None:
    """The city's latest homicide count: from `indicators` already fetched (any kinds),
    else with one query."""
    if indicators is None:
        indicators = city_figures.figures_of(city, measures=[Measure.HOMICIDES])
    counts = [i for i in indicators if i.measure == Measure.HOMICIDES]
    if not counts:
        return None
    row = max(counts, key=lambda i: i.year)
    return HomicideCount(Decimal(row.value), row.qualifier, row.year, row.area, row.source)


def funding_summary(sources) -> Funding:
    """Concentration and legal protection of the recorded funding sources."""
    sources = list(sources)
    result = Funding(sources=len(sources))
    known = [s for s in sources if s.share_percent is not None]
    result.with_share = len(known)
    if known:
        top = max(known, key=lambda s: s.share_percent)
        result.largest_share, result.largest_kind = top.share_percent, top.kind
        result.largest_name = top.name
    protected = [s for s in sources if s.legally_protected or s.kind in PROTECTED_KINDS]
    result.protected_sources = len(protected)
    protected_known = [s.share_percent for s in protected if s.share_percent is not None]
    result.protected_share_unknown = len(protected) - len(protected_known)
    if sources and not protected:
        result.protected_share = Decimal(0)
    elif protected_known:
        result.protected_share = sum(protected_known, Decimal(0))
    return result


def build_resources_panel(*, city, profile, homicides=..., rates: RateBook | None = None
                          ) -> ResourcesPanel:
    """The panel for `city` and an assessment's `profile` (None: the city's facts only).

    Queries: the city's latest homicide count (unless given) and the rates of the budget's
    currency (unless a `RateBook` is given); the profile's funding sources should be
    prefetched.
    """
    if homicides is ...:
        homicides = latest_homicides(city)
    panel = ResourcesPanel(
        has_profile=profile is not None,
        population=city.population, population_year=city.population_year,
        population_source=city.population_source,
        police_control=city.police_control, homicides=homicides,
    )
    if homicides is not None:
        low, high = Figure(homicides.year, homicides.value, homicides.qualifier).bounds()
        panel.cost_low_usd = low * HOMICIDE_COST_USD[0]
        panel.cost_high_usd = None if high is None else high * HOMICIDE_COST_USD[1]
    if profile is None:
        return panel

    panel.currency = profile.budget_currency
    panel.budget, panel.budget_year = profile.budget_amount, profile.budget_year
    if profile.police_control != PoliceControl.UNKNOWN:
        panel.police_control = profile.police_control
    panel.municipal_budget = profile.municipal_budget_amount
    panel.police_budget = profile.police_budget_amount
    panel.staff_cost = profile.staff_cost_amount
    panel.data_evaluation = profile.data_evaluation_amount
    if panel.budget is not None and panel.population:
        panel.per_resident = Decimal(panel.budget) / panel.population
    panel.municipal_share = _share(panel.budget, panel.municipal_budget)
    if panel.police_meaningful:
        panel.police_share = _share(panel.budget, panel.police_budget)
    panel.data_evaluation_share = _share(panel.data_evaluation, panel.staff_cost)
    panel.funding = funding_summary(profile.funding_sources.all())

    if panel.budget is not None and panel.currency:
        if rates is None:
            rates = RateBook(ExchangeRate.objects.filter(currency=panel.currency))
        converted = rates.to_usd(panel.budget, panel.currency, panel.budget_year)
        if converted is not None:
            panel.budget_usd, panel.rate = converted[0], Rate.of(converted[1])
    if panel.budget_usd is not None and panel.cost_low_usd:
        if panel.cost_high_usd:
            panel.budget_of_cost_low = _share(panel.budget_usd, panel.cost_high_usd)
        panel.budget_of_cost_high = _share(panel.budget_usd, panel.cost_low_usd)
    return panel
