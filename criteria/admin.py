from decimal import Decimal

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms import FundingShareFormSet
from .models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    Framework,
    FundingSource,
    GoodPractice,
    GuidingQuestion,
    OfficeProfile,
    ReviewComment,
    RubricLevel,
    Tradeoff,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["number", "name", "slug"]
    show_change_link = True


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "publisher", "is_default"]
    search_fields = ["name", "slug"]
    inlines = [CriterionInline]


class RubricLevelInline(admin.TabularInline):
    model = RubricLevel
    extra = 0
    max_num = 5


class GuidingQuestionInline(admin.TabularInline):
    model = GuidingQuestion
    extra = 0


class TradeoffInline(admin.StackedInline):
    model = Tradeoff
    extra = 0


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "framework"]
    list_filter = ["framework"]
    search_fields = ["name", "definition"]
    inlines = [RubricLevelInline, GuidingQuestionInline, TradeoffInline]


@admin.register(Tradeoff)
class TradeoffAdmin(admin.ModelAdmin):
    list_display = ["title", "criterion", "source_section"]
    list_filter = ["criterion"]
    search_fields = ["title", "summary"]


@admin.register(GuidingQuestion)
class GuidingQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "criterion", "order"]
    list_filter = ["criterion"]
    search_fields = ["text"]


@admin.register(RubricLevel)
class RubricLevelAdmin(admin.ModelAdmin):
    list_display = ["criterion", "level", "descriptor"]
    list_filter = ["criterion", "level"]
    search_fields = ["descriptor"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "criterion", "city", "office"]
    list_filter = ["criterion", "city__region", "city"]
    search_fields = ["title", "summary", "city__name", "office__name"]
    list_select_related = ["criterion", "city", "office"]
    autocomplete_fields = ["city", "office"]


class FundingSourceInline(admin.TabularInline):
    model = FundingSource
    formset = FundingShareFormSet
    extra = 0


@admin.register(OfficeProfile)
class OfficeProfileAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "institutional_location", "staffing_model"]
    list_filter = ["institutional_location", "staffing_model", "police_control", "leadership",
                   "formal_strategy", "overlapping_mandates", "impact_evaluation"]
    search_fields = ["assessment__office__name", "assessment__city__name"]
    list_select_related = ["assessment__office", "assessment__city"]
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
class FundingSourceAdmin(SimpleHistoryAdmin):
    form = FundingSourceForm
    list_display = ["name", "kind", "share_percent", "profile"]
    list_filter = ["kind", "project_based", "legally_protected"]
    search_fields = ["name"]
    raw_id_fields = ["profile"]


class CriterionResponseInline(admin.StackedInline):
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


class OfficeProfileInline(admin.StackedInline):
    model = OfficeProfile
    extra = 0
    show_change_link = True


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    extra = 0
    fields = ["response", "author", "body", "resolved"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "city", "scope", "round", "status", "is_public", "published_at"]
    list_filter = ["status", "scope", "round", "is_public", "framework", "city__region"]
    search_fields = ["office__name", "city__name", "subject_label", "round"]
    list_select_related = ["office", "city"]
    autocomplete_fields = ["city", "office"]
    raw_id_fields = ["carried_from"]
    date_hierarchy = "created_at"
    inlines = [OfficeProfileInline, CriterionResponseInline, ReviewCommentInline]


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0


@admin.register(CriterionResponse)
class CriterionResponseAdmin(SimpleHistoryAdmin):
    list_display = ["assessment", "criterion", "level", "confidence", "carried_over", "version"]
    list_filter = ["criterion", "level", "confidence", "assessment__status"]
    search_fields = ["current_strengths", "opportunities", "assessment__office__name",
                     "assessment__city__name"]
    list_select_related = ["assessment__office", "assessment__city", "criterion"]
    readonly_fields = ["version", "updated_at", "updated_by"]
    inlines = [EvidenceInline]


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "strength", "date", "response"]
    list_filter = ["kind", "strength"]
    search_fields = ["title", "source", "note"]
    raw_id_fields = ["response"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(admin.ModelAdmin):
    list_display = ["assessment", "response", "author", "created_at", "resolved"]
    list_filter = ["resolved"]
    search_fields = ["body"]
    raw_id_fields = ["assessment", "response"]
