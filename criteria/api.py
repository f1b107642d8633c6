"""API views for the framework, assessments, responses, evidence, good practices and the
comparison's tidy rows.

Every queryset of assessment data goes through the `visible_to(user)` querysets, and every
write asks `criteria.access` what the user may do: DRF applies object permissions to single
objects only, never to lists, so scoping the queryset is what keeps other offices' drafts
out of lists and 404s on their ids.
Writes go through criteria/forms.py and criteria/workflow.py, as on the pages.
"""

import django_filters
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import generics, mixins, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cities.api import ScopedViewSet, SyntheticFilterSet
from cities.exchange import RateBook
from cities.models import City, Network, Office, Region
from ovp_assess.api_support import MAX_ID
from reports import tabular
from reports.api import comparison_parameters
from reports.comparison import ComparisonFilters, filtered_assessments

from . import access, workflow
from .filters import PracticeFilter, library_practices
from .forms import EvidenceForm, ResponseForm
from .models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    Framework,
    RubricLevel,
)
from .serializers import (
    AssessmentSerializer,
    CriterionSerializer,
    EvidenceSerializer,
    FrameworkSerializer,
    GoodPracticeSerializer,
    ResponseSerializer,
)


class PreconditionRequired(Exception):
    pass


def if_match_version(request, *, required):
    """The version in the If-Match header ("3", "W/\\"3\\"" or 3), None when absent."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        if required:
            raise PreconditionRequired
        return None
    value = header.removeprefix("W/").strip().strip('"')
    return int(value) if value.isdigit() and int(value) <= MAX_ID else -1


def etag(version):
    return f'"{version}"'


IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description=_("The response's version as read from its ETag, e.g. \"3\"."),
)
PRECONDITION = {
    412: OpenApiResponse(description=_("Stale version: someone saved first; nothing changed.")),
    428: OpenApiResponse(description=_("If-Match is missing.")),
}


def _precondition_required():
    return Response({"detail": _("Send the version you based this change on in If-Match "
                                 "(the ETag of the response).")},
                    status=status.HTTP_428_PRECONDITION_REQUIRED)


# --- the framework ----------------------------------------------------------------------------


class FrameworkViewSet(ScopedViewSet):
    """Assessment frameworks (versioned) and their criteria."""

    queryset = Framework.objects.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("number"))
    ).order_by("slug", "version")
    serializer_class = FrameworkSerializer
    filterset_fields = ["slug", "version", "is_default"]
    ordering_fields = ["slug", "version"]


class CriterionFilter(django_filters.FilterSet):
    framework = django_filters.CharFilter(field_name="framework__slug", max_length=50)
    number = django_filters.NumberFilter(min_value=1, max_value=99)

    class Meta:
        model = Criterion
        fields = ["framework", "number", "slug"]


class CriterionViewSet(ScopedViewSet):
    """Criteria with their rubric (levels 0–4)."""

    queryset = Criterion.objects.select_related("framework").prefetch_related(
        Prefetch("rubric_levels", queryset=RubricLevel.objects.order_by("level"))
    ).order_by("framework__slug", "number")
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilter
    ordering_fields = ["number", "slug"]


# --- assessments and responses ----------------------------------------------------------------


class AssessmentFilter(SyntheticFilterSet):
    round = django_filters.CharFilter(field_name="round__code", max_length=40,
                                      help_text="Round code, e.g. 2026-27.")
    status = django_filters.ChoiceFilter(choices=Assessment.Status.choices)
    scope = django_filters.ChoiceFilter(choices=Assessment.Scope.choices)
    city = django_filters.ModelChoiceFilter(queryset=City.objects.all(), to_field_name="slug")
    office = django_filters.ModelChoiceFilter(queryset=Office.objects.all(),
                                              to_field_name="slug")
    network = django_filters.ModelChoiceFilter(
        field_name="city__networks", queryset=Network.objects.all(), to_field_name="slug"
    )
    region = django_filters.ChoiceFilter(field_name="city__region", choices=Region.choices)

    class Meta:
        model = Assessment
        fields = ["round", "status", "scope", "city", "office", "network", "region",
                  "synthetic"]


class AssessmentViewSet(ScopedViewSet):
    """Assessments you may see (published ones of your networks; drafts of your office or,
    for the secretariat, of your networks' cities), with the office profile."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter
    ordering_fields = ["round__opens_on", "published_at", "updated_at", "city__name"]

    def get_queryset(self):
        return Assessment.objects.visible_to(self.request.user).select_related(
            "framework", "city", "office", "profile", "round"
        ).order_by("-round__opens_on", "-round__closes_on", "city__name", "pk")


class ResponseFilter(SyntheticFilterSet):
    synthetic_field = "assessment__is_synthetic"
    assessment = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    criterion = django_filters.NumberFilter(field_name="criterion__number", min_value=1,
                                            max_value=99)
    round = django_filters.CharFilter(field_name="assessment__round__code", max_length=40,
                                      help_text="Round code, e.g. 2026-27.")
    city = django_filters.ModelChoiceFilter(field_name="assessment__city",
                                            queryset=City.objects.all(), to_field_name="slug")
    office = django_filters.ModelChoiceFilter(field_name="assessment__office",
                                              queryset=Office.objects.all(),
                                              to_field_name="slug")

    class Meta:
        model = CriterionResponse
        fields = ["assessment", "criterion", "round", "city", "office", "synthetic"]


@extend_schema_view(
    partial_update=extend_schema(parameters=[IF_MATCH], responses={
        200: ResponseSerializer, **PRECONDITION}),
)
class ResponseViewSet(mixins.UpdateModelMixin, ScopedViewSet):
    """Criterion responses. Office editors change a draft's responses with PATCH, sending
    the version they read (the ETag) in If-Match; a stale version is refused with 412."""

    serializer_class = ResponseSerializer
    filterset_class = ResponseFilter
    ordering_fields = ["criterion__number", "updated_at", "level"]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return CriterionResponse.objects.visible_to(self.request.user).select_related(
            "criterion", "assessment").order_by("assessment_id", "criterion__number")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def partial_update(self, request, *args, **kwargs):
        answer = self.get_object()
        if not access.access_to(request.user, answer.assessment).can_edit:
            raise PermissionDenied(_("Only the office's editors change a draft's responses."))
        try:
            base = if_match_version(request, required=True)
        except PreconditionRequired:
            return _precondition_required()
        if base != answer.version:
            return self._stale(answer)
        incoming = ResponseSerializer(answer, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        merged = {name: getattr(answer, name) for name in ResponseForm.Meta.fields}
        merged.update(incoming.validated_data)
        form_data = {k: ("" if v is None else v) for k, v in merged.items()}
        form_data["version"] = base
        # The form checks the same rules as the page; it works on a copy, so a refused
        # change never touches `answer` (a ModelForm writes cleaned values to its instance).
        form = ResponseForm(data=form_data,
                            instance=CriterionResponse.objects.get(pk=answer.pk))
        if not form.is_valid():
            raise ValidationError(form.errors)
        try:
            # The API keeps strict If-Match semantics: any newer version is a 412.
            fresh = workflow.save_response(response=answer, content=form.content(),
                                           base_version=base, by=request.user, merge=False)
        except workflow.StaleVersion as stale:
            return self._stale(stale.current)
        except workflow.WorkflowError as error:
            raise PermissionDenied("; ".join(str(p) for p in error.problems)) from error
        fresh = self.get_queryset().get(pk=fresh.pk)
        return Response(ResponseSerializer(fresh).data, headers={"ETag": etag(fresh.version)})

    def _stale(self, current):
        return Response(
            {"detail": _("Someone saved this response since your copy (version %(v)s is "
                         "current). Nothing was changed; read it again and reapply your "
                         "change.") % {"v": current.version},
             "current": ResponseSerializer(current).data},
            status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current.version)},
        )


class EvidenceFilter(SyntheticFilterSet):
    synthetic_field = "response__assessment__is_synthetic"
    assessment = django_filters.NumberFilter(field_name="response__assessment",
                                             min_value=1, max_value=MAX_ID)
    response = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    kind = django_filters.ChoiceFilter(choices=Evidence.Kind.choices)

    class Meta:
        model = Evidence
        fields = ["assessment", "response", "kind", "synthetic"]


@extend_schema_view(
    create=extend_schema(parameters=[IF_MATCH], responses={201: EvidenceSerializer,
                                                           **PRECONDITION}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **PRECONDITION}),
)
class EvidenceViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet):
    """Evidence metadata; files download through `download_url` (permission-checked).
    Office editors add evidence to a draft's response (JSON, or multipart with a file) and
    delete it; If-Match, when sent, must be the response's current version."""

    serializer_class = EvidenceSerializer
    filterset_class = EvidenceFilter
    ordering_fields = ["created_at", "date", "title"]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    def get_queryset(self):
        return Evidence.objects.visible_to(self.request.user).select_related(
            "response__criterion").order_by("response_id", "created_at", "pk")

    def _check_version(self, request, response):
        base = if_match_version(request, required=False)
        if base is not None and base != response.version:
            return Response(
                {"detail": _("The response is at version %(v)s, not the one you sent.")
                 % {"v": response.version}},
                status=status.HTTP_412_PRECONDITION_FAILED,
                headers={"ETag": etag(response.version)},
            )
        return None

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        response = (
            CriterionResponse.objects.visible_to(request.user).filter(
                pk=incoming.validated_data["response_id"],
            ).select_related("assessment").first()
        )
        if response is None:
            raise ValidationError({"response": [_("No response you may see has this id.")]})
        rights = access.access_to(request.user, response.assessment)
        if not rights.can_edit:
            raise PermissionDenied(_("Only the office's editors add evidence to a draft."))
        stale = self._check_version(request, response)
        if stale:
            return stale
        fields = EvidenceForm.Meta.fields
        data = {k: request.data.get(k) for k in fields if k != "file" and k in request.data}
        data.setdefault("strength", Evidence.Strength.SELF_REPORTED)
        files = {"file": request.FILES["file"]} if "file" in request.FILES else {}
        form = EvidenceForm(data, files, can_verify=rights.can_verify)
        if not form.is_valid():
            raise ValidationError(form.errors)
        try:
            evidence = workflow.add_evidence(response=response, form=form, by=request.user)
        except workflow.WorkflowError as error:
            raise PermissionDenied("; ".join(str(p) for p in error.problems)) from error
        evidence = self.get_queryset().get(pk=evidence.pk)
        return Response(EvidenceSerializer(evidence).data, status=status.HTTP_201_CREATED,
                        headers={"ETag": etag(response.version)})

    def destroy(self, request, *args, **kwargs):
        evidence = self.get_object()
        response = CriterionResponse.objects.select_related("assessment").get(
            pk=evidence.response_id
        )
        if not access.access_to(request.user, response.assessment).can_edit:
            raise PermissionDenied(_("Only the office's editors delete a draft's evidence."))
        stale = self._check_version(request, response)
        if stale:
            return stale
        try:
            workflow.delete_evidence(evidence=evidence, by=request.user)
        except workflow.WorkflowError as error:
            raise PermissionDenied("; ".join(str(p) for p in error.problems)) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- good practices ---------------------------------------------------------------------------


class GoodPracticeViewSet(ScopedViewSet):
    """The good-practice library: practices by criterion, city and office, with sources."""

    queryset = library_practices()
    serializer_class = GoodPracticeSerializer
    # The library page and its downloads read the same filters (criteria/filters.py).
    filterset_class = PracticeFilter
    ordering_fields = ["title", "city__name", "criterion__number"]


# --- the comparison's tidy rows ---------------------------------------------------------------

_INT = {"assessment_id", "budget_year", "criterion_number", "level"}
_BOOL = {"is_synthetic", "is_us", "prevention_primary", "prevention_secondary",
         "prevention_tertiary", "not_applicable"}
_NUM = {"budget_amount", "staff_fte", "budget_usd", "municipal_budget_amount",
        "police_budget_amount", "staff_cost_amount", "data_evaluation_amount"}


def _column_field(column):
    if column.name in _INT:
        return serializers.IntegerField(allow_null=True, help_text=column.description)
    if column.name in _BOOL:
        return serializers.BooleanField(allow_null=True, help_text=column.description)
    if column.name in _NUM:
        return serializers.FloatField(allow_null=True, help_text=column.description)
    return serializers.CharField(allow_null=True, help_text=column.description)


ComparisonRowSerializer = type(
    "ComparisonRowSerializer", (serializers.Serializer,),
    {c.name: _column_field(c) for c in tabular.TIDY_COLUMNS},
)
PaginatedComparisonRows = inline_serializer("PaginatedComparisonRows", {
    "count": serializers.IntegerField(),
    "next": serializers.URLField(allow_null=True),
    "previous": serializers.URLField(allow_null=True),
    "results": ComparisonRowSerializer(many=True),
})


class ComparisonRows(generics.GenericAPIView):
    """The comparison's tidy rows (one per office × round × criterion, with profile facts),
    with the same filters as the comparison page and its exports."""

    serializer_class = ComparisonRowSerializer
    filter_backends = []
    extra_query_params = {"page", "page_size"}

    # `trend` chooses how the trend is drawn; it does not change which rows these are.
    @extend_schema(parameters=comparison_parameters(leave_out=("radar", "trend")),
                   responses={200: PaginatedComparisonRows})
    def get(self, request):
        form = ComparisonFilters.from_query(request.query_params,
                                            extra=self.extra_query_params)
        if not form.is_valid():
            raise ValidationError(form.error_dict())
        assessments = filtered_assessments(request.user, form.cleaned_data)
        page = self.paginate_queryset(tabular.tidy_queryset(assessments))
        networks = tabular.networks_by_city()
        names = [c.name for c in tabular.TIDY_COLUMNS]
        rows = [
            {n: tabular._json_value(v) for n, v in zip(names, row, strict=True)}
            for row in tabular.tidy_convert(page, networks, rates=RateBook.load())
        ]
        return self.get_paginated_response(rows)

