"""API twins of the comparison's aggregate views (the tidy rows are in criteria/api.py), and
the open datasets with their versions, licences and citations (reports/open_data.py).

`GET /api/comparison/trend/` answers, with the same query string as the comparison page and
`/compare/trend.<fmt>`, the same rows as that export: one per round × criterion, each with
its n and the statistic of reports/statistic.py.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import open_data, tabular
from .comparison import PANEL, ComparisonFilters, build_trend_only, filtered_assessments
from .statistic import MIN_N


def comparison_parameters(*, leave_out=("radar",)):
    """The comparison's filters as OpenAPI query parameters (the form is their one definition)."""
    params = []
    for name, field in ComparisonFilters.base_fields.items():
        if name in leave_out:
            continue
        many = name in ComparisonFilters.MULTI
        choices = getattr(field, "choices", None)
        enum = None
        if choices is not None and name not in {"network", "office", "city"}:
            enum = [str(k) for k, _label in choices if k != ""]
        params.append(OpenApiParameter(
            name, {"type": "array", "items": {"type": "string", **({"enum": enum} if enum
                                                                     else {})}}
            if many else OpenApiTypes.STR,
            enum=None if many else enum, explode=True if many else None,
            description=str(field.help_text or field.label),
        ))
    return params


_INT = {"criterion_number", "n", "min_n"}
_FLOAT = {"median", "q1", "q3"}


def _field(column):
    if column.name in _INT:
        return serializers.IntegerField(help_text=column.description)
    if column.name in _FLOAT:
        return serializers.FloatField(allow_null=True, help_text=column.description)
    return serializers.CharField(help_text=column.description)


TrendRowSerializer = type(
    "TrendRowSerializer", (serializers.Serializer,),
    {c.name: _field(c) for c in tabular.TREND_COLUMNS},
)
TrendAnswer = inline_serializer("ComparisonTrend", {
    "statistic": serializers.CharField(help_text="Always median (with quartiles q1, q3)."),
    "min_n": serializers.IntegerField(help_text="Fewest levels a median is given over."),
    "trend": serializers.CharField(help_text="panel or all"),
    "rounds": serializers.ListField(child=serializers.CharField()),
    "panel_size": serializers.IntegerField(
        allow_null=True, help_text="Offices and ecosystems in every round (panel only)."),
    "count": serializers.IntegerField(),
    "results": TrendRowSerializer(many=True),
})


class ComparisonTrend(generics.GenericAPIView):
    """The trend across rounds (median, quartiles and n per round × criterion), with the same
    filters as the comparison page: the rows of `/compare/trend.<fmt>` for the same query."""

    serializer_class = TrendRowSerializer
    filter_backends = []
    pagination_class = None  # at most rounds × criteria rows

    @extend_schema(parameters=comparison_parameters(), responses={200: TrendAnswer})
    def get(self, request):
        form = ComparisonFilters.from_query(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.error_dict())
        view = form.cleaned_data["trend"] or PANEL
        trend = build_trend_only(filtered_assessments(request.user, form.cleaned_data),
                                 view=view)
        rows = list(tabular.row_dicts(tabular.TREND_COLUMNS, tabular.trend_rows(trend)))
        return Response({
            "statistic": "median", "min_n": MIN_N, "trend": view, "rounds": trend.rounds,
            "panel_size": len(trend.panel) if trend.is_panel else None,
            "count": len(rows), "results": rows,
        })

DatasetSerializer = inline_serializer("OpenDataset", many=True, fields={
    "network": serializers.CharField(help_text="Network identifier (slug)"),
    "network_name": serializers.CharField(),
    "title": serializers.CharField(),
    "version": serializers.CharField(
        help_text="Changes whenever the published, public data change (a hash of every row)."),
    "as_of": serializers.DateField(allow_null=True,
                                   help_text="Date of the latest publication in the dataset"),
    "assessments": serializers.IntegerField(help_text="Public assessments in the dataset"),
    "licence": serializers.CharField(help_text="SPDX identifier of the licence"),
    "licence_url": serializers.URLField(),
    "citation": serializers.CharField(help_text="Suggested citation"),
    "url": serializers.URLField(help_text="The dataset on the open-data page"),
    "downloads": serializers.DictField(child=serializers.URLField(),
                                       help_text="table.format → URL, and zip"),
})


class OpenDataList(APIView):
    """Every network's open dataset: what anyone may read, whoever asks. The exports of the
    comparison, the library and the outcomes cite these versions in their metadata."""

    @extend_schema(responses={200: DatasetSerializer})
    def get(self, request):
        results = []
        for dataset in open_data.datasets(request):
            item = dataset.as_dict()
            slug = dataset.network.slug
            item["downloads"] = {
                f"{table}.{fmt}": request.build_absolute_uri(reverse(
                    "reports:open-data-download", args=[slug, table, fmt]))
                for table in open_data.TABLES for fmt in tabular.FORMATS
            }
            item["downloads"]["zip"] = request.build_absolute_uri(
                reverse("reports:open-data-zip", args=[slug]))
            results.append(item)
        response = Response(results)
        response["X-Dataset-Version"] = ", ".join(
            f"{d['network']}={d['version']}" for d in results)
        return response
