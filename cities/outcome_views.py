"""Outcomes: violence indicators per city and year against the network's goal
(`cities.goals`: the line starts in the goal's baseline year, never before).

Anyone may read the figures (they come from public sources); the secretariat of a city's
network enters them one by one or imports a CSV. An import is all or nothing: every row is
checked first, and one bad row means nothing is written.
"""

import csv
import io
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import tabular
from reports.selectors import outcome_trend

from . import city_figures
from .access import manages_city
from .api import IndicatorFilter
from .city_figures import FigureExists, Measure
from .filtering import chips
from .goals import GoalBook, goal_for_city
from .models import INDICATOR_TEXT_MAX_CHARS, City, Network, Qualifier, validate_not_future_year

MAX_IMPORT_BYTES = 2 * 1024 * 1024
IMPORT_COLUMNS = ["city", "year", "kind", "label", "value", "qualifier", "area", "source"]
EXPORT_COLUMNS = [
    tabular.Column("city", "City identifier (slug)"),
    tabular.Column("city_name", "City name"),
    tabular.Column("country", "ISO 3166-1 alpha-2 country code"),
    tabular.Column("year", "Year the figure is for"),
    tabular.Column("kind", "homicides, homicide_rate, violent_death_rate or other"),
    tabular.Column("label", "Names the indicator when kind is other"),
    tabular.Column("value", "The figure (rates are per 100,000 people)"),
    tabular.Column("qualifier", "exact, about, under or over"),
    tabular.Column("area", "Area the figure covers, e.g. metropolitan area"),
    tabular.Column("source", "Where the figure comes from"),
]


def _require_secretariat(user):
    if not City.objects.managed_by(user).exists():
        raise PermissionDenied(_("Only the network secretariat enters outcome figures."))


class FigureForm(forms.Form):
    """One city figure: the series it belongs to (city, kind, label, area) and its value for
    one year, with how exact it is and where it comes from."""

    city = forms.ModelChoiceField(queryset=City.objects.none(), to_field_name="slug",
                                  label=gettext_lazy("city"))
    year = forms.IntegerField(label=gettext_lazy("year"), validators=[
        MinValueValidator(1900), MaxValueValidator(2100), validate_not_future_year])
    kind = forms.ChoiceField(choices=Measure.choices, label=gettext_lazy("indicator"))
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False,
                            help_text=gettext_lazy("Names the indicator when 'Other'."))
    value = forms.DecimalField(label=gettext_lazy("value"), max_digits=12, decimal_places=2,
                               min_value=0)
    qualifier = forms.ChoiceField(choices=Qualifier.choices, initial=Qualifier.EXACT,
                                  label=gettext_lazy("qualifier"))
    area = forms.CharField(label=gettext_lazy("area"), max_length=200, required=False,
                           help_text=gettext_lazy("e.g. metropolitan area."))
    source = forms.CharField(label=gettext_lazy("source"), max_length=INDICATOR_TEXT_MAX_CHARS,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Measure.OTHER and not cleaned.get("label"):
            self.add_error("label", _("Name the indicator when its kind is “Other”."))
        return cleaned

    def figure(self):
        """The cleaned figure as `city_figures.record_figure`'s arguments."""
        data = self.cleaned_data
        return {"city": data["city"], "year": data["year"], "measure": data["kind"],
                "label": data["label"], "area": data["area"], "value": data["value"],
                "qualifier": data["qualifier"], "source": data["source"]}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, with a header row: city, year, kind, label, value, "
                               "qualifier, area, source. At most 2 MB."),
    )


@dataclass
class RowError:
    line: int
    field: str
    message: str


def validate_import(text, *, cities):
    """(figures to record, errors). Nothing is saved here.

    Line numbers count the header as line 1, as a spreadsheet shows them.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c not in {"label", "qualifier",
                                                                          "area"}]
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    errors = [RowError(1, c, _("Column missing.")) for c in missing]
    errors += [RowError(1, c, _("Unknown column.")) for c in unknown]
    if errors:
        return [], errors
    reader.fieldnames = header
    allowed = {c.slug: c for c in cities}
    seen = {}
    ready = []
    for line, row in enumerate(reader, start=2):
        if None in row:  # more cells than header columns
            errors.append(RowError(line, "-", _("More cells than columns.")))
            continue
        data = {k: (v or "").strip() for k, v in row.items()}
        data.setdefault("qualifier", "")
        data["qualifier"] = data["qualifier"] or Qualifier.EXACT
        if data["city"] and data["city"] not in allowed:
            errors.append(RowError(line, "city", _("“%(city)s” is not a city whose figures you "
                                                   "may enter.") % {"city": data["city"][:60]}))
            continue
        form = FigureForm(data, cities=City.objects.filter(pk__in=[c.pk for c in cities]))
        if not form.is_valid():
            for name, messages_ in form.errors.items():
                for message in messages_:
                    errors.append(RowError(line, name if name != "__all__" else "-", message))
            continue
        key = (data["city"], form.cleaned_data["year"], data["kind"], data.get("label", ""),
               form.cleaned_data["area"])
        if key in seen:
            errors.append(RowError(line, "year", _("Same city, year, kind and label as line "
                                                   "%(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = line
        ready.append(form.figure())
    # Figures already stored are named by line: an import adds, it never replaces.
    stored = set(
        city_figures.figures().filter(indicator__city__slug__in={k[0] for k in seen})
        .values_list("indicator__city__slug", "year", "indicator__measure", "indicator__name",
                     "indicator__area"))
    for key, line in seen.items():
        if key in stored:
            errors.append(RowError(line, "year", _(
                "%(city)s already has this figure for %(year)s; an import does not replace "
                "figures.") % {"city": key[0], "year": key[1]}))
    errors.sort(key=lambda e: e.line)
    return ready, errors


def outcome_list(request):
    # The same filters as the downloads and /api/indicators/: the cards show the figures
    # that match, grouped by city.
    filters = IndicatorFilter(request.GET, queryset=city_figures.figures())
    bad = not filters.is_valid()
    figures = [] if bad else list(city_figures.ordered(filters.qs))
    by_city = {}
    for figure in figures:
        by_city.setdefault(figure.indicator.city, []).append(figure)
    book = GoalBook()
    cards = [(city, outcome_trend(rows, book.for_city(city.pk)), rows)
             for city, rows in by_city.items()]
    return render(request, "cities/outcome_list.html", {
        "cards": cards, "goal_networks": Network.objects.with_goal(),
        "filters": filters, "errors": filters.error_dict() if bad else {},
        "chips": chips(request.GET, {
            name: (f.label, {c.slug: c.name for c, _trend, _rows in cards} if name == "city"
                   else {str(k): v for k, v in getattr(f.field, "choices", [])})
            for name, f in filters.filters.items()
        }),
        "query": request.GET.urlencode(),
        "can_enter": City.objects.managed_by(request.user).exists(),
        "title": _("Outcomes against the network goal"),
    }, status=400 if bad else 200)


def outcome_city(request, slug):
    city = get_object_or_404(City, slug=slug)
    indicators = list(city_figures.figures_of(city))
    return render(request, "cities/outcome_city.html", {
        "city": city, "indicators": indicators,
        "trend": outcome_trend(indicators, goal_for_city(city.pk)),
        "can_enter": manages_city(request.user, city.pk),
        "title": _("Outcomes: %(city)s") % {"city": city.name},
    })


@login_required
def indicator_add(request):
    _require_secretariat(request.user)
    cities = City.objects.managed_by(request.user)
    initial = {"city": request.GET.get("city")} if request.GET.get("city") else None
    form = FigureForm(request.POST or None, cities=cities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            figure = city_figures.record_figure(by=request.user, **form.figure())
        except FigureExists:
            form.add_error("year", _("This city already has this indicator for that year."))
        else:
            messages.success(request, _("Figure saved: %(item)s") % {"item": figure})
            return redirect("cities:outcome-city", slug=figure.indicator.city.slug)
    return render(request, "cities/outcome_form.html", {
        "form": form, "forms_with_errors": [form] if form.errors else [],
        "title": _("Add an outcome figure"),
    }, status=422 if form.errors else 200)


@login_required
def indicator_import(request):
    _require_secretariat(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text; save it as CSV UTF-8."))
            else:
                ready, errors = validate_import(
                    text, cities=list(City.objects.managed_by(request.user))
                )
                if not errors and not ready:
                    form.add_error("file", _("The file has no rows."))
                elif not errors:
                    try:
                        count = city_figures.record_figures(ready, by=request.user)
                    except FigureExists:
                        form.add_error("file", _("Some figures already exist (same city, year, "
                                                 "kind and label); nothing was imported."))
                    else:
                        messages.success(request, _("%(n)s figures imported.") % {"n": count})
                        return redirect("cities:outcome-list")
    return render(request, "cities/outcome_import.html", {
        "form": form, "errors": errors, "columns": IMPORT_COLUMNS,
        "forms_with_errors": [form] if form.errors else [],
        "title": _("Import outcome figures"),
    }, status=422 if (errors or form.errors) else 200)


def outcome_rows(figures):
    """Rows in EXPORT_COLUMNS order, streamed. `figures` is a queryset of
    `city_figures.figures()`."""
    rows = (
        city_figures.ordered(figures)
        .values_list("indicator__city__slug", "indicator__city__name",
                     "indicator__city__country", "year", "indicator__measure",
                     "indicator__name", "value", "qualifier", "indicator__area", "source")
        .iterator(chunk_size=tabular.CHUNK)
    )
    return ((r[0], r[1], str(r[2]), *r[3:]) for r in rows)


def outcome_export(request, fmt):
    from reports import open_data  # it reads this module's columns and rows

    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    filters = IndicatorFilter(request.GET, queryset=city_figures.figures())
    if not filters.is_valid():
        return JsonResponse({"errors": filters.error_dict()}, status=400)
    return tabular.export_response(fmt, EXPORT_COLUMNS, outcome_rows(filters.qs),
                                   stem="ovp-outcomes",
                                   about=open_data.export_about(request, _("Outcome figures")))
