"""The API of the indicator register: read for whoever may see the indicator (everyone sees
public ones; members and the network secretariat all of their office's), write for the
office's editors, with the same forms and checks as the pages (cities/forms.py,
cities/indicators.py).

PATCH needs the version read (the ETag) in If-Match: 428 without it, 412 when stale.
Values are added with POST to /values/ and never overwritten (a date that has a value is a
400 naming `on`).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from ovp_assess.api_support import MAX_ID

from . import indicators
from .access import office_access
from .api import ScopedViewSet
from .forms import IndicatorForm, IndicatorValueForm
from .models import Indicator, IndicatorValue, Office

IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description=_("The indicator's version as read from its ETag, e.g. \"3\"."),
)
PRECONDITION = {
    412: OpenApiResponse(description=_("Stale version: someone saved first; nothing changed.")),
    428: OpenApiResponse(description=_("If-Match is missing.")),
}


def _etag(version):
    return f'"{version}"'


def _if_match(request):
    """The version in If-Match ("3" or W/"3"); None when absent, -1 when unreadable."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    value = header.removeprefix("W/").strip().strip('"')
    return int(value) if value.isdigit() and int(value) <= MAX_ID else -1


class IndicatorValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        fields = ["id", "on", "value", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


class OfficeIndicatorSerializer(serializers.ModelSerializer):
    office = serializers.SlugRelatedField(slug_field="slug", queryset=Office.objects.all())
    # Blank only for a city figure, whose measure names it; an office names its own.
    name = serializers.CharField(max_length=Indicator._meta.get_field("name").max_length)
    unit = serializers.CharField(max_length=Indicator._meta.get_field("unit").max_length)
    last_on = serializers.DateField(read_only=True, allow_null=True)
    stale = serializers.SerializerMethodField()
    values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "office", "name", "kind", "unit", "description", "baseline_value",
                  "baseline_year", "target_value", "target_year", "cadence", "source",
                  "is_public", "last_on", "stale", "values", "version", "updated_at"]
        read_only_fields = ["id", "last_on", "stale", "values", "version", "updated_at"]

    def get_stale(self, indicator) -> bool:
        return indicator.is_stale(getattr(indicator, "last_on", None))


class OfficeIndicatorFilter(django_filters.FilterSet):
    office = django_filters.CharFilter(field_name="office__slug", max_length=60)
    kind = django_filters.ChoiceFilter(choices=Indicator.Kind.choices)

    class Meta:
        model = Indicator
        fields = ["office", "kind"]


def _form_data(indicator, changes):
    values = {name: getattr(indicator, name) for name in indicators.INDICATOR_FIELDS}
    values.update(changes)
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return data


@extend_schema_view(
    create=extend_schema(responses={201: OfficeIndicatorSerializer}),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={
        200: OfficeIndicatorSerializer, **PRECONDITION}),
)
class OfficeIndicatorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet):
    """Indicators of offices' registers you may see, with their values. The office's editors
    add them, change them (PATCH with If-Match) and add values."""

    serializer_class = OfficeIndicatorSerializer
    filterset_class = OfficeIndicatorFilter
    ordering_fields = ["name", "kind", "updated_at"]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (Indicator.objects.visible_to(self.request.user).with_last_value()
                .select_related("office").prefetch_related("values")
                .order_by("office__slug", "kind", "name"))

    def _require_editor(self, office):
        if not office_access(self.request.user, office).can_edit_indicators:
            raise PermissionDenied(_("Only the office's editors change its indicators."))

    def _fetch(self, pk):
        return self.get_queryset().get(pk=pk)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = _etag(response.data["version"])
        return response

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        office = incoming.validated_data.pop("office")
        self._require_editor(office)
        form = IndicatorForm(_form_data(Indicator(), incoming.validated_data), office=office)
        if not form.is_valid():
            raise ValidationError(dict(form.errors))
        indicator = indicators.create_indicator(office=office, content=form.content(),
                                                by=request.user)
        fresh = self._fetch(indicator.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED,
                        headers={"ETag": _etag(fresh.version)})

    def partial_update(self, request, *args, **kwargs):
        indicator = self.get_object()
        self._require_editor(indicator.office)
        base = _if_match(request)
        if base is None:
            return Response({"detail": _("Send the version you based this change on in "
                                         "If-Match (the ETag of the indicator).")},
                            status=status.HTTP_428_PRECONDITION_REQUIRED)
        if base != indicator.version:
            return self._stale(indicator)
        incoming = self.get_serializer(indicator, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        office = incoming.validated_data.pop("office", indicator.office)
        if office.pk != indicator.office_id:
            raise ValidationError({"office": [_("An indicator stays in its office's "
                                                "register.")]})
        fresh = Indicator.objects.get(pk=indicator.pk)
        form = IndicatorForm(_form_data(fresh, incoming.validated_data), instance=fresh,
                             office=indicator.office)
        if not form.is_valid():
            raise ValidationError(dict(form.errors))
        try:
            saved = indicators.save_indicator(indicator=indicator, content=form.content(),
                                              base_version=base, by=request.user)
        except indicators.IndicatorConflict as stale:
            return self._stale(stale.current)
        fresh = self._fetch(saved.pk)
        return Response(self.get_serializer(fresh).data, headers={"ETag": _etag(fresh.version)})

    def _stale(self, current):
        current = self._fetch(current.pk)
        return Response(
            {"detail": _("Someone saved this indicator since your copy (version %(v)s is "
                         "current). Nothing was changed; read it again and reapply your "
                         "change.") % {"v": current.version},
             "current": self.get_serializer(current).data},
            status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": _etag(current.version)},
        )

    @extend_schema(request=IndicatorValueSerializer,
                   responses={201: IndicatorValueSerializer, 200: IndicatorValueSerializer(
                       many=True)})
    @action(detail=True, methods=["get", "post"], url_path="values")
    def values(self, request, pk=None, **kwargs):
        """The indicator's values (GET); its editors add one (POST: on, value, note)."""
        indicator = self.get_object()
        if request.method == "GET":
            return Response(IndicatorValueSerializer(indicator.values.all(), many=True).data)
        self._require_editor(indicator.office)
        form = IndicatorValueForm(request.data, indicator=indicator)
        if not form.is_valid():
            raise ValidationError(dict(form.errors))
        try:
            value = indicators.add_value(indicator=indicator, by=request.user,
                                         **form.cleaned_data)
        except indicators.DuplicateValue:
            raise ValidationError({"on": [_("This indicator already has a value for this "
                                            "date.")]}) from None
        return Response(IndicatorValueSerializer(value).data, status=status.HTTP_201_CREATED)
