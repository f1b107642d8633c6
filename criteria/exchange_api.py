"""Peer-exchange requests in the API: read-only, for those who may see them (the members of
either office, the secretariat of either office's network; `ExchangeRequest.objects
.visible_to`). Requests are made and answered on the pages, which notify the people concerned.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from cities.api import ScopedViewSet
from ovp_assess.api_support import MAX_ID

from .api import etag
from .models import ExchangeEvent, ExchangeRequest


class ExchangeEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeEvent
        fields = ["status", "note", "at"]


class ExchangeRequestSerializer(serializers.ModelSerializer):
    criterion_number = serializers.IntegerField(source="criterion.number")
    requester_office = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    peer_office = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = ExchangeEventSerializer(many=True, read_only=True)

    class Meta:
        model = ExchangeRequest
        fields = ["id", "assessment", "criterion_number", "requester_office", "peer_office",
                  "peer_assessment", "peer_level", "message", "status", "action", "version",
                  "created_at", "updated_at", "events"]
        read_only_fields = fields


class ExchangeFilter(django_filters.FilterSet):
    assessment = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    criterion = django_filters.NumberFilter(field_name="criterion__number", min_value=1,
                                            max_value=99)
    status = django_filters.ChoiceFilter(choices=ExchangeRequest.Status.choices)

    class Meta:
        model = ExchangeRequest
        fields = ["assessment", "criterion", "status"]


@extend_schema_view(retrieve=extend_schema(responses={200: ExchangeRequestSerializer}))
class ExchangeRequestViewSet(ScopedViewSet):
    """Peer-exchange requests you may see, with their history (oldest change first)."""

    serializer_class = ExchangeRequestSerializer
    filterset_class = ExchangeFilter
    ordering_fields = ["created_at", "updated_at", "criterion__number"]

    def get_queryset(self):
        return (ExchangeRequest.objects.visible_to(self.request.user)
                .select_related("criterion", "requester_office", "peer_office")
                .prefetch_related("events").order_by("-updated_at", "-pk"))

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response
