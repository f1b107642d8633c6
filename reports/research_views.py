"""The comparison page and its exports. Thin: validate the filters, select, render."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_countries import countries as countries_

from cities import audit
from cities.filtering import chips
from cities.models import AuditEvent, Network, Region
from criteria.models import Assessment

from . import open_data, tabular
from .comparison import (
    PANEL,
    UNBALANCED,
    ComparisonFilters,
    build_comparison,
    build_trend_only,
    filtered_assessments,
)
from .statistic import MIN_N

SHAPES = {"tidy", "wide"}


def _filters(request):
    form = ComparisonFilters.from_query(request.GET)
    form.is_valid()
    return form


def _bad_request(form, extra=None):
    errors = form.error_dict()
    errors.update(extra or {})
    return JsonResponse({"errors": errors}, status=400)


def _with(request, **params):
    query = request.GET.copy()
    for name, value in params.items():
        query[name] = value
    return query.urlencode()
def _options(request, form, visible):
    """Checkbox options with data (two queries) and the chips of the chosen filters."""
    # No ordering: the assessments' default one would join the rounds and make every
    # (place, round, city) distinct, thousands of rows at scale, for a handful of places.
    places = set(visible.order_by().values_list("city__country", "city__region").distinct())
    countries = sorted({(str(c), countries_.name(c)) for c, _r in places}, key=lambda c: c[1])
    regions = [(k, label) for k, label in Region.choices if k in {r for _c, r in places}]
    networks = list(Network.objects.filter(cities__in=visible.values("city_id")).distinct()
                    .order_by("name").values_list("slug", "name"))
    choices = {name: {str(k): str(v) for k, v in getattr(field, "choices", [])}
               for name, field in form.fields.items()
               if name not in {"network", "office", "city", "country"}}
    labels = {name: (form.fields[name].label, choices.get(name, {}))
              for name in form.fields if name not in {"radar"}}
    labels["network"] = (form.fields["network"].label, dict(networks))
    labels["country"] = (form.fields["country"].label, dict(countries))
    labels["synthetic"] = (form.fields["synthetic"].label, choices["synthetic"])
    # Hand-picked offices and cities: named from the objects validation already fetched.
    cleaned = getattr(form, "cleaned_data", {})
    labels["office"] = (form.fields["office"].label,
                        {o.slug: str(o) for o in cleaned.get("office") or []})
    labels["city"] = (form.fields["city"].label,
                      {c.slug: c.name for c in cleaned.get("city") or []})
    return {
        "country_options": countries, "region_options": regions, "network_options": networks,
        "chips": chips(request.GET, labels),
        "selected": {name: request.GET.getlist(name) for name in form.fields},
    }


def compare(request):
    form = _filters(request)
    visible = Assessment.objects.filter(
        pk__in=Assessment.objects.visible_to(request.user).values("pk")
    )
    context = {
        "form": form, "title": _("Compare offices"),
        "rounds": list(visible.order_by("-round__opens_on", "round__code")
                        .values_list("round__code", "round__name").distinct()),
        "query": request.GET.urlencode(),
        "query_suffix": f"?{request.GET.urlencode()}" if request.GET else "",
        # The radar picker resubmits the current filters beside the chosen assessments.
        "carry": [(k, v) for k in request.GET for v in request.GET.getlist(k) if k != "radar"],
        # The trend's two views, each with the rest of the query unchanged.
        "query_panel": _with(request, trend=PANEL),
        "query_all": _with(request, trend=UNBALANCED),
        "min_n": MIN_N,
        "trend_view": (form.cleaned_data.get("trend") if hasattr(form, "cleaned_data") else "")
        or PANEL,
        **_options(request, form, visible),
    }
    if form.has_problems:
        return render(request, "reports/compare.html", context, status=400)
    assessments = filtered_assessments(request.user, form.cleaned_data)
    context["comparison"] = build_comparison(
        assessments, radar_ids=form.cleaned_data["radar"],
        trend_view=form.cleaned_data["trend"] or PANEL,
    )
    return render(request, "reports/compare.html", context)


def compare_export(request, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    form = _filters(request)
    shape = request.GET.get("shape", "tidy")
    if form.has_problems or shape not in SHAPES:
        bad = {} if shape in SHAPES else {"shape": [_("Choose tidy or wide.")]}
        return _bad_request(form, bad)
    assessments = filtered_assessments(request.user, form.cleaned_data)
    if shape == "wide":
        columns = tabular.wide_columns(assessments)
        rows = tabular.wide_rows(assessments, columns)
    else:
        columns, rows = tabular.TIDY_COLUMNS, tabular.tidy_rows(assessments)
    if request.user.is_authenticated:  # may include what is not public
        audit.record(AuditEvent.Action.EXPORT, detail=f"comparison {shape} {fmt}: "
                     f"{request.GET.urlencode()}", networks=audit.networks_of_user(request.user))
    return tabular.export_response(fmt, columns, rows, stem=f"ovp-comparison-{shape}",
                                   about=open_data.export_about(request, _("Comparison")))
def compare_trend_export(request, fmt):
    """The trend across rounds as shown on the page (the same `trend=` view and filters), one
    row per round × criterion; `GET /api/comparison/trend/` answers the same rows."""
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    form = _filters(request)
    if form.has_problems:
        return _bad_request(form)
    view = form.cleaned_data["trend"] or PANEL
    trend = build_trend_only(filtered_assessments(request.user, form.cleaned_data), view=view)
    if request.user.is_authenticated:  # may include what is not public
        audit.record(AuditEvent.Action.EXPORT, detail=f"comparison trend {fmt}: "
                     f"{request.GET.urlencode()}", networks=audit.networks_of_user(request.user))
    return tabular.export_response(fmt, tabular.TREND_COLUMNS, tabular.trend_rows(trend),
                                   stem=f"ovp-comparison-trend-{view}",
                                   about=open_data.export_about(request, _("Comparison trend")))
