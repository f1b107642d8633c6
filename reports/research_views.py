"""The comparison page and its exports. Thin: validate the filters, select, render."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from cities import audit
from cities.models import AuditEvent
from criteria.models import Assessment

from . import tabular
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
    return tabular.export_response(fmt, columns, rows, stem=f"ovp-comparison-{shape}")


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
                                   stem=f"ovp-comparison-trend-{view}")
