"""The API of the improvement plan's actions and targets: read for whoever may see the
assessment, write for the office's editors (whatever the assessment's status), with the same
forms, merges and checks as the pages (criteria/plan_forms.py, criteria/plans.py). A target
is one per criterion: POST sets one where there is none (400 naming `criterion_number`
otherwise), PATCH changes it.

PATCH needs the version read (the ETag) in If-Match: 428 without it, 412 when stale.
DELETE takes If-Match too (412 when stale). POST may send an Idempotency-Key (a UUID): a
resent request returns the action the first one made instead of making a second.
"""

import re
import uuid

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
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cities.api import ScopedViewSet, SyntheticFilterSet
from ovp_assess.api_support import MAX_ID

from . import access, plans, workflow
from .api import IF_MATCH, PRECONDITION, PreconditionRequired, etag, if_match_version
from .models import Assessment, Level
from .plan_forms import ActionForm
from .plan_models import (
    ACTION_OWNER_MAX_CHARS,
    ACTION_TEXT_MAX_CHARS,
    ACTION_TITLE_MAX_CHARS,
    Action,
    CriterionTarget,
)

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.UUID, OpenApiParameter.HEADER,
    description=_("A UUID of your choice: sending the same request again returns the action "
                  "the first one made."),
)


class ActionSerializer(serializers.ModelSerializer):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.none())
    criterion_number = serializers.IntegerField(source="criterion.number", min_value=1,
                                                max_value=99)
    # An id the form checks against the office's members (so ids of others reveal nothing).
    owner_member = serializers.IntegerField(source="owner_member_id", allow_null=True,
                                            required=False, min_value=1, max_value=MAX_ID)
    late = serializers.SerializerMethodField()
    # Checked (and put in capitals) by the form, as on the page.
    cost_currency = serializers.CharField(max_length=3, allow_blank=True, required=False)
    cost_amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0,
                                           allow_null=True, required=False)

    class Meta:
        model = Action
        fields = ["id", "assessment", "criterion_number", "title", "opportunity", "owner",
                  "owner_member", "partners", "start_date", "due_date", "status", "late",
                  "cost_amount", "cost_currency", "done_when", "carried_from", "version",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "late", "carried_from", "version", "created_at",
                            "updated_at"]
        extra_kwargs = {
            "title": {"max_length": ACTION_TITLE_MAX_CHARS},
            "owner": {"max_length": ACTION_OWNER_MAX_CHARS},
            "opportunity": {"max_length": ACTION_TEXT_MAX_CHARS},
            "partners": {"max_length": ACTION_TEXT_MAX_CHARS},
            "done_when": {"max_length": ACTION_TEXT_MAX_CHARS},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # Only assessments the caller may see are found; the rest read as "no such id".
            self.fields["assessment"].queryset = Assessment.objects.visible_to(request.user)

    def get_late(self, action) -> bool:
        return action.is_late()


class ActionFilter(SyntheticFilterSet):
    synthetic_field = "assessment__is_synthetic"
    assessment = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    criterion = django_filters.NumberFilter(field_name="criterion__number", min_value=1,
                                            max_value=99)
    status = django_filters.ChoiceFilter(choices=Action.Status.choices)

    class Meta:
        model = Action
        fields = ["assessment", "criterion", "status", "synthetic"]


def _form_data(action, changes):
    """The action's stored values as the page's form posts them, with `changes` applied."""
    values = {
        "title": action.title, "criterion": action.criterion_id,
        "opportunity": action.opportunity, "owner": action.owner,
        "owner_member": action.owner_member_id, "partners": action.partners,
        "start_date": action.start_date, "due_date": action.due_date, "status": action.status,
        "cost_amount": action.cost_amount, "cost_currency": action.cost_currency,
        "done_when": action.done_when,
    }
    values.update(changes)
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        elif hasattr(value, "pk"):
            data[name] = str(value.pk)
        else:
            data[name] = f"{value:f}" if hasattr(value, "as_tuple") else str(value)
    return data


def _changes(validated, assessment):
    changes = dict(validated)
    changes.pop("assessment", None)
    if "owner_member_id" in changes:
        changes["owner_member"] = changes.pop("owner_member_id")
    criterion = changes.pop("criterion", None)
    if criterion is not None:
        found = assessment.framework.criteria.filter(number=criterion["number"]).first()
        if found is None:
            raise ValidationError({"criterion_number": [_("The framework has no criterion "
                                                          "with this number.")]})
        changes["criterion"] = found.pk
    return changes


def _form_errors(form):
    errors = dict(form.errors)
    if "criterion" in errors:
        errors["criterion_number"] = errors.pop("criterion")
    return ValidationError(errors)


@extend_schema_view(
    create=extend_schema(parameters=[IDEMPOTENCY_KEY], responses={
        201: ActionSerializer, 200: OpenApiResponse(
            ActionSerializer, description=_("This Idempotency-Key was used before: the "
                                            "action that request made."))}),
    retrieve=extend_schema(responses={200: ActionSerializer}),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={
        200: ActionSerializer, **PRECONDITION}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **PRECONDITION}),
)
class ActionViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    mixins.DestroyModelMixin, ScopedViewSet):
    """Actions of improvement plans you may see (they follow their assessment). The office's
    editors add, change (PATCH with If-Match) and delete them, also after publication."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering_fields = ["due_date", "updated_at", "criterion__number"]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return Action.objects.visible_to(self.request.user).select_related(
            "criterion", "assessment").order_by("assessment_id", "criterion__number", "pk")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def _require_plan(self, assessment):
        if not access.access_to(self.request.user, assessment).can_plan:
            raise PermissionDenied(_("Only the office's editors change its improvement plan."))

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        assessment = incoming.validated_data["assessment"]
        self._require_plan(assessment)
        key = request.headers.get("Idempotency-Key", "").strip()
        try:
            key = uuid.UUID(key) if key else None
        except ValueError:
            raise ValidationError({"Idempotency-Key": [_("Send a UUID.")]}) from None
        data = _form_data(Action(status=Action.Status.PLANNED),
                          _changes(incoming.validated_data, assessment))
        form = ActionForm(data, assessment=assessment)
        if not form.is_valid():
            raise _form_errors(form)
        try:
            action = plans.create_action(assessment=assessment, content=form.content(),
                                         by=request.user, submission_key=key)
        except workflow.AlreadySubmitted as done:
            match = re.search(r"#action-(\d+)$", done.target_url or "")
            earlier = self.get_queryset().filter(pk=int(match.group(1))).first() \
                if match else None
            if earlier is None:
                raise ValidationError({"Idempotency-Key": [_("This key was already used.")]}) \
                    from None
            return Response(ActionSerializer(earlier, context=self.get_serializer_context())
                            .data, headers={"ETag": etag(earlier.version)})
        action = self.get_queryset().get(pk=action.pk)
        return Response(ActionSerializer(action, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED, headers={"ETag": etag(action.version)})

    def partial_update(self, request, *args, **kwargs):
        action = self.get_object()
        self._require_plan(action.assessment)
        try:
            base = if_match_version(request, required=True)
        except PreconditionRequired:
            return Response({"detail": _("Send the version you based this change on in "
                                         "If-Match (the ETag of the action).")},
                            status=status.HTTP_428_PRECONDITION_REQUIRED)
        if base != action.version:
            return self._stale(action)
        incoming = self.get_serializer(action, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        if "assessment" in incoming.validated_data and \
                incoming.validated_data["assessment"].pk != action.assessment_id:
            raise ValidationError({"assessment": [_("An action stays in the plan it was made "
                                                    "in.")]})
        fresh = Action.objects.get(pk=action.pk)
        form = ActionForm(_form_data(fresh, _changes(incoming.validated_data,
                                                     action.assessment)),
                          instance=fresh, assessment=action.assessment)
        if not form.is_valid():
            raise _form_errors(form)
        try:
            saved = plans.save_action(action=action, content=form.content(), base_version=base,
                                      by=request.user, merge=False)
        except workflow.StaleVersion as stale:
            return self._stale(stale.current)
        saved = self.get_queryset().get(pk=saved.pk)
        return Response(ActionSerializer(saved, context=self.get_serializer_context()).data,
                        headers={"ETag": etag(saved.version)})

    def destroy(self, request, *args, **kwargs):
        action = self.get_object()
        self._require_plan(action.assessment)
        base = if_match_version(request, required=False)
        try:
            plans.delete_action(action=action, base_version=base, by=request.user)
        except workflow.StaleVersion as stale:
            return self._stale(stale.current)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _stale(self, current):
        return Response(
            {"detail": _("Someone saved this action since your copy (version %(v)s is "
                         "current). Nothing was changed; read it again and reapply your "
                         "change.") % {"v": current.version},
             "current": ActionSerializer(current, context=self.get_serializer_context()).data},
            status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current.version)},
        )


# --- targets -------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    assessment = serializers.PrimaryKeyRelatedField(queryset=Assessment.objects.none())
    criterion_number = serializers.IntegerField(source="criterion.number", min_value=1,
                                                max_value=99)
    level = serializers.ChoiceField(choices=Level.choices)

    class Meta:
        model = CriterionTarget
        fields = ["id", "assessment", "criterion_number", "level", "target_date", "version",
                  "updated_at"]
        read_only_fields = ["id", "version", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["assessment"].queryset = Assessment.objects.visible_to(request.user)


class TargetFilter(SyntheticFilterSet):
    synthetic_field = "assessment__is_synthetic"
    assessment = django_filters.NumberFilter(min_value=1, max_value=MAX_ID)
    criterion = django_filters.NumberFilter(field_name="criterion__number", min_value=1,
                                            max_value=99)

    class Meta:
        model = CriterionTarget
        fields = ["assessment", "criterion", "synthetic"]


@extend_schema_view(
    create=extend_schema(responses={201: TargetSerializer}),
    retrieve=extend_schema(responses={200: TargetSerializer}),
    partial_update=extend_schema(parameters=[IF_MATCH], responses={
        200: TargetSerializer, **PRECONDITION}),
    destroy=extend_schema(parameters=[IF_MATCH], responses={204: None, **PRECONDITION}),
)
class TargetViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin,
                    mixins.DestroyModelMixin, ScopedViewSet):
    """Targets of improvement plans you may see (one per criterion). The office's editors set
    (POST), change (PATCH with If-Match) and remove them, also after publication."""

    serializer_class = TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = ["criterion__number", "updated_at", "target_date"]
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return CriterionTarget.objects.visible_to(self.request.user).select_related(
            "criterion", "assessment").order_by("assessment_id", "criterion__number")

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def _require_plan(self, assessment):
        if not access.access_to(self.request.user, assessment).can_plan:
            raise PermissionDenied(_("Only the office's editors change its improvement plan."))

    def _criterion(self, assessment, number):
        found = assessment.framework.criteria.filter(number=number).first()
        if found is None:
            raise ValidationError({"criterion_number": [_("The framework has no criterion "
                                                          "with this number.")]})
        return found

    def _data(self, target):
        target = self.get_queryset().get(pk=target.pk)
        return TargetSerializer(target, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        assessment = data["assessment"]
        self._require_plan(assessment)
        criterion = self._criterion(assessment, data["criterion"]["number"])
        try:
            target = plans.create_target(assessment=assessment, criterion=criterion,
                                         level=data["level"],
                                         target_date=data.get("target_date"), by=request.user)
        except plans.TargetExists as exists:
            raise ValidationError({"criterion_number": [_(
                "This criterion already has a target (id %(id)s); change it with PATCH.")
                % {"id": exists.current.pk}]}) from None
        return Response(self._data(target), status=status.HTTP_201_CREATED,
                        headers={"ETag": etag(target.version)})

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        self._require_plan(target.assessment)
        try:
            base = if_match_version(request, required=True)
        except PreconditionRequired:
            return Response({"detail": _("Send the version you based this change on in "
                                         "If-Match (the ETag of the target).")},
                            status=status.HTTP_428_PRECONDITION_REQUIRED)
        if base != target.version:
            return self._stale(target)
        incoming = self.get_serializer(target, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        if "assessment" in data and data["assessment"].pk != target.assessment_id:
            raise ValidationError({"assessment": [_("A target stays in the plan it was set "
                                                    "in.")]})
        if "criterion" in data and data["criterion"]["number"] != target.criterion.number:
            raise ValidationError({"criterion_number": [_(
                "A target stays on its criterion; remove it and set one on the other.")]})
        try:
            saved = plans.change_target(
                target=target, level=data.get("level", target.level),
                target_date=data.get("target_date", target.target_date), base_version=base,
                by=request.user)
        except workflow.StaleVersion as stale:
            return self._stale(stale.current)
        return Response(self._data(saved), headers={"ETag": etag(saved.version)})

    def destroy(self, request, *args, **kwargs):
        target = self.get_object()
        self._require_plan(target.assessment)
        base = if_match_version(request, required=False)
        try:
            plans.delete_target(target=target, base_version=base, by=request.user)
        except workflow.StaleVersion as stale:
            return self._stale(stale.current)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _stale(self, current):
        return Response(
            {"detail": _("Someone saved this target since your copy (version %(v)s is "
                         "current). Nothing was changed; read it again and reapply your "
                         "change.") % {"v": current.version},
             "current": TargetSerializer(current, context=self.get_serializer_context()).data},
            status=status.HTTP_412_PRECONDITION_FAILED, headers={"ETag": etag(current.version)},
        )
