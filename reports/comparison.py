"""Comparison of any set of offices: the filters, the scoped queryset, and the selector.

The filters are a form, so the page, the exports and the API read and validate the same URL
parameters the same way (a bad value is a 400 naming the field). The selector reads the
whole selection in three queries whatever its size (the database turns responses into one
row of levels per assessment) into arrays, works the charts and counts out on them, and builds
a row object only for what is shown (the heatmap's first rows, the radar).

A "subject" is what an assessment assesses: an office, or a city's prevention ecosystem
(three of the report's four Part 4 charts are of ecosystems). Comparisons are of subjects.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np
from django import forms
from django.core.validators import slug_re
from django.db import connections
from django.db.models import Max, Q
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from cities.exchange import RateBook, usd_expression
from cities.models import City, InstitutionalLocation, Network, Office, Region
from cities.search import words
from criteria.models import (
    LEVEL_NAMES,
    ROUND_CODE_RE,
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    LevelSource,
    level_source_of,
)

from . import charts
from .selectors import distribution_rows, level_headers
from .statistic import MIN_N, Summary, summarise, summarise_counts

MAX_RADAR = 6
#: The heatmap on the page shows at most this many rows; the exports carry every row.
MAX_HEATMAP_ROWS = 100
#: The page names at most this many of a trend's panel members; the API gives the count.
MAX_PANEL_NAMES = 100
MAX_ROUND_LENGTH = 40
ROUND_CODE = re.compile(ROUND_CODE_RE)

# Budgets are placed in a band in US dollars at the dated rate of their fiscal year
# (cities/exchange.py); a currency without a rate falls in "not reported".
BUDGET_BANDS = [
    ("under_1m", _("Under US$1 million"), Decimal(0), Decimal(1_000_000)),
    ("1m_5m", _("US$1–5 million"), Decimal(1_000_000), Decimal(5_000_000)),
    ("5m_20m", _("US$5–20 million"), Decimal(5_000_000), Decimal(20_000_000)),
    ("20m_plus", _("US$20 million or more"), Decimal(20_000_000), None),
    ("not_reported", _("Not reported (or a currency without an exchange rate)"), None, None),
]
APPROACHES = [
    ("primary", _("Primary prevention")),
    ("secondary", _("Secondary prevention")),
    ("tertiary", _("Tertiary prevention")),
]
SYNTHETIC_CHOICES = [
    ("exclude", _("Real data only")),
    ("include", _("Real and synthetic data")),
    ("only", _("Synthetic data only")),
]
#: Where the levels come from, short enough for a table cell (the page explains each in full).
SOURCE_SHORT = {
    LevelSource.SELF_ASSESSED: _("Self-assessed"),
    LevelSource.PUBLISHED: _("Published (reviewed)"),
    LevelSource.READING: _("OVP Assess's reading"),
}
#: The trend across rounds: a panel (the same offices in every round) unless asked otherwise.
PANEL, UNBALANCED = "panel", "all"
TREND_CHOICES = [
    (PANEL, _("Panel: the same offices in every round")),
    (UNBALANCED, _("Unbalanced: every assessment of each round")),
]
SERIES_COLORS = ["#0b5563", "#b4531a", "#6a4c93", "#2a9d8f", "#c1121f", "#8a6d1d",
                 "#3a86ff", "#5a6472", "#7b2cbf"]


def budget_band(amount, currency, year=None, *, rates: RateBook) -> str:
    """The band key of a budget as reported (amount in `currency`, fiscal `year`)."""
    converted = rates.to_usd(amount, currency, year)
    if converted is None:
        return "not_reported"
    usd = converted[0]
    for key, _label, low, high in BUDGET_BANDS:
        if low is not None and usd >= low and (high is None or usd < high):
            return key
    return "not_reported"


def _budget_usd(prefix="profile__"):
    """SQL for the budget in US dollars (NULL when missing or in a currency without a rate)."""
    return usd_expression(f"{prefix}budget_amount", f"{prefix}budget_currency",
                          f"{prefix}budget_year")


class RoundsField(forms.Field):
    """Any number of round codes (lowercase letters, digits, hyphens: `?round=2026-27`)."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        cleaned = []
        for item in values:
            item = str(item).strip()
            if not item or len(item) > MAX_ROUND_LENGTH or not ROUND_CODE.match(item):
                raise forms.ValidationError(
                    _("A round is a code of at most %(n)s lowercase letters, digits and "
                      "hyphens, e.g. 2026-27."),
                    params={"n": MAX_ROUND_LENGTH}, code="invalid",
                )
            cleaned.append(item)
        return cleaned


class IdsField(forms.Field):
    """Assessment ids (whole numbers in the database's range)."""

    widget = forms.SelectMultiple

    def __init__(self, *, max_count, **kwargs):
        self.max_count = max_count
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        ids = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) < 2**63:
                raise forms.ValidationError(_("“%(value)s” is not an assessment id."),
                                            params={"value": text[:40]}, code="invalid")
            ids.append(int(text))
        if len(ids) > self.max_count:
            raise forms.ValidationError(_("Choose at most %(n)s."),
                                        params={"n": self.max_count}, code="too_many")
        return ids


class ComparisonFilters(forms.Form):
    """What to compare. Every field is optional; an empty form compares everything visible."""

    q = forms.CharField(
        required=False, max_length=200, label=_("Words"),
        help_text=_("Words in the city's or office's name, or in the title of evidence you may "
                    "see; accents and capitals do not matter."),
    )
    network = forms.ModelMultipleChoiceField(
        Network.objects.order_by("name"), to_field_name="slug", required=False,
        label=_("Network"),
    )
    country = forms.MultipleChoiceField(choices=list(countries), required=False,
                                        label=_("Country"))
    region = forms.MultipleChoiceField(choices=Region.choices, required=False, label=_("Region"))
    us = forms.ChoiceField(
        choices=[("", _("US and elsewhere")), ("us", _("US only")),
                 ("non_us", _("Outside the US"))],
        required=False, label=_("US / non-US"),
    )
    location = forms.MultipleChoiceField(
        choices=InstitutionalLocation.choices, required=False, label=_("Institutional location"),
    )
    approach = forms.MultipleChoiceField(
        choices=APPROACHES, required=False, label=_("Prevention approach"),
        help_text=_("Offices that work at every level chosen."),
    )
    budget = forms.MultipleChoiceField(
        choices=[(k, label) for k, label, _lo, _hi in BUDGET_BANDS], required=False,
        label=_("Budget band"),
        help_text=_("Converted to US dollars at approximate 2024 rates, only to place it."),
    )
    round = RoundsField(required=False, label=_("Round"))
    office = forms.ModelMultipleChoiceField(
        Office.objects.select_related("city").order_by("city__name", "name"),
        to_field_name="slug", required=False, label=_("Offices (hand-picked)"),
    )
    city = forms.ModelMultipleChoiceField(
        City.objects.order_by("name"), to_field_name="slug", required=False,
        label=_("Cities (hand-picked)"),
        help_text=_("Every assessment of the city: its offices and its prevention ecosystem."),
    )
    source = forms.MultipleChoiceField(
        choices=LevelSource.choices, required=False, label=_("Where the levels come from"),
        help_text=_("Self-assessed (not yet published), published by the secretariat after "
                    "review, or OVP Assess's reading of a published report."),
    )
    synthetic = forms.ChoiceField(choices=SYNTHETIC_CHOICES, required=False,
                                  label=_("Synthetic data"))
    trend = forms.ChoiceField(
        choices=TREND_CHOICES, required=False, label=_("Trend across rounds"),
        help_text=_("A panel compares only offices assessed in every round of the selection, "
                    "so a change is not just a change in who took part."),
    )
    radar = IdsField(max_count=MAX_RADAR, required=False, label=_("Radar"),
                     help_text=_("Up to six assessments to overlay."))

    #: Query parameters that are not filters but are allowed beside them.
    EXTRA_PARAMS = {"shape"}
    #: Fields that choose how to show the selection, not which assessments are in it.
    VIEW_OPTIONS = {"synthetic", "radar", "trend"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].label_from_instance = lambda n: n.name
        # The hand-pick lists name the real offices and cities. Generated ones (thousands at
        # scale, and nobody's to pick by name) are found with the words filter; whatever is
        # already chosen stays listed so it can be unchosen. Any office or city may still be
        # chosen by its slug in the URL. Read (one query each) only when a list is drawn.
        self.fields["office"].widget.choices = self._office_choices
        self.fields["city"].widget.choices = self._city_choices

    def _chosen(self, name):
        """The slugs asked for under ``name``; anything that cannot be a slug is left to the
        field's own error (and never reaches the database: PostgreSQL refuses a NUL byte)."""
        value = self.data.get(name) or []
        values = [value] if isinstance(value, str) else list(value)
        return [v for v in values if slug_re.fullmatch(v)]

    def _office_choices(self):
        offices = (Office.objects.filter(Q(is_synthetic=False) | Q(slug__in=self._chosen("office")))
                   .order_by("city__name", "name").values_list("slug", "name", "city__name"))
        return [(slug, f"{name} — {city}") for slug, name, city in offices]

    def _city_choices(self):
        cities = (City.objects.filter(Q(is_synthetic=False) | Q(slug__in=self._chosen("city")))
                  .order_by("name").values_list("slug", "name", "country"))
        return [(slug, f"{name} ({country})") for slug, name, country in cities]

    @classmethod
    def from_query(cls, query, *, extra=()):
        """A bound form from a QueryDict; unknown parameters become errors on the form."""
        data = {}
        for name in query:
            values = query.getlist(name)
            data[name] = values if name in cls.MULTI else values[-1]
        form = cls(data)
        form.unknown = sorted(set(query) - set(cls.base_fields) - cls.EXTRA_PARAMS - set(extra))
        return form

    def is_valid(self):
        return super().is_valid() and not getattr(self, "unknown", [])

    @property
    def has_problems(self):
        return bool(self.errors or getattr(self, "unknown", []))

    def error_dict(self) -> dict[str, list[str]]:
        """Errors keyed by the query parameter they concern (for 400 answers)."""
        errors = {name: [str(m) for m in msgs] for name, msgs in self.errors.items()
                  if name != "__all__"}
        for name in getattr(self, "unknown", []):
            errors[name[:40]] = [str(_("Unknown parameter: not a filter of the comparison."))]
        return errors

    def active(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.base_fields
                   if name not in self.VIEW_OPTIONS)


ComparisonFilters.MULTI = {
    name for name, f in ComparisonFilters.base_fields.items()
    if isinstance(f, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField, RoundsField,
                      IdsField))
}


def filtered_assessments(user, cleaned):
    """The assessments `user` may see that match the cleaned filters (one queryset, no query)."""
    visible = Assessment.objects.visible_to(user)
    qs = Assessment.objects.filter(pk__in=visible.values("pk"))
    synthetic = cleaned.get("synthetic") or "exclude"
    if synthetic == "exclude":
        qs = qs.filter(is_synthetic=False)
    elif synthetic == "only":
        qs = qs.filter(is_synthetic=True)
    for word in words(cleaned.get("q") or ""):
        evidence = Evidence.objects.visible_to(user).filter(search_text__contains=word)
        qs = qs.filter(Q(city__search_text__contains=word) | Q(office__search_text__contains=word)
                       | Q(pk__in=evidence.values("response__assessment_id")))
    if cleaned.get("network"):
        qs = qs.filter(city__in=City.objects.filter(networks__in=cleaned["network"]).values("pk"))
    if cleaned.get("country"):
        qs = qs.filter(city__country__in=cleaned["country"])
    if cleaned.get("region"):
        qs = qs.filter(city__region__in=cleaned["region"])
    if cleaned.get("us") == "us":
        qs = qs.filter(city__country="US")
    elif cleaned.get("us") == "non_us":
        qs = qs.exclude(city__country="US")
    if cleaned.get("location"):
        # The profile says where the office sat at the time; the office record fills a gap.
        qs = qs.filter(
            Q(profile__institutional_location__in=cleaned["location"])
            | (Q(profile__institutional_location=InstitutionalLocation.UNKNOWN)
               | Q(profile__isnull=True))
            & Q(office__institutional_location__in=cleaned["location"])
        )
    for approach in cleaned.get("approach") or []:
        qs = qs.filter(**{f"profile__prevention_{approach}": True})
    if cleaned.get("budget"):
        qs = qs.annotate(budget_usd=_budget_usd())
        wanted = Q()
        for key, _label, low, high in BUDGET_BANDS:
            if key not in cleaned["budget"]:
                continue
            if key == "not_reported":
                wanted |= Q(budget_usd__isnull=True)
            else:
                band = Q(budget_usd__gte=low)
                if high is not None:
                    band &= Q(budget_usd__lt=high)
                wanted |= band
        qs = qs.filter(wanted)
    if cleaned.get("round"):
        qs = qs.filter(round__code__in=cleaned["round"])
    if cleaned.get("source"):
        qs = qs.of_level_source(cleaned["source"])
    if cleaned.get("office") or cleaned.get("city"):
        picked = Q(pk__in=[])
        if cleaned.get("office"):
            picked |= Q(office__in=cleaned["office"])
        if cleaned.get("city"):
            picked |= Q(city__in=cleaned["city"])
        qs = qs.filter(picked)
    return qs


# --- the selector -----------------------------------------------------------------------------


@dataclass
class SubjectRow:
    assessment_id: int
    key: str
    subject: str
    city: str
    country: str
    round: str
    status: str
    status_label: str
    source: str  # a LevelSource value
    source_label: str
    source_short: str  # the same, short enough for a table cell
    is_synthetic: bool
    levels: list[int | None]

    @cached_property
    def summary(self) -> Summary:
        """Of the subject's own levels across the criteria (worked out only for rows shown)."""
        return summarise(self.levels)


@dataclass
class TrendCell:
    round: str
    summary: Summary


@dataclass
class TrendCriterion:
    number: int
    slug: str
    name: str
    cells: list[TrendCell]  # one per round, in the trend's round order


@dataclass
class Trend:
    """The median level per criterion and round, over a panel or every assessment.

    In a panel, a criterion's median in each round is over the same subjects: those with a
    level on it in every round of the selection. Unbalanced, each round's median is over
    whichever assessments of the round have a level on it.
    """

    view: str  # PANEL or UNBALANCED
    rounds: list[str]
    round_names: dict[str, str]
    criteria: list[TrendCriterion]
    assessments_per_round: list[int]  # in the view (for a panel: the panel's subjects)
    panel: list[str] = field(default_factory=list)  # subjects in every round (panel view)
    chart: charts.Chart | None = None
    empty_reason: str = ""  # why there is no chart, in words (already translated)

    @property
    def is_panel(self) -> bool:
        return self.view == PANEL

    @property
    def plotted(self) -> bool:
        return self.chart is not None

    @property
    def panel_shown(self) -> list[str]:
        """The panel's members the page names (the first MAX_PANEL_NAMES)."""
        return self.panel[:MAX_PANEL_NAMES]

    @property
    def panel_more(self) -> int:
        """Members of the panel the page counts without naming them."""
        return max(len(self.panel) - MAX_PANEL_NAMES, 0)


@dataclass
class Comparison:
    criteria: list[tuple[int, str]]
    shown_rows: list[SubjectRow]  # the first `max_rows` of `rows`, as the heatmap shows them
    radar_rows: list[SubjectRow]
    assessment_count: int
    subject_count: int
    rounds: list[str]
    distribution: dict[int, list[int]]
    trend: Trend
    includes_unpublished: bool
    includes_synthetic: bool
    sources: list[tuple[str, str, int]] = field(default_factory=list)  # value, label, count
    heatmap: charts.Chart | None = None
    radar: charts.Chart | None = None
    distribution_chart: charts.Chart | None = None
    notes: list[str] = field(default_factory=list)
    selection: Selection | None = field(default=None, repr=False, compare=False)
    latest: list[int] = field(default_factory=list, repr=False)  # positions in `selection`

    @cached_property
    def rows(self) -> list[SubjectRow]:
        """The latest round of each subject, in the heatmap's order: every subject, where the
        page shows `shown_rows`. Built when first asked for (thousands at scale)."""
        shown = len(self.shown_rows)
        return self.shown_rows + [self.selection.row(i) for i in self.latest[shown:]]

    @property
    def distribution_rows(self):
        return distribution_rows(self.criteria, self.distribution)

    @property
    def distribution_headers(self):
        return level_headers()


ASSESSMENT_VALUES = [
    "pk", "round__code", "round__name", "round__opens_on", "status", "level_note", "scope",
    "subject_label", "is_synthetic", "framework_id",
    "office_id", "office__name", "city_id", "city__name", "city__country",
]
# Their positions in a row read from the cursor.
(_PK, _ROUND, _ROUND_NAME, _OPENS, _STATUS, _NOTE, _SCOPE, _LABEL, _SYNTHETIC, _FRAMEWORK,
 _OFFICE, _OFFICE_NAME, _CITY, _CITY_NAME, _COUNTRY) = range(len(ASSESSMENT_VALUES))


def _criteria(framework_ids):
    return list(
        Criterion.objects.filter(framework_id__in=framework_ids or [0])
        .order_by("number").values_list("number", "slug", "name").distinct()
    )


class Selection:
    """The assessments of a comparison as columns: their rows as the database gives them, and
    arrays (one entry per assessment, in the queryset's order) of their round, their subject
    and their levels. The charts and counts are worked out on the arrays; a `SubjectRow` is
    built only for a row that is shown (`row`), so 50,000 assessments cost no 50,000 objects.
    """

    def __init__(self, records, criteria, levels):
        self.records = records  # tuples of ASSESSMENT_VALUES
        self.criteria = criteria  # (number, slug, name), in number order
        self.levels = levels  # float, assessments × criteria; NaN where no level was given
        opens = {}  # round code → the day it opens: by when they open, never by text
        for code, day in set(zip(self.column(_ROUND), self.column(_OPENS), strict=True)):
            opens[code] = min(opens.get(code, day), day)
        self.rounds = sorted(opens, key=lambda c: (opens[c], c))
        self.round_names = {r[_ROUND]: r[_ROUND_NAME] for r in records}
        position = {code: i for i, code in enumerate(self.rounds)}
        self.round_of = np.array([position[r[_ROUND]] for r in records], dtype=np.intp)
        # Subjects numbered in the order they first appear: an office, or a city's ecosystem.
        subjects = {}
        self.subject_of = np.array(
            [subjects.setdefault((r[_OFFICE], None) if r[_OFFICE] else (None, r[_CITY]),
                                 len(subjects)) for r in records], dtype=np.intp)
        self.subject_count = len(subjects)
        self._status_labels = {k: str(v) for k, v in Assessment.Status.choices}
        self._source_labels = {k: str(v) for k, v in LevelSource.choices}
        self._source_short = {k: str(v) for k, v in SOURCE_SHORT.items()}

    def __len__(self):
        return len(self.records)

    def column(self, index):
        return (r[index] for r in self.records)

    def latest(self) -> np.ndarray:
        """Per subject (in subject order): the position of its assessment in its latest round;
        of two in rounds with the same code, the one read last."""
        order = np.lexsort((np.arange(len(self)), self.round_of, self.subject_of))
        subject = self.subject_of[order]
        return order[np.append(subject[1:] != subject[:-1], True)] if len(order) else order

    def subject(self, i) -> str:
        r = self.records[i]
        if r[_LABEL]:
            return r[_LABEL]
        if r[_OFFICE_NAME]:
            return r[_OFFICE_NAME]
        return str(_("%(city)s prevention ecosystem") % {"city": r[_CITY_NAME]})

    def city(self, i) -> str:
        return self.records[i][_CITY_NAME]

    def sources(self) -> dict[str, int]:
        """How many assessments have their levels from each LevelSource."""
        counts = {value: 0 for value, _label in LevelSource.choices}
        pairs = Counter((r[_STATUS], bool(r[_NOTE])) for r in self.records)
        for (status, note), count in pairs.items():
            counts[level_source_of(status=status, level_note=note)] += count
        return counts

    def row(self, i) -> SubjectRow:
        r = self.records[i]
        source = level_source_of(status=r[_STATUS], level_note=r[_NOTE])
        return SubjectRow(
            assessment_id=r[_PK],
            key=f"office-{r[_OFFICE]}" if r[_OFFICE] else f"city-{r[_CITY]}",
            subject=self.subject(i), city=r[_CITY_NAME], country=str(r[_COUNTRY]),
            round=r[_ROUND], status=r[_STATUS],
            status_label=self._status_labels.get(r[_STATUS], r[_STATUS]), source=source,
            source_label=self._source_labels[source], source_short=self._source_short[source],
            is_synthetic=bool(r[_SYNTHETIC]),
            levels=[None if math.isnan(v) else int(v) for v in self.levels[i]],
        )


def build_comparison(assessments, *, radar_ids=(), trend_view=PANEL,
                     max_rows=MAX_HEATMAP_ROWS) -> Comparison:
    """Compare `assessments` (already scoped to the reader and filtered). Three queries."""
    selection = _read(assessments)
    criteria = selection.criteria
    numbers = [n for n, _slug, _name in criteria]
    # The heatmap, radar and distribution show each subject once, at its latest round,
    # ordered by city and name (subjects alike in both: in the order they were read).
    latest = selection.latest()
    by_name = sorted(range(len(latest)), key=lambda k: (selection.city(latest[k]),
                                                         selection.subject(latest[k])))
    latest_rows = [int(latest[k]) for k in by_name]
    shown = [selection.row(i) for i in latest_rows[:max_rows]]
    notes = []
    if len(latest_rows) > len(shown):
        notes.append(str(_("The heatmap shows the first %(shown)s of %(total)s offices; the "
                           "exports carry them all.") % {"shown": len(shown),
                                                          "total": len(latest_rows)}))
    position = {r[_PK]: i for i, r in enumerate(selection.records)} if radar_ids else {}
    radar_rows = [selection.row(position[i]) for i in radar_ids if i in position][:MAX_RADAR]
    if radar_ids and len(radar_rows) < len(radar_ids):
        notes.append(str(_("Some assessments chosen for the radar are not in this comparison.")))
    if not radar_ids:
        radar_rows = shown[:MAX_RADAR]

    distribution = {n: [0] * 5 for n in numbers}
    at_latest = selection.levels[latest]
    for i, n in enumerate(numbers):  # a number two frameworks share counts in both columns
        given = at_latest[:, i][~np.isnan(at_latest[:, i])].astype(np.intp)
        counts = np.bincount(given, minlength=5).tolist()
        distribution[n] = [a + b for a, b in zip(distribution[n], counts, strict=True)]

    source_counts = selection.sources()
    names = [(n, name) for n, _slug, name in criteria]
    statuses = set(selection.column(_STATUS))
    result = Comparison(
        criteria=names, shown_rows=shown, radar_rows=radar_rows,
        assessment_count=len(selection), subject_count=len(latest_rows),
        rounds=selection.rounds, distribution=distribution,
        trend=build_trend(selection, view=trend_view),
        includes_unpublished=bool(statuses - {Assessment.Status.PUBLISHED}),
        includes_synthetic=any(selection.column(_SYNTHETIC)), notes=notes,
        sources=[(value, str(label), source_counts[value])
                 for value, label in LevelSource.choices if source_counts[value]],
        selection=selection, latest=latest_rows,
    )
    if shown:
        labels = [f"{n}. {name}" for n, name in names]
        result.heatmap = charts.heatmap_chart(
            [f"{s.subject} ({s.city}, {s.round})" for s in shown], [str(n) for n in numbers],
            [s.levels for s in shown], x_names=labels, title=str(_("Level")),
        )
        result.distribution_chart = charts.distribution_chart(
            labels, [distribution[n] for n in numbers],
            level_names=[f"{i} — {LEVEL_NAMES[i]}" for i in range(5)],
            title=str(_("Distribution of levels per criterion")),
        )
        result.radar = radar_chart(
            labels, [(f"{s.subject} ({s.round})", s.levels) for s in radar_rows],
            title=str(_("Levels of up to six offices")),
        )
    return result


def build_trend_only(assessments, *, view=PANEL) -> Trend:
    """The trend of `assessments` alone (its export and API): the same three queries."""
    return build_trend(_read(assessments), view=view)


def _read(assessments) -> Selection:
    """The assessments, their framework's criteria and their levels (in criterion order), as
    a Selection. Three queries whatever the number of assessments, read straight from the
    cursor: Django's per-value converters and a dict per row would double the time."""
    records = _fetch(assessments.values_list(*ASSESSMENT_VALUES))
    criteria = _criteria({r[_FRAMEWORK] for r in records}) if records else []
    numbers = [n for n, _slug, _name in criteria]
    levels = np.full((len(records), len(numbers)), np.nan)
    if records:
        ids, given = _levels(assessments, numbers)
        if len(ids):
            pks = np.array([r[_PK] for r in records], dtype=np.int64)
            order = np.argsort(pks)
            levels[order[np.searchsorted(pks[order], ids)]] = given
    return Selection(records, criteria, levels)


def _fetch(query):
    """The rows of a values_list query as the database gives them (the caller converts what it
    uses: a date arrives as text from SQLite, and is only compared with its like)."""
    with connections[query.db].cursor() as cursor:
        cursor.execute(*query.query.sql_with_params())
        return cursor.fetchall()


def _levels(assessments, numbers):
    """The ids of the assessments with responses, and their levels in the order of `numbers`
    (an array, NaN where not given). One query: the database turns the responses into one row
    per assessment and one column per criterion (an assessment has at most one response per
    criterion, so the Max is that level), which is a ninth of the rows the responses themselves
    would be."""
    unique = list(dict.fromkeys(numbers))
    columns = {f"c{n}": Max("level", filter=Q(criterion__number=n)) for n in unique}
    query = (CriterionResponse.objects.filter(assessment_id__in=assessments.values("pk"))
             .order_by().values("assessment_id").annotate(**columns)
             .values_list("assessment_id", *columns))
    rows = _fetch(query)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    levels = np.array([r[1:] for r in rows], dtype=float).reshape(len(rows), len(unique))
    if unique == numbers:
        return ids, levels  # None became NaN
    # Frameworks that number criteria alike but name them differently repeat a number.
    position = {n: i for i, n in enumerate(unique)}
    return ids, levels[:, [position[n] for n in numbers]]


def build_trend(selection, *, view=PANEL) -> Trend:
    """The median per criterion and round of a Selection's assessments, as a panel or not.

    Worked out on its arrays (one row per assessment) so that 50,000 assessments take a blink:
    which round each is in, which subject it is of, and its level on each criterion."""
    rounds = selection.rounds
    round_of, subject_of, levels = selection.round_of, selection.subject_of, selection.levels

    def in_every_round(rows):
        """Per subject: whether `rows` (a mask of assessments) has it in every round."""
        seen = np.zeros((len(rounds), selection.subject_count), dtype=bool)
        seen[round_of[rows], subject_of[rows]] = True
        return seen.all(axis=0)

    # Subjects with an assessment in every round (at most one each per round).
    in_every = in_every_round(np.ones(len(selection), dtype=bool))
    trend_criteria = []
    for i, (number, slug, name) in enumerate(selection.criteria):
        counted = ~np.isnan(levels[:, i])
        if view == PANEL:
            # The same subjects in every round: those with a level on this criterion in each.
            counted &= in_every_round(counted)[subject_of]
        cells = [TrendCell(r, _summarise_many(levels[counted & (round_of == j), i]))
                 for j, r in enumerate(rounds)]
        trend_criteria.append(TrendCriterion(number, slug, name, cells))
    panel = []
    if view == PANEL and rounds:
        members = np.flatnonzero((round_of == len(rounds) - 1) & in_every[subject_of])
        panel = sorted(f"{selection.subject(i)} ({selection.city(i)})" for i in members)
    trend = Trend(
        view=view, rounds=list(rounds), round_names=selection.round_names,
        criteria=trend_criteria,
        assessments_per_round=(
            [int(in_every.sum())] * len(rounds) if view == PANEL
            else np.bincount(round_of, minlength=len(rounds)).tolist()),
        panel=panel,
    )
    trend.empty_reason = _why_no_chart(trend)
    if not trend.empty_reason:
        trend.chart = trend_chart(trend)
    return trend


def _summarise_many(levels) -> Summary:
    """`summarise(levels)` of thousands of levels (a float array, no NaN): counted per level
    (0–4) rather than sorted. A level outside 0–4 (never stored) falls back to sorting."""
    whole = levels.astype(np.intp)
    if len(levels) and ((whole != levels).any() or whole.min() < 0
                        or whole.max() >= len(LEVEL_NAMES)):
        return summarise(levels.tolist())
    return summarise_counts(np.bincount(whole, minlength=len(LEVEL_NAMES)).tolist())


def _why_no_chart(trend) -> str:
    """Why the trend is not drawn, in words; "" when it is."""
    rounds = ", ".join(trend.rounds)
    if len(trend.rounds) < 2:
        return str(_("Only one round in this selection: choose offices assessed in several "
                     "rounds to see a trend."))
    if trend.is_panel and not trend.panel:
        return str(_("No office or ecosystem in this selection was assessed in every one of "
                     "its rounds (%(rounds)s), so there is no panel to follow. Choose rounds "
                     "the same offices took part in, or show every assessment of each round "
                     "(unbalanced).") % {"rounds": rounds})
    if not any(c.summary.enough for t in trend.criteria for c in t.cells):
        return str(_("Too few levels to state a median in any round: a median needs at "
                     "least %(min_n)s levels, and the table gives n for each.")
                   % {"min_n": MIN_N})
    return ""


# --- charts the network brief does not have ---------------------------------------------------


def radar_chart(axes, series, *, title) -> charts.Chart:
    """Levels 0–4 on one spoke per criterion, one outline per office."""
    size, cx, cy, radius = 460, 230, 215, 150
    n = max(len(axes), 1)

    def point(i, level):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * (level or 0) / 4
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body = []
    for level in range(1, 5):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(n)))
        body.append(f'<polygon points="{ring}" fill="none" stroke="{charts.GRID}"/>')
    for i, label in enumerate(axes):
        x, y = point(i, 4)
        body.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="{charts.GRID}"/>')
        lx, ly = point(i, 4.55)
        body.append(charts._text(lx, ly + 3, label.split(".")[0], 11, "middle", charts.MUTED,
                                 "bold"))
    for k, (name, levels) in enumerate(series):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in
                       (point(i, lv) for i, lv in enumerate(levels)))
        body.append(f'<polygon points="{pts}" fill="{color}" fill-opacity="0.08" '
                    f'stroke="{color}" stroke-width="2"/>')
        body.append(f'<rect x="10" y="{size - 4 + k * 16}" width="11" height="11" fill="{color}"/>')
        body.append(charts._text(26, size + 6 + k * 16, name[:70], 10))
    height = size + 10 + 16 * len(series)
    plotly = {
        "data": [
            {"type": "scatterpolar", "name": escape(name), "fill": "toself", "opacity": 0.75,
             "r": [*levels, levels[0]] if levels else [],
             "theta": [escape(a) for a in [*axes, axes[0]]] if axes else [],
             "line": {"color": SERIES_COLORS[k % len(SERIES_COLORS)], "width": 2},
             "hovertemplate": "%{theta}: %{r}<extra>" + escape(name) + "</extra>"}
            for k, (name, levels) in enumerate(series)
        ],
        "layout": charts._layout(
            height=520, margin={"l": 60, "r": 60, "t": 30, "b": 30},
            polar={"radialaxis": {"range": [0, 4], "tickvals": [0, 1, 2, 3, 4]},
                   "angularaxis": {"direction": "clockwise", "rotation": 90}},
            legend={"orientation": "h", "x": 0, "y": -0.1},
        ),
    }
    return charts.Chart(svg=charts._svg(size, height, body, title), plotly=plotly,
                        description=title)


def trend_title(trend) -> str:
    """What the trend chart shows, in words (its title and its text equivalent's caption)."""
    if trend.is_panel:
        return str(_("Median level per criterion, by round: panel of the same %(k)s offices "
                     "in every round") % {"k": len(trend.panel)})
    return str(_("Median level per criterion, by round: every assessment of each round "
                 "(unbalanced; the offices differ between rounds)"))


def trend_chart(trend) -> charts.Chart:
    """One line per criterion across rounds: the median level (0–4) where n is enough.

    A round where n is below the minimum has no point: the line breaks there, and the table
    beside the chart gives n and says "too few"."""
    rounds = trend.rounds
    title = trend_title(trend)
    y_title = str(_("Median level (0–4)"))
    x_title = str(_("Round"))
    left, top, plot_w, plot_h = 56, 16, 504, 200
    width = left + plot_w + 20
    height = top + plot_h + 58 + 15 * math.ceil(len(trend.criteria) / 2)

    def x(i):
        return left + (plot_w * i / max(len(rounds) - 1, 1))

    def y(v):
        return top + plot_h - v / 4 * plot_h

    body = []
    for level in range(5):
        body.append(f'<line x1="{left}" y1="{y(level):.1f}" x2="{left + plot_w}" '
                    f'y2="{y(level):.1f}" stroke="{charts.GRID}"/>')
        body.append(charts._text(left - 6, y(level) + 3, str(level), 9, "end", charts.MUTED))
    body.append(f'<text x="12" y="{top + plot_h / 2:.1f}" font-size="9" fill="{charts.MUTED}" '
                f'text-anchor="middle" transform="rotate(-90 12 {top + plot_h / 2:.1f})">'
                f'{escape(y_title)}</text>')
    for i, name in enumerate(rounds):
        body.append(charts._text(x(i), top + plot_h + 14, name, 9, "middle", charts.MUTED))
    body.append(charts._text(left + plot_w / 2, top + plot_h + 30, x_title, 9, "middle",
                             charts.MUTED))
    for k, criterion in enumerate(trend.criteria):
        color = SERIES_COLORS[k % len(SERIES_COLORS)]
        values = [c.summary.median for c in criterion.cells]
        runs, run = [], []
        for i, v in enumerate(values):  # a missing median breaks the line
            if v is None:
                runs, run = runs + [run] if run else runs, []
            else:
                run.append((x(i), y(v)))
        runs = runs + [run] if run else runs
        for part in runs:
            if len(part) > 1:
                path = " ".join(f"{'M' if j == 0 else 'L'}{px:.1f} {py:.1f}"
                                for j, (px, py) in enumerate(part))
                body.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
            for px, py in part:
                body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}"/>')
        lx = 10 + (k % 2) * 280
        ly = top + plot_h + 48 + (k // 2) * 15
        body.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{color}"/>')
        body.append(charts._text(lx + 14, ly, f"{criterion.number}. {criterion.name}"[:42], 9))
    hover = escape(str(_("Round %(round)s: median %(median)s, IQR %(q1)s–%(q3)s, n = %(n)s")
                       % {"round": "%{x}", "median": "%{y}", "q1": "%{customdata[1]}",
                          "q3": "%{customdata[2]}", "n": "%{customdata[0]}"}))
    plotly = {
        "data": [
            {"type": "scatter", "mode": "lines+markers",
             "name": escape(f"{c.number}. {c.name}"),
             "x": list(rounds), "y": [cell.summary.median for cell in c.cells],
             "customdata": [[cell.summary.n, cell.summary.q1, cell.summary.q3]
                            for cell in c.cells],
             "connectgaps": False,
             "hovertemplate": hover + "<extra>" + escape(f"{c.number}. {c.name}") + "</extra>",
             "line": {"color": SERIES_COLORS[k % len(SERIES_COLORS)], "width": 2}}
            for k, c in enumerate(trend.criteria)
        ],
        "layout": charts._layout(
            height=440, margin={"l": 60, "r": 20, "t": 20, "b": 40},
            xaxis={"type": "category", "fixedrange": True, "title": {"text": escape(x_title)}},
            yaxis={"range": [0, 4.1], "dtick": 1, "gridcolor": charts.GRID, "fixedrange": True,
                   "title": {"text": escape(y_title)}},
            legend={"orientation": "h", "x": 0, "y": -0.25},
        ),
    }
    return charts.Chart(svg=charts._svg(width, height, body, title), plotly=plotly,
                        description=title)
