"""Self-assessment in the browser: start, edit criterion by criterion, evidence, profile, submit.

Every view fetches through `criteria.access` (others' objects are a 404; read-only members
get a 403 before any write).
"""

import difflib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.access import START, get_office_for_user
from cities.models import OfficeMembership

from . import workflow
from .access import EDIT, REVIEW_WRITE, get_assessment_for_user, get_evidence_for_user
from .forms import EvidenceForm, FundingFormSet, ProfileForm, ResponseForm, StartAssessmentForm
from .models import Assessment, CriterionResponse, Evidence, Framework, ReviewComment

# --- access: criteria.access decides ------------------------------------------------------


def response_for(assessment, number):
    return get_object_or_404(
        assessment.responses.select_related("criterion", "updated_by"), criterion__number=number
    )


# --- my assessments ------------------------------------------------------------------------


@login_required
def my_assessments(request):
    memberships = (
        OfficeMembership.objects.filter(user=request.user)
        .select_related("office__city")
        .order_by("office__name")
    )
    offices = [m.office for m in memberships]
    # Completeness is CriterionResponse.missing(), one rule for every page: count it in Python
    # over the prefetched responses rather than restating it in SQL.
    assessments = (
        Assessment.objects.filter(office__in=offices)
        .select_related("office")
        .prefetch_related("responses")
        .order_by("office__name", "-round")
    )
    for a in assessments:
        responses = a.responses.all()
        a.total = len(responses)
        a.complete = sum(1 for r in responses if r.is_complete)
    by_office = {o.pk: [] for o in offices}
    for a in assessments:
        by_office[a.office_id].append(a)
    rows = [(m, by_office[m.office_id]) for m in memberships]
    return render(
        request,
        "criteria/my_assessments.html",
        {"rows": rows, "title": _("My assessments")},
    )


@login_required
def start_assessment(request, slug):
    office, _access = get_office_for_user(request, slug, need=START)
    framework = Framework.objects.default()
    form = StartAssessmentForm(request.POST or None, office=office, framework=framework)
    if request.method == "POST" and form.is_valid():
        assessment = workflow.start_assessment(
            office=office, framework=framework, round=form.cleaned_data["round"],
            by=request.user, copy_from=form.cleaned_data["copy_from"],
        )
        messages.success(request, _("Assessment for round %(round)s started.")
                         % {"round": assessment.round})
        return redirect(assessment.get_absolute_url())
    return render(
        request,
        "criteria/assessment_start.html",
        {"office": office, "form": form, "title": _("Start an assessment")},
        status=422 if form.errors else 200,
    )


# --- editing one criterion -----------------------------------------------------------------


def _edit_context(request, assessment, access, response, form, evidence_form=None):
    criterion = response.criterion
    responses = list(assessment.responses.select_related("criterion"))
    index = [r.pk for r in responses].index(response.pk)
    return {
        "assessment": assessment,
        "response": response,
        "criterion": criterion,
        "form": form,
        "evidence_form": evidence_form
        or EvidenceForm(can_verify=access.can_verify),
        "evidence": response.evidence.all(),
        "comments": ReviewComment.objects.filter(
            Q(response=response) | Q(assessment=assessment, response__isnull=True)
        ).select_related("author", "response__criterion"),
        "questions": criterion.guiding_questions.all(),
        "progress": [(r, r.missing()) for r in responses],
        "previous": responses[index - 1] if index > 0 else None,
        "next": responses[index + 1] if index + 1 < len(responses) else None,
        "can_edit": access.can_edit,
        "draft_key": f"ovp-draft-{response.pk}",
        "title": f"{criterion.number}. {criterion.name} — {assessment}",
    }


def _response_form(response, data=None):
    return ResponseForm(data, instance=response, rubric=response.criterion.rubric_levels.all())


def response_edit(request, pk, number):
    assessment, access = get_assessment_for_user(request, pk)
    response = response_for(assessment, number)
    if request.method != "POST":
        if not access.can_edit:
            return redirect(f"{assessment.get_absolute_url()}#criterion-{number}")
        form = _response_form(response)
        return render(request, "criteria/response_edit.html",
                      _edit_context(request, assessment, access, response, form))

    assessment, access = get_assessment_for_user(request, pk, need=EDIT)
    form = _response_form(response, request.POST)
    if not form.is_valid():
        if request.htmx:
            return render(request, "criteria/partials/save_status.html",
                          {"form": form, "state": "invalid"}, status=422)
        return render(request, "criteria/response_edit.html",
                      _edit_context(request, assessment, access, response, form), status=422)
    try:
        saved = workflow.save_response(
            response=response, content=form.content(),
            base_version=form.cleaned_data["version"], by=request.user,
        )
    except workflow.StaleVersion as stale:
        return _conflict(request, assessment, response, form, stale.current)
    except workflow.WorkflowError as exc:
        raise PermissionDenied(" ".join(str(p) for p in exc.problems)) from None
    if request.htmx:
        return render(request, "criteria/partials/save_status.html",
                      {"state": "saved", "response": saved})
    messages.success(request, _("Criterion %(n)s saved.") % {"n": number})
    if "save_next" in request.POST:
        following = assessment.responses.filter(criterion__number__gt=number).first()
        if following:
            return redirect("criteria:response-edit", pk=pk, number=following.criterion.number)
        return redirect(assessment.get_absolute_url())
    return redirect("criteria:response-edit", pk=pk, number=number)


def _conflict(request, assessment, response, form, current):
    """Someone saved since this copy was loaded: show both versions and let the user merge."""
    theirs = ResponseForm(instance=current, rubric=current.criterion.rubric_levels.all())
    mine = form.content()
    merge = ResponseForm(
        initial={**mine, "version": current.version},
        instance=current,
        rubric=current.criterion.rubric_levels.all(),
    )
    fields = [
        (name, ResponseForm.base_fields[name].label, getattr(current, name), mine.get(name))
        for name in ResponseForm.Meta.fields
        if getattr(current, name) != mine.get(name)
    ]
    context = {
        "assessment": assessment,
        "response": current,
        "criterion": current.criterion,
        "theirs": theirs,
        "form": merge,
        "differences": [
            {"label": label, "theirs": _display(current, name, theirs_value),
             "mine": _display(current, name, mine_value)}
            for name, label, theirs_value, mine_value in fields
        ],
        "draft_key": f"ovp-draft-{current.pk}",
        "title": _("Someone else saved this criterion"),
    }
    template = (
        "criteria/partials/save_status.html" if request.htmx else "criteria/response_conflict.html"
    )
    if request.htmx:
        context["state"] = "conflict"
    return render(request, template, context, status=409)


def _display(response, name, value):
    if name == "level":
        return dict(CriterionResponse._meta.get_field("level").choices).get(value, _("none"))
    if name == "confidence":
        return dict(CriterionResponse.Confidence.choices).get(value, _("not said"))
    if name == "not_applicable":
        return _("yes") if value else _("no")
    return value or ""


@require_POST
def response_confirm(request, pk, number):
    assessment, _access = get_assessment_for_user(request, pk, need=EDIT)
    response = response_for(assessment, number)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        raise Http404("version") from None
    try:
        workflow.confirm_response(response=response, base_version=version, by=request.user)
    except workflow.StaleVersion:
        messages.error(request, _("Someone changed this criterion meanwhile; check it again."))
    else:
        messages.success(request, _("Carried-over answer confirmed."))
    return redirect("criteria:response-edit", pk=pk, number=number)


def response_history(request, pk, number):
    assessment, _access = get_assessment_for_user(request, pk)
    response = response_for(assessment, number)
    records = list(response.history.select_related("history_user").order_by("-history_id"))
    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                if change.field in {"version", "updated_at", "updated_by"}:
                    continue
                label = CriterionResponse._meta.get_field(change.field).verbose_name
                changes.append({"label": label, "diff": _word_diff(change.old, change.new)})
        entries.append({"record": newer, "changes": changes, "first": older is None})
    return render(
        request,
        "criteria/response_history.html",
        {"assessment": assessment, "response": response, "entries": entries,
         "title": _("History of criterion %(n)s") % {"n": number}},
    )


def _word_diff(old, new):
    """Old and new text as HTML with <del>/<ins> around what changed (all text escaped)."""
    old_words = ("" if old is None else str(old)).split(" ")
    new_words = ("" if new is None else str(new)).split(" ")
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(" ".join(old_words[a1:a2])))
        if op in {"delete", "replace"}:
            parts.append(f"<del>{escape(' '.join(old_words[a1:a2]))}</del>")
        if op in {"insert", "replace"}:
            parts.append(f"<ins>{escape(' '.join(new_words[b1:b2]))}</ins>")
    return mark_safe(" ".join(p for p in parts if p))  # noqa: S308 - every part escaped above


# --- evidence ------------------------------------------------------------------------------


@require_POST
def evidence_add(request, pk, number):
    assessment, access = get_assessment_for_user(request, pk, need=EDIT)
    response = response_for(assessment, number)
    form = EvidenceForm(request.POST, request.FILES, can_verify=access.can_verify)
    if form.is_valid():
        workflow.add_evidence(response=response, form=form, by=request.user)
        messages.success(request, _("Evidence “%(title)s” added.")
                         % {"title": form.cleaned_data["title"]})
        return redirect(reverse("criteria:response-edit", args=[pk, number]) + "#evidence")
    return render(
        request,
        "criteria/response_edit.html",
        _edit_context(request, assessment, access, response, _response_form(response), form),
        status=422,
    )


def evidence_download(request, pk):
    evidence, _access = get_evidence_for_user(request, pk)
    if not evidence.file:
        raise Http404("This evidence has no file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    result = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    result["X-Content-Type-Options"] = "nosniff"
    result["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return result


def evidence_delete(request, pk):
    evidence, _access = get_evidence_for_user(request, pk, need=EDIT)
    assessment = evidence.response.assessment
    number = evidence.response.criterion.number
    if request.method == "POST":
        title = evidence.title
        workflow.delete_evidence(evidence=evidence, by=request.user)
        messages.success(request, _("Evidence “%(title)s” removed.") % {"title": title})
        return redirect(reverse("criteria:response-edit", args=[assessment.pk, number])
                        + "#evidence")
    return render(
        request,
        "criteria/evidence_confirm_delete.html",
        {"evidence": evidence, "assessment": assessment, "title": _("Remove evidence")},
    )


@require_POST
def evidence_verify(request, pk):
    evidence, _access = get_evidence_for_user(request, pk, need=REVIEW_WRITE)
    assessment = evidence.response.assessment
    evidence.strength = Evidence.Strength.VERIFIED
    evidence._history_user = request.user
    evidence.save(update_fields=["strength"])
    messages.success(request, _("“%(title)s” marked as independently verified.")
                     % {"title": evidence.title})
    return redirect(reverse("criteria:assessment-review", args=[assessment.pk])
                    + f"#criterion-{evidence.response.criterion.number}")


# --- profile -------------------------------------------------------------------------------


def profile_edit(request, pk):
    assessment, _access = get_assessment_for_user(request, pk, need=EDIT)
    profile = assessment.profile
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=profile)
    formset = FundingFormSet(data, instance=profile, prefix="funding")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        workflow.save_profile(assessment=assessment, form=form, formset=formset,
                              by=request.user)
        messages.success(request, _("Office profile saved."))
        return redirect(assessment.get_absolute_url())
    return render(
        request,
        "criteria/profile_edit.html",
        {"assessment": assessment, "form": form, "formset": formset,
         "title": _("Office profile")},
        status=422 if request.method == "POST" else 200,
    )


# --- submitting ----------------------------------------------------------------------------


def submit(request, pk):
    assessment, _access = get_assessment_for_user(
        request, pk, need=EDIT,
        queryset=Assessment.objects.select_related("office", "city", "framework")
        .prefetch_related(Prefetch("responses",
                                   queryset=CriterionResponse.objects.select_related("criterion"))),
    )
    problems = assessment.submit_problems()
    if request.method == "POST":
        try:
            workflow.submit_assessment(assessment=assessment, by=request.user)
        except workflow.WorkflowError as exc:
            problems = exc.problems
        else:
            messages.success(request, _("Submitted. The network secretariat has been told and "
                                        "will review it."))
            return redirect(assessment.get_absolute_url())
    return render(
        request,
        "criteria/assessment_submit.html",
        {"assessment": assessment, "problems": problems, "title": _("Submit for review")},
        status=422 if request.method == "POST" else 200,
    )
