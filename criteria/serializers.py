"""API representations of the framework, assessments, responses, evidence and practices.

Serializers only shape data; the rules of writing live in criteria/forms.py and
criteria/workflow.py, which the API calls exactly as the pages do.
"""

from django.urls import reverse
from rest_framework import serializers

from .models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Evidence,
    Framework,
    GoodPractice,
    Level,
    OfficeProfile,
    RubricLevel,
)


class RubricLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RubricLevel
        fields = ["level", "descriptor"]


class CriterionSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    rubric = RubricLevelSerializer(source="rubric_levels", many=True, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "framework", "number", "slug", "name", "chart_label", "definition",
                  "why_it_matters", "key_takeaways", "source_section", "rubric"]


class CriterionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "number", "slug", "name"]


class FrameworkSerializer(serializers.ModelSerializer):
    criteria = CriterionBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Framework
        fields = ["id", "slug", "version", "name", "publisher", "description", "source",
                  "is_default", "criteria"]


class ProfileSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficeProfile
        fields = ["institutional_location", "police_control", "budget_amount",
                  "budget_currency", "budget_year", "municipal_budget_amount",
                  "police_budget_amount", "staff_cost_amount", "data_evaluation_amount",
                  "staff_fte", "staffing_model",
                  "staff_expertise", "prevention_primary", "prevention_secondary",
                  "prevention_tertiary", "focus_population", "mandate_goals", "has_baseline",
                  "last_diagnosis_year", "diagnosis_cycle_years", "buy_in_single_champion",
                  "leadership", "formal_strategy", "overlapping_mandates",
                  "short_term_contracts", "short_term_contract_share", "impact_evaluation",
                  "last_reach_audit_year", "next_transition_year", "next_transition_month",
                  "notes"]


class AssessmentSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    framework_version = serializers.CharField(source="framework.version", read_only=True)
    city_slug = serializers.SlugRelatedField(source="city", slug_field="slug", read_only=True)
    office_slug = serializers.SlugRelatedField(source="office", slug_field="slug",
                                               read_only=True)
    subject = serializers.CharField(read_only=True)
    round = serializers.SlugRelatedField(
        slug_field="code", read_only=True,
        help_text="The round's code (lowercase letters, digits, hyphens), e.g. 2026-27.")
    round_name = serializers.CharField(source="round.name", read_only=True,
                                       help_text="The round's name as its network wrote it.")
    profile = ProfileSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Assessment
        fields = ["id", "framework", "framework_version", "scope", "city", "city_slug",
                  "office", "office_slug", "subject", "round", "round_name", "status", "is_public",
                  "is_synthetic", "summary", "source", "level_note", "submitted_at",
                  "published_at", "published_precision", "updated_at", "profile"]


class ResponseSerializer(serializers.ModelSerializer):
    criterion_number = serializers.IntegerField(source="criterion.number", read_only=True)
    level = serializers.ChoiceField(choices=Level.choices, allow_null=True, required=False)

    class Meta:
        model = CriterionResponse
        fields = ["id", "assessment", "criterion", "criterion_number", "level",
                  "level_rationale", "not_applicable", "not_applicable_reason",
                  "current_strengths", "opportunities", "confidence", "carried_over",
                  "version", "updated_at"]
        read_only_fields = ["id", "assessment", "criterion", "criterion_number",
                            "level_rationale", "carried_over", "version", "updated_at"]
        extra_kwargs = {
            "current_strengths": {"max_length": 20000},
            "opportunities": {"max_length": 20000},
            "not_applicable_reason": {"max_length": 20000},
        }


class EvidenceSerializer(serializers.ModelSerializer):
    assessment = serializers.IntegerField(source="response.assessment_id", read_only=True)
    criterion_number = serializers.IntegerField(source="response.criterion.number",
                                                read_only=True)
    has_file = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    file = serializers.FileField(write_only=True, required=False)
    response = serializers.IntegerField(source="response_id", min_value=1,
                                        max_value=2**63 - 1)

    class Meta:
        model = Evidence
        fields = ["id", "response", "assessment", "criterion_number", "kind", "title", "url",
                  "file", "has_file", "original_name", "content_type", "size", "download_url",
                  "date", "date_precision", "source", "note", "strength", "created_at"]
        read_only_fields = ["id", "original_name", "content_type", "size", "created_at"]

    def get_has_file(self, obj) -> bool:
        return bool(obj.file)

    def get_download_url(self, obj) -> str:
        """The permission-checked download, or "" when the evidence has no file."""
        return reverse("criteria:evidence-download", args=[obj.pk]) if obj.file else ""


class GoodPracticeSerializer(serializers.ModelSerializer):
    criterion_number = serializers.IntegerField(source="criterion.number", read_only=True)
    city_slug = serializers.SlugRelatedField(source="city", slug_field="slug", read_only=True)
    office_slug = serializers.SlugRelatedField(source="office", slug_field="slug",
                                               read_only=True)
    region = serializers.CharField(source="city.region", read_only=True)

    class Meta:
        model = GoodPractice
        fields = ["id", "criterion", "criterion_number", "city", "city_slug", "region",
                  "office", "office_slug", "title", "summary", "source_section", "source_url",
                  "assessment"]
