"""API: the open datasets, their versions, licences and citations (reports/open_data.py)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import open_data, tabular

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
