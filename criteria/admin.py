"""The admin of the framework and of assessment data, scoped as the product is.

A secretariat sees the assessments of its networks' cities (and their responses, profiles,
evidence and comments) and nothing else. A published assessment, with everything in it, is
read-only here for everyone. Every write to an assessment's data moves its responses'
versions on (so API ETags and editors' open pages see the change) and is kept in history.
Evidence files go through the product's upload checks. See docs/access.md.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cities.admin import ScopedAdminMixin, SuperuserWritesMixin
from cities.models import City

from . import workflow
from .forms import EvidenceForm, FundingShareFormSet
from .models import (
    Assessment,
    Criterion,
    CriterionResponse,
    CriterionTarget,
    Evidence,
    ExchangeEvent,
    ExchangeRequest,
    Framework,
    FundingSource,
    GoodPractice,
    GuidingQuestion,
    OfficeProfile,
    ReviewComment,
    Round,
    RubricLevel,
    Tradeoff,
)


def assessment_of(obj):
    """The assessment a row of assessment data belongs to."""
    if isinstance(obj, Assessment):
        return obj
    if isinstance(obj, Evidence):
        return obj.response.assessment
    if isinstance(obj, FundingSource):
        return obj.profile.assessment
    return obj.assessment  # response, profile, review comment


#: Where a row that data hangs on keeps its assessment's status: none of these may be chosen
#: as the parent of new or changed data once published.
_FROZEN_PARENT = {
    Assessment: "status",
    CriterionResponse: "assessment__status",
    OfficeProfile: "assessment__status",
}


class FrozenDataMixin:
    """Read-only once the assessment is published; writes bump versions (see the module)."""

    def _frozen(self, obj):
        return obj is not None and obj.pk is not None and assessment_of(obj).is_frozen

    def has_add_permission(self, request, obj=None):
        if self._frozen(obj):  # an inline under a published parent
            return False
        if isinstance(self, admin.options.InlineModelAdmin):
            return super().has_add_permission(request, obj)
        return super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        path = _FROZEN_PARENT.get(db_field.related_model)
        if field is not None and path:
            field.queryset = field.queryset.exclude(**{path: Assessment.Status.PUBLISHED})
        return field


class AssessmentDataMixin(FrozenDataMixin, ScopedAdminMixin):
    """Admin of one kind of assessment data, scoped to the assessments the user reviews."""

    def scope(self, user, queryset):
        return queryset.reviewable_by(user)

    # Each write first locks the assessment and refuses it if published; once everything of
    # the request is saved (the object and its inlines), the versions move on, once.

    def _changing(self, request, obj):
        assessment_id = assessment_of(obj).pk
        workflow.lock_unfrozen(assessment_id)
        if not hasattr(request, "ovp_admin_changed"):
            request.ovp_admin_changed = set()
        request.ovp_admin_changed.add(assessment_id)

    def _record(self, request):
        for assessment_id in sorted(getattr(request, "ovp_admin_changed", ())):
            workflow.record_admin_change(assessment_id=assessment_id, by=request.user)
        request.ovp_admin_changed = set()

    def save_model(self, request, obj, form, change):
        if obj.pk is not None or not isinstance(obj, Assessment):
            self._changing(request, obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        self._changing(request, form.instance)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._record(request)

    def delete_model(self, request, obj):
        self._changing(request, obj)
        super().delete_model(request, obj)
        self._record(request)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._changing(request, obj)
        super().delete_queryset(request, queryset)
        self._record(request)

    def _in_scope(self, request, object_id):
        """History pages read past versions straight from the history table: only for rows
        the user may see now, and reverting is a change like any other."""
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope(request, object_id)
        if request.method == "POST" and not self.has_change_permission(
            request, self.get_queryset(request).get(pk=unquote(object_id))
        ):
            raise PermissionDenied
        with transaction.atomic():
            result = super().history_form_view(request, object_id, version_id, extra_context)
            self._record(request)  # a revert is saved without save_related
        return result


class AssessmentDataAdmin(AssessmentDataMixin, SimpleHistoryAdmin):
    """For assessment data with history (django-simple-history)."""


class EvidenceAdminForm(EvidenceForm):
    """The product's evidence form (its upload checks and rules), for a reviewer."""

    class Meta(EvidenceForm.Meta):
        fields = ["response", *EvidenceForm.Meta.fields, "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, can_verify=True, **kwargs)

    def save(self, commit=True):
        evidence = super().save(commit=False)
        if self.file_kind is not None:  # what the checks found, never what the client said
            upload = self.cleaned_data["file"]
            evidence.original_name = upload.name[:255]
            evidence.content_type = self.file_kind.content_type
            evidence.size = upload.size
        if commit:
            evidence.save()
        return evidence


class EvidenceInlineForm(EvidenceAdminForm):
    class Meta(EvidenceAdminForm.Meta):
        fields = [f for f in EvidenceAdminForm.Meta.fields if f != "response"]


class CriterionInline(SuperuserWritesMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["number", "name", "slug"]
    show_change_link = True


@admin.register(Round)
class RoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rounds of the secretariat's networks (the product's /rounds/ pages do the same)."""

    list_display = ["name", "code", "network", "opens_on", "closes_on", "closed_at"]
    list_filter = ["network"]
    search_fields = ["name", "code"]
    # A round is closed on its /rounds/ page, which records who closed it and when.
    readonly_fields = ["closed_at"]

    def scope(self, user, queryset):
        return queryset.managed_by(user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "invited_offices":
            from cities.models import Office

            kwargs["queryset"] = Office.objects.managed_by(request.user)
            # Checkboxes: a network's offices fit on one screen, and Django's two-box
            # selector names its search icons with attributes not allowed there (axe).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# The framework (criteria, rubric levels, guiding questions, tradeoffs) is the report's, shared
# by every network and read by every published assessment: a secretariat reads it here; only a
# superuser changes it (a release matter: `seed_framework` and the translations go with it).
@admin.register(Framework)
class FrameworkAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["name", "version", "publisher", "is_default"]
    search_fields = ["name", "slug"]
    inlines = [CriterionInline]


class RubricLevelInline(SuperuserWritesMixin, admin.TabularInline):
    model = RubricLevel
    extra = 0
    max_num = 5


class GuidingQuestionInline(SuperuserWritesMixin, admin.TabularInline):
    model = GuidingQuestion
    extra = 0


class TradeoffInline(SuperuserWritesMixin, admin.StackedInline):
    model = Tradeoff
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["number", "name", "framework"]
    list_filter = ["framework"]
    search_fields = ["name", "definition"]
    inlines = [RubricLevelInline, GuidingQuestionInline, TradeoffInline]


@admin.register(Tradeoff)
class TradeoffAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["title", "criterion", "source_section"]
    list_filter = ["criterion"]
    search_fields = ["title", "summary"]


@admin.register(GuidingQuestion)
class GuidingQuestionAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["text", "criterion", "order"]
    list_filter = ["criterion"]
    search_fields = ["text"]


@admin.register(RubricLevel)
class RubricLevelAdmin(SuperuserWritesMixin, admin.ModelAdmin):
    list_display = ["criterion", "level", "descriptor"]
    list_filter = ["criterion", "level"]
    search_fields = ["descriptor"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "criterion", "city", "office"]
    list_filter = ["criterion", "city__region", "city"]
    search_fields = ["title", "summary", "city__name", "office__name"]
    list_select_related = ["criterion", "city", "office"]
    autocomplete_fields = ["city", "office"]
    raw_id_fields = ["assessment"]

    def scope(self, user, queryset):
        # The library itself is public; here are the practices a secretariat looks after.
        return queryset.filter(city__in=City.objects.managed_by(user).values("pk"))


class FundingSourceInline(FrozenDataMixin, admin.TabularInline):
    model = FundingSource
    formset = FundingShareFormSet
    extra = 0


@admin.register(OfficeProfile)
class OfficeProfileAdmin(AssessmentDataAdmin):
    list_display = ["assessment", "institutional_location", "staffing_model"]
    list_filter = ["institutional_location", "staffing_model", "police_control", "leadership",
                   "formal_strategy", "overlapping_mandates", "impact_evaluation"]
    search_fields = ["assessment__office__name", "assessment__city__name"]
    list_select_related = ["assessment__office", "assessment__city", "assessment__round"]
    inlines = [FundingSourceInline]


class FundingSourceForm(forms.ModelForm):
    class Meta:
        model = FundingSource
        fields = ["profile", "name", "kind", "share_percent", "project_based",
                  "legally_protected"]

    def clean(self):
        cleaned = super().clean()
        profile, share = cleaned.get("profile"), cleaned.get("share_percent")
        if profile and share is not None:
            others = FundingSource.objects.filter(profile=profile).exclude(pk=self.instance.pk)
            total = sum((s.share_percent or 0 for s in others), Decimal(0)) + share
            if total > 100:
                self.add_error(
                    "share_percent",
                    _("With this share the profile's funding adds up to %(total)s %%; "
                      "together the shares may not exceed 100 %%.")
                    % {"total": format(total.normalize(), "f")},
                )
        return cleaned


@admin.register(FundingSource)
class FundingSourceAdmin(AssessmentDataAdmin):
    form = FundingSourceForm
    list_display = ["name", "kind", "share_percent", "profile"]
    list_filter = ["kind", "project_based", "legally_protected"]
    search_fields = ["name"]
    raw_id_fields = ["profile"]


class CriterionResponseInline(FrozenDataMixin, admin.StackedInline):
    model = CriterionResponse
    extra = 0
    max_num = 9
    show_change_link = True
    fields = [
        "criterion", ("level", "confidence", "not_applicable", "carried_over"),
        "level_rationale", "not_applicable_reason", "current_strengths", "opportunities",
        "evidence_list",
    ]
    readonly_fields = ["evidence_list"]

    @admin.display(description=_("evidence"))
    def evidence_list(self, obj):
        if not obj.pk:
            return "—"
        items = format_html_join(
            "", "<li><a href='{}'>{}</a> ({})</li>",
            (
                (reverse("admin:criteria_evidence_change", args=[e.pk]), e.title,
                 e.get_kind_display())
                for e in obj.evidence.all()
            ),
        )
        add = reverse("admin:criteria_evidence_add") + f"?response={obj.pk}"
        return format_html("<ul>{}</ul><a href='{}'>{}</a>", items, add, _("Add evidence"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion").prefetch_related(
            "evidence"
        )


class OfficeProfileInline(FrozenDataMixin, admin.StackedInline):
    model = OfficeProfile
    extra = 0
    show_change_link = True


class ReviewCommentInline(FrozenDataMixin, admin.TabularInline):
    model = ReviewComment
    extra = 0
    fields = ["response", "author", "body", "resolved"]


@admin.register(Assessment)
class AssessmentAdmin(AssessmentDataAdmin):
    list_display = ["__str__", "city", "scope", "round", "status", "is_public", "published_at"]
    list_filter = ["status", "scope", "round__network", "is_public", "framework", "city__region"]
    search_fields = ["office__name", "city__name", "subject_label", "round__name", "round__code"]
    list_select_related = ["office", "city"]
    autocomplete_fields = ["city", "office"]
    raw_id_fields = ["carried_from"]
    date_hierarchy = "created_at"
    inlines = [OfficeProfileInline, CriterionResponseInline, ReviewCommentInline]
    # Status moves only through the product's workflow (submit, request changes, publish),
    # which notifies the people concerned; the admin cannot publish or reopen.
    readonly_fields = ["status", "submitted_at", "published_at", "is_public"]

    def scope(self, user, queryset):
        return queryset.reviewable_by(user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # `carried_from` points at a published assessment on purpose: not a parent.
        return super(FrozenDataMixin, self).formfield_for_foreignkey(db_field, request, **kwargs)


class EvidenceInline(FrozenDataMixin, admin.StackedInline):
    model = Evidence
    form = EvidenceInlineForm
    extra = 0
    readonly_fields = ["original_name", "content_type", "size"]


@admin.register(CriterionResponse)
class CriterionResponseAdmin(AssessmentDataAdmin):
    list_display = ["assessment", "criterion", "level", "confidence", "carried_over", "version"]
    list_filter = ["criterion", "level", "confidence", "assessment__status"]
    search_fields = ["current_strengths", "opportunities", "assessment__office__name",
                     "assessment__city__name"]
    list_select_related = ["assessment__office", "assessment__city", "assessment__round",
                           "criterion"]
    readonly_fields = ["version", "updated_at", "updated_by"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(AssessmentDataAdmin):
    form = EvidenceAdminForm
    readonly_fields = ["original_name", "content_type", "size"]
    list_display = ["title", "kind", "strength", "date", "response"]
    list_filter = ["kind", "strength"]
    search_fields = ["title", "source", "note"]
    raw_id_fields = ["response"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(AssessmentDataMixin, admin.ModelAdmin):  # no history kept
    list_display = ["assessment", "response", "author", "created_at", "resolved"]
    list_filter = ["resolved"]
    search_fields = ["body"]
    raw_id_fields = ["assessment", "response"]


class ReadOnlyAdminMixin:
    """Shown, never written here: plans are written by the office's editors and exchanges
    move through the product (which tells the people concerned). A superuser may delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(CriterionTarget)
class CriterionTargetAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Targets of the plans of the assessments the secretariat reviews (read-only: a plan is
    the office's, docs/access.md)."""

    list_display = ["assessment", "criterion", "level", "target_date", "updated_at"]
    list_filter = ["criterion__number", "level"]
    list_select_related = ["assessment__office", "assessment__round", "criterion"]
    search_fields = ["assessment__office__name", "assessment__subject_label"]

    def scope(self, user, queryset):
        return queryset.filter(assessment__in=Assessment.objects.reviewable_by(user)
                               .values("pk"))


class ExchangeEventInline(admin.TabularInline):
    model = ExchangeEvent
    extra = 0
    fields = ["status", "note", "by", "at", "notified_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExchangeRequest)
class ExchangeRequestAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Peer-exchange requests touching an office of the secretariat's networks."""

    list_display = ["requester_office", "peer_office", "criterion", "status", "created_at",
                    "updated_at"]
    list_filter = ["status", "criterion__number"]
    list_select_related = ["requester_office", "peer_office", "criterion"]
    search_fields = ["requester_office__name", "peer_office__name", "message"]
    inlines = [ExchangeEventInline]

    def scope(self, user, queryset):
        return queryset.of_networks_managed_by(user)
