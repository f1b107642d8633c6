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
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports import tabular
from reports.selectors import outcome_trend

from .api import IndicatorFilter
from .filtering import chips
from .goals import GoalBook, goal_for_city
from .models import City, Network, ViolenceIndicator

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


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = ViolenceIndicator
        fields = ["city", "year", "kind", "label", "value", "qualifier", "area", "source"]
        widgets = {"source": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities.order_by("name")
        self.fields["city"].to_field_name = "slug"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == ViolenceIndicator.Kind.OTHER and not cleaned.get("label"):
            self.add_error("label", _("Name the indicator when its kind is “Other”."))
        return cleaned


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
    """(indicators to create, errors). Nothing is saved here.

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
        data["qualifier"] = data["qualifier"] or ViolenceIndicator.Qualifier.EXACT
        if data["city"] and data["city"] not in allowed:
            errors.append(RowError(line, "city", _("“%(city)s” is not a city whose figures you "
                                                   "may enter.") % {"city": data["city"][:60]}))
            continue
        form = IndicatorForm(data, cities=City.objects.filter(pk__in=[c.pk for c in cities]))
        if not form.is_valid():
            for name, messages_ in form.errors.items():
                for message in messages_:
                    errors.append(RowError(line, name if name != "__all__" else "-", message))
            continue
        key = (data["city"], form.cleaned_data["year"], data["kind"], data.get("label", ""))
        if key in seen:
            errors.append(RowError(line, "year", _("Same city, year, kind and label as line "
                                                   "%(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = line
        ready.append(form.instance)
    return ready, errors


@transaction.atomic
def import_indicators(*, indicators, by):
    """Create every indicator or none (a clash with the database rolls the whole file back)."""
    for indicator in indicators:
        indicator.save()
    return len(indicators)


def outcome_list(request):
    # The same filters as the downloads and /api/indicators/: the cards show the figures
    # that match, grouped by city.
    filters = IndicatorFilter(request.GET, queryset=ViolenceIndicator.objects.all())
    bad = not filters.is_valid()
    figures = ViolenceIndicator.objects.none() if bad else filters.qs
    cities = (
        City.objects.filter(pk__in=figures.values("city_id"))
        .prefetch_related(Prefetch("indicators", queryset=figures.order_by("kind", "year")))
        .order_by("name")
    )
    book = GoalBook()
    cards = [(city, outcome_trend(list(city.indicators.all()), book.for_city(city.pk)))
             for city in cities]
    return render(request, "cities/outcome_list.html", {
        "cards": cards, "goal_networks": Network.objects.with_goal(),
        "filters": filters, "errors": filters.error_dict() if bad else {},
        "chips": chips(request.GET, {
            name: (f.label, {c.slug: c.name for c, _trend in cards} if name == "city"
                   else {str(k): v for k, v in getattr(f.field, "choices", [])})
            for name, f in filters.filters.items()
        }),
        "query": request.GET.urlencode(),
        "can_enter": City.objects.managed_by(request.user).exists(),
        "title": _("Outcomes against the network goal"),
    }, status=400 if bad else 200)


def outcome_city(request, slug):
    city = get_object_or_404(
        City.objects.prefetch_related(Prefetch(
            "indicators", queryset=ViolenceIndicator.objects.order_by("kind", "label", "year")
        )), slug=slug,
    )
    indicators = list(city.indicators.all())
    return render(request, "cities/outcome_city.html", {
        "city": city, "indicators": indicators,
        "trend": outcome_trend(indicators, goal_for_city(city.pk)),
        "can_enter": City.objects.managed_by(request.user).filter(pk=city.pk).exists(),
        "title": _("Outcomes: %(city)s") % {"city": city.name},
    })


@login_required
def indicator_add(request):
    _require_secretariat(request.user)
    cities = City.objects.managed_by(request.user)
    initial = {"city": request.GET.get("city")} if request.GET.get("city") else None
    form = IndicatorForm(request.POST or None, cities=cities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                indicator = form.save()
        except IntegrityError:
            form.add_error("year", _("This city already has this indicator for that year."))
        else:
            messages.success(request, _("Figure saved: %(item)s") % {"item": indicator})
            return redirect("cities:outcome-city", slug=indicator.city.slug)
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
                        count = import_indicators(indicators=ready, by=request.user)
                    except IntegrityError:
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


def outcome_rows(indicators):
    """Rows in EXPORT_COLUMNS order, streamed."""
    rows = (
        indicators.order_by("city__name", "kind", "label", "year", "pk")
        .values_list("city__slug", "city__name", "city__country", "year", "kind", "label",
                     "value", "qualifier", "area", "source")
        .iterator(chunk_size=tabular.CHUNK)
    )
    return ((r[0], r[1], str(r[2]), *r[3:]) for r in rows)


def outcome_export(request, fmt):
    from reports import open_data  # it reads this module's columns and rows

    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    filters = IndicatorFilter(request.GET, queryset=ViolenceIndicator.objects.all())
    if not filters.is_valid():
        return JsonResponse({"errors": filters.error_dict()}, status=400)
    return tabular.export_response(fmt, EXPORT_COLUMNS, outcome_rows(filters.qs),
                                   stem="ovp-outcomes",
                                   about=open_data.export_about(request, _("Outcome figures")))
