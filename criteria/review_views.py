"""The network secretariat's side: review queue, comments per criterion, changes, publishing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.access import is_secretariat

from . import consistency, workflow
from .access import REVIEW, REVIEW_WRITE, get_assessment_for_user
from .forms import CommentForm, RequestChangesForm
from .models import Assessment, CriterionResponse, Evidence, ReviewComment


def _reviewable(request, pk, need=REVIEW_WRITE):
    return get_assessment_for_user(request, pk, need=need)[0]


@login_required
def review_queue(request):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("The review queue is for the network secretariat."))
    request.ovp_private = True
    assessments = (
        Assessment.objects.reviewable_by(request.user)
        .exclude(status=Assessment.Status.PUBLISHED)
        .select_related("office", "city", "round")
        .order_by("submitted_at", "city__name")
    )
    groups = {status: [] for status in ("submitted", "changes_requested", "draft")}
    for a in assessments:
        groups[a.status].append(a)
    return render(
        request,
        "criteria/review_queue.html",
        {"submitted": groups["submitted"], "changes_requested": groups["changes_requested"],
         "drafts": groups["draft"], "title": _("Review queue")},
    )


def review(request, pk):
    assessment, access = get_assessment_for_user(
        request, pk, need=REVIEW,
        queryset=Assessment.objects.select_related("office", "city", "round", "framework",
                                                   "profile")
        .prefetch_related(
            "profile__funding_sources",
            Prefetch(
                "responses",
                queryset=CriterionResponse.objects.select_related("criterion").prefetch_related(
                    "evidence",
                    Prefetch("review_comments",
                             queryset=ReviewComment.objects.select_related("author")),
                ),
            )
        ),
    )
    responses = list(assessment.responses.all())
    found = consistency.contradictions(assessment, responses)
    for r in responses:
        r.contradictions = [c for c in found if c.criterion_number == r.criterion.number]
    general = ReviewComment.objects.filter(
        assessment=assessment, response__isnull=True
    ).select_related("author")
    return render(
        request,
        "criteria/review.html",
        {
            "assessment": assessment,
            "responses": responses,
            "contradictions": found,
            "access": access,
            "general_comments": general,
            "comment_form": CommentForm(assessment=assessment),
            "changes_form": RequestChangesForm(),
            "title": _("Review: %(subject)s") % {"subject": assessment},
        },
    )


@require_POST
def comment_add(request, pk):
    assessment = _reviewable(request, pk)
    form = CommentForm(request.POST, assessment=assessment)
    if form.is_valid():
        comment = workflow.add_comment(
            assessment=assessment, response=form.cleaned_data["response"],
            body=form.cleaned_data["body"], by=request.user,
        )
        messages.success(request, _("Comment added."))
        anchor = f"#criterion-{comment.response.criterion.number}" if comment.response else ""
        return redirect(reverse("criteria:assessment-review", args=[pk]) + anchor)
    problems = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
                         if f in form.fields)
    messages.error(request, _("The comment was not added. %(problems)s") % {"problems": problems})
    return redirect("criteria:assessment-review", pk=pk)


@require_POST
def request_changes(request, pk):
    assessment = _reviewable(request, pk)
    form = RequestChangesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the office should change."))
        return redirect("criteria:assessment-review", pk=pk)
    try:
        workflow.request_changes(assessment=assessment, note=form.cleaned_data["note"],
                                 by=request.user)
    except workflow.WorkflowError as exc:
        messages.error(request, " ".join(str(p) for p in exc.problems))
        return redirect("criteria:assessment-review", pk=pk)
    messages.success(request, _("Sent back to the office's editors for changes."))
    return redirect("criteria:review-queue")


def publish(request, pk):
    """Publishing asks first: a GET shows what publishing means and a form; only a POST
    carrying that form's `confirm` publishes (a GET, or a POST from elsewhere, never does)."""
    assessment = _reviewable(request, pk)
    if assessment.status != Assessment.Status.SUBMITTED:
        messages.error(request, _("Only a submitted assessment can be published."))
        return redirect("criteria:assessment-review", pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "publish":
        try:
            workflow.publish_assessment(
                assessment=assessment, by=request.user,
                make_public=request.POST.get("make_public") == "on",
            )
        except workflow.WorkflowError as exc:
            messages.error(request, " ".join(str(p) for p in exc.problems))
            return redirect("criteria:assessment-review", pk=pk)
        messages.success(request, _("Published. The assessment is now frozen."))
        return redirect(assessment.get_absolute_url())
    responses = list(assessment.responses.select_related("criterion"))
    return render(request, "criteria/publish_confirm.html", {
        "assessment": assessment,
        "incomplete": [r for r in responses if not r.is_complete],
        "unverified": Evidence.objects.filter(response__assessment=assessment).exclude(
            strength=Evidence.Strength.VERIFIED).count(),
        "open_comments": ReviewComment.objects.filter(assessment=assessment,
                                                      resolved=False).count(),
        "make_public": request.POST.get("make_public") == "on",
        "title": _("Publish %(subject)s?") % {"subject": assessment},
    })
