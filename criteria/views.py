from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from criteria.access import get_assessment_for_user
from criteria.models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Framework,
    GoodPractice,
    ReviewComment,
)
from criteria.peers import is_weak


def _default_framework():
    framework = Framework.objects.default()
    if framework is None:
        raise Http404("No framework has been loaded yet.")
    return framework


def criterion_list(request):
    framework = _default_framework()
    criteria = framework.criteria.all()
    return render(
        request,
        "criteria/criterion_list.html",
        {"framework": framework, "criteria": criteria, "title": framework.name},
    )


def criterion_detail(request, slug):
    framework = _default_framework()
    criterion = get_object_or_404(
        Criterion.objects.prefetch_related(
            "rubric_levels",
            "guiding_questions",
            "tradeoffs",
            Prefetch(
                "good_practices",
                queryset=GoodPractice.objects.select_related("city", "office").order_by(
                    "city__name", "title"
                ),
            ),
        ),
        framework=framework,
        slug=slug,
    )
    strong = (
        CriterionResponse.objects.filter(
            criterion=criterion,
            level__gte=3,
            assessment__in=Assessment.objects.visible_to(request.user).published(),
        )
        .select_related("assessment__office", "assessment__city", "assessment__round")
        .order_by("-level", "assessment__city__name")
    )
    siblings = framework.criteria.all()
    return render(
        request,
        "criteria/criterion_detail.html",
        {
            "criterion": criterion,
            "strong_responses": strong,
            "siblings": siblings,
            "title": criterion.name,
        },
    )


def assessment_detail(request, pk):
    assessment, access = get_assessment_for_user(
        request, pk,
        queryset=Assessment.objects.select_related("office", "city", "round", "framework",
                                                   "profile")
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=CriterionResponse.objects.select_related("criterion").prefetch_related(
                    "evidence"
                ),
            ),
            "profile__funding_sources",
        ),
    )
    can_edit, can_review = access.can_edit, access.can_review
    comments = []
    if access.can_see_comments:
        comments = ReviewComment.objects.filter(assessment=assessment).select_related(
            "author", "response__criterion"
        )
    responses = assessment.responses.all()
    first_todo = next((r for r in responses if r.missing()), None)
    return render(
        request,
        "criteria/assessment_detail.html",
        {
            "assessment": assessment,
            "can_edit": can_edit,
            "can_review": can_review,
            "progress": [(r, r.missing()) for r in responses] if can_edit else [],
            "first_todo": first_todo,
            "comments": comments,
            # The office's own people are offered peers where it is weak (no query: the
            # levels are already here).
            "weak": [r for r in responses if is_weak(r.level)] if access.is_member
            and assessment.office_id else [],
            "title": str(assessment),
        },
    )
