"""Self-assessment in the browser: start, edit criterion by criterion, evidence, profile, submit.

Every view fetches through `criteria.access` (others' objects are a 404; read-only members
get a 403 before any write).
"""

import difflib
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities import audit
from cities.access import START, OfficeAccess, get_office_for_user
from cities.models import AuditEvent, Indicator, OfficeMembership

from . import consistency, workflow
from .access import EDIT, REVIEW_WRITE, get_assessment_for_user, get_evidence_for_user
from .forms import EvidenceForm, FundingFormSet, ProfileForm, ResponseForm, StartAssessmentForm
from .models import (
    Assessment,
    CriterionResponse,
    ReviewComment,
    SubmissionKey,
)
from .peers import peers_above

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
        .select_related("office", "round")
        .prefetch_related("responses")
        .order_by("office__name", "-round__opens_on", "-round__closes_on")
    )
    for a in assessments:
        responses = a.responses.all()
        a.total = len(responses)
        a.complete = sum(1 for r in responses if r.is_complete)
    by_office = {o.pk: [] for o in offices}
    for a in assessments:
        by_office[a.office_id].append(a)
    for m in memberships:  # the access layer's rule, from the role already loaded
        m.can_start = OfficeAccess(role=m.role).can_start
    rows = [(m, by_office[m.office_id]) for m in memberships]
    return render(
        request,
        "criteria/my_assessments.html",
        {"rows": rows, "title": _("My assessments")},
    )


@login_required
def start_assessment(request, slug):
    office, _access = get_office_for_user(request, slug, need=START)
    form = StartAssessmentForm(request.POST or None, office=office)
    if request.method == "POST":
        already = _already_submitted(request)
        if already:
            return already
    if request.method == "POST" and form.is_valid():
        try:
            assessment = workflow.start_assessment(
                office=office, round=form.cleaned_data["round"],
                by=request.user, copy_from=form.cleaned_data["copy_from"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except workflow.AlreadySubmitted as done:
            return _to_earlier_submission(request, done.target_url)
        except workflow.WorkflowError as refused:
            for problem in refused.problems:
                form.add_error("round", problem)
        except IntegrityError:
            # Another request started the same round between our check and our insert.
            form.add_error("round", _("This office already has an assessment for round "
                                      "%(round)s.") % {"round": form.cleaned_data["round"].name})
        else:
            messages.success(request, _("Assessment for round %(round)s started.")
                             % {"round": assessment.round.name})
            return redirect(assessment.get_absolute_url())
    if not form["submission_key"].value():
        form.initial["submission_key"] = uuid.uuid4()
    return render(
        request,
        "criteria/assessment_start.html",
        {"office": office, "form": form, "title": _("Start an assessment")},
        status=422 if form.errors else 200,
    )


def _already_submitted(request):
    """A resent form (double click, reload) goes to what its first sending made."""
    key = request.POST.get("submission_key", "")
    try:
        key = uuid.UUID(key)
    except ValueError:
        return None
    used = SubmissionKey.objects.filter(key=key, user=request.user).first()
    return _to_earlier_submission(request, used.target_url) if used else None


def _to_earlier_submission(request, target_url):
    messages.info(request, _("This form had already been sent; it was saved once."))
    return redirect(target_url or reverse("criteria:my-assessments"))


# --- editing one criterion -----------------------------------------------------------------


def draft_key(request, response):
    """Where the browser keeps unsaved text: per user, so the next person is never offered it."""
    return f"ovp-draft-{request.user.pk}-{response.pk}"


def _evidence_form(request, access, response):
    """A fresh evidence form, or the one that failed last time (kept across a redirect)."""
    can_verify = access.can_verify
    kept = request.session.pop(f"evidence-form-{response.pk}", None)
    if kept:
        form = EvidenceForm(kept, can_verify=can_verify)
        form.is_valid()
        form.kept_after_redirect = True
        return form
    return EvidenceForm(initial={"submission_key": uuid.uuid4()}, can_verify=can_verify)


def _edit_context(request, assessment, access, response, form, evidence_form=None):
    criterion = response.criterion
    responses = list(assessment.responses.select_related("criterion"))
    index = [r.pk for r in responses].index(response.pk)
    progress = [(r, r.missing()) for r in responses]
    return {
        "assessment": assessment,
        "response": response,
        "criterion": criterion,
        "form": form,
        "evidence_form": evidence_form or _evidence_form(request, access, response),
        "evidence": response.evidence.all(),
        "comments": ReviewComment.objects.filter(
            Q(response=response) | Q(assessment=assessment, response__isnull=True)
        ).select_related("author", "response__criterion"),
        "questions": criterion.guiding_questions.all(),
        "progress": progress,
        "progress_done": sum(1 for _r, lacks in progress if not lacks),
        "previous": responses[index - 1] if index > 0 else None,
        "next": responses[index + 1] if index + 1 < len(responses) else None,
        "can_edit": access.can_edit,
        "draft_key": draft_key(request, response),
        "forget_draft": request.session.pop(f"saved-{response.pk}", False),
        "contradictions": consistency.contradictions(
            assessment, responses, number=criterion.number
        ),
        "peers": peers_above(assessment=assessment, criterion=criterion, user=request.user,
                             limit=3) if assessment.office_id else None,
        "title": f"{criterion.number}. {criterion.name} — {assessment}",
        "office_indicators": _office_indicators(assessment, criterion),
    }


#: The criteria whose answer is about what the office measures and publishes: diagnoses
#: (3) and public documentation of activities, results and impact (9).
INDICATOR_CRITERIA = (3, 9)


def _office_indicators(assessment, criterion):
    """The office's indicator register beside criteria 3 and 9 (one query), with overdue
    ones flagged; None elsewhere. Editors and viewers of the office see every indicator."""
    if criterion.number not in INDICATOR_CRITERIA or assessment.office_id is None:
        return None
    today = timezone.localdate()
    rows = list(Indicator.objects.filter(office_id=assessment.office_id).with_last_value()
                .order_by("kind", "name"))
    for row in rows:
        row.stale = row.is_stale(row.last_on, today)
    return {"office": assessment.office, "rows": rows,
            "public": sum(1 for r in rows if r.is_public),
            "stale": sum(1 for r in rows if r.stale)}


def _response_form(response, data=None):
    return ResponseForm(data, instance=response, rubric=response.criterion.rubric_levels.all())


def response_edit(request, pk, number):
    if request.method != "POST":
        assessment, access = get_assessment_for_user(request, pk)
        response = response_for(assessment, number)
        if not access.can_edit:
            return redirect(f"{assessment.get_absolute_url()}#criterion-{number}")
        form = _response_form(response)
        return render(request, "criteria/response_edit.html",
                      _edit_context(request, assessment, access, response, form))

    # An autosave arrives every pause of every editor: one access check, one read of the
    # answer (still a 404 for what the user may not see, a 403 with its reason otherwise).
    try:
        assessment, access = get_assessment_for_user(request, pk, need=EDIT)
    except PermissionDenied as refused:
        return _refused(request, refused)
    response = response_for(assessment, number)
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
        return _conflict(request, assessment, response, form, stale)
    except workflow.WorkflowError as exc:
        return _refused(request, PermissionDenied(" ".join(str(p) for p in exc.problems)))
    merged_note = _merged_note(saved, request.user)
    if request.htmx:
        return render(request, "criteria/partials/save_status.html", {
            "state": "saved", "response": saved, "merged_note": merged_note,
            "values": json.dumps(_client_values(saved)),
            "contradictions": consistency.contradictions(assessment, [saved], number=number),
            "oob_consistency": True,
        })
    request.session[f"saved-{response.pk}"] = True
    if merged_note:
        messages.info(request, merged_note)
    messages.success(request, _("Criterion %(n)s saved.") % {"n": number})
    if "save_next" in request.POST:
        following = assessment.responses.filter(criterion__number__gt=number).first()
        if following:
            return redirect("criteria:response-edit", pk=pk, number=following.criterion.number)
        return redirect(assessment.get_absolute_url())
    return redirect("criteria:response-edit", pk=pk, number=number)


def _refused(request, refused):
    """An autosave that may no longer write gets the reason in its status line (a 403 that
    says why: submitted, published, not an editor), never "the connection failed"."""
    if not request.htmx:
        raise refused
    return render(request, "criteria/partials/save_status.html",
                  {"state": "refused", "reason": str(refused)}, status=403)


def _label(form_class, name):
    return form_class.base_fields[name].label


def _merge_note(saved, by, labels):
    """Tell the editor which changes saved meanwhile were combined with theirs: a
    colleague's, or their own from another tab or window (never "someone else")."""
    kept = getattr(saved, "kept", [])
    if not kept:
        return ""
    fields = get_text_list(labels(kept), _("and"))
    author = getattr(saved, "kept_from", None)
    if author is not None and author.pk == by.pk:
        return _("Merged: you changed %(fields)s in another tab or window meanwhile; both "
                 "changes were kept.") % {"fields": fields}
    who = author.display_name if author is not None else _("someone")
    return _("Merged: %(who)s changed %(fields)s meanwhile; their change and yours were both "
             "kept.") % {"who": who, "fields": fields}


def _merged_note(saved, by):
    return _merge_note(saved, by, lambda kept: [str(_label(ResponseForm, n)) for n in kept])


def _client_values(response):
    """The stored answer as autosave.js reads form fields (strings and booleans)."""
    values = {}
    for name in ResponseForm.Meta.fields:
        value = getattr(response, name)
        if name == "not_applicable":
            values[name] = bool(value)
        else:
            values[name] = "" if value is None else str(value)
    return values


def combine_texts(theirs, mine):
    """A merge proposal for text both editors changed that drops neither one's words."""
    theirs, mine = theirs or "", mine or ""
    if theirs.strip() in mine:
        return mine
    if mine.strip() in theirs:
        return theirs
    return f"{theirs.rstrip()}\n\n{mine.lstrip()}"


TEXT_FIELDS = {"current_strengths", "opportunities", "not_applicable_reason"}


def _conflict(request, assessment, response, form, stale):
    """Someone saved since this copy was loaded and both changed the same fields.

    Shows, for each such field, the version both started from, the saved one and this
    editor's; the merge form holds everything that could be combined automatically, both
    texts where both wrote, and no pre-selected choice where both chose differently.
    """
    current = stale.current
    rubric = current.criterion.rubric_levels.all()
    mine = form.content()
    proposal = dict(stale.merged or mine)
    must_choose = []
    for name in stale.conflicts:
        if name in TEXT_FIELDS:
            proposal[name] = combine_texts(getattr(current, name), mine.get(name))
        elif name in ("level", "confidence"):
            proposal[name] = "unresolved"  # matches no option: nothing is pre-selected
            must_choose.append(name)
    merge = ResponseForm(
        initial={**proposal, "version": current.version, "must_choose": ",".join(must_choose)},
        instance=current, rubric=rubric,
    )
    base = stale.base or {}
    conflicts = stale.conflicts or [
        n for n in ResponseForm.Meta.fields if getattr(current, n) != mine.get(n)
    ]
    by_me = current.updated_by_id == request.user.pk
    who = current.updated_by.display_name if current.updated_by else _("Someone")
    context = {
        "assessment": assessment,
        "response": current,
        "criterion": current.criterion,
        "form": merge,
        "who": who,
        "by_me": by_me,
        "differences": [
            {"label": _label(ResponseForm, name), "name": name,
             "base": _display(current, name, base.get(name)) if stale.base else None,
             "theirs": _display(current, name, getattr(current, name)),
             "mine": _display(current, name, mine.get(name)),
             "combined": name in TEXT_FIELDS, "choose": name in must_choose}
            for name in conflicts
        ],
        "merged": [
            _label(ResponseForm, name) for name in ResponseForm.Meta.fields
            if name not in stale.conflicts and stale.base is not None
            and name in mine and not workflow._same(mine[name], getattr(current, name))
            and not workflow._same(mine[name], base.get(name))
        ],
        "kept": [
            _label(ResponseForm, name) for name in ResponseForm.Meta.fields
            if name not in stale.conflicts and stale.base is not None
            and name in mine and workflow._same(mine[name], base.get(name))
            and not workflow._same(getattr(current, name), base.get(name))
        ],
        "draft_key": draft_key(request, current),
        "title": (_("You saved this criterion in another tab or window") if by_me
                  else _("Someone else saved this criterion")),
    }
    if request.htmx:
        context["state"] = "conflict"
        return render(request, "criteria/partials/save_status.html", context, status=409)
    return render(request, "criteria/response_conflict.html", context, status=409)


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


def evidence_add(request, pk, number):
    """Add evidence (POST). A GET (a reload or a language switch after a refused form)
    goes back to the criterion, where the refused form is shown again with its errors."""
    if request.method != "POST":
        assessment, _access = get_assessment_for_user(request, pk)
        response_for(assessment, number)
        return redirect(reverse("criteria:response-edit", args=[pk, number]) + "#evidence")
    assessment, access = get_assessment_for_user(request, pk, need=EDIT)
    response = response_for(assessment, number)
    already = _already_submitted(request)
    if already:
        return already
    form = EvidenceForm(request.POST, request.FILES, can_verify=access.can_verify)
    if form.is_valid():
        try:
            workflow.add_evidence(response=response, form=form, by=request.user,
                                  submission_key=form.cleaned_data["submission_key"])
        except workflow.AlreadySubmitted as done:
            return _to_earlier_submission(request, done.target_url)
        except workflow.WorkflowError as exc:
            raise PermissionDenied(" ".join(str(p) for p in exc.problems)) from None
        request.session.pop(f"evidence-form-{response.pk}", None)
        messages.success(request, _("Evidence “%(title)s” added.")
                         % {"title": form.cleaned_data["title"]})
        return redirect(reverse("criteria:response-edit", args=[pk, number]) + "#evidence")
    # Kept for a GET of this URL (reload, language switch): what was typed, not the file.
    request.session[f"evidence-form-{response.pk}"] = {
        k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"
    }
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
    audit.record(AuditEvent.Action.DOWNLOAD, target=evidence.response.assessment,
                 detail=evidence.original_name or evidence.file.name)
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
    workflow.verify_evidence(evidence=evidence, by=request.user)
    messages.success(request, _("“%(title)s” marked as independently verified.")
                     % {"title": evidence.title})
    return redirect(reverse("criteria:assessment-review", args=[assessment.pk])
                    + f"#criterion-{evidence.response.criterion.number}")


# --- profile -------------------------------------------------------------------------------


PROFILE_TEXT_FIELDS = {"budget_note", "staff_note", "focus_population", "mandate_goals"}


def profile_edit(request, pk):
    """The office profile, with the same protection as a criterion: each save carries the
    version it started from and merges with what a colleague saved meanwhile; htmx posts
    autosave it (existing funding sources included; new ones wait for the Save button)."""
    try:
        assessment, _access = get_assessment_for_user(request, pk, need=EDIT)
    except PermissionDenied as refused:
        return _refused(request, refused)
    profile = assessment.profile
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=profile)
    formset = FundingFormSet(data, instance=profile, prefix="funding")
    context = {"assessment": assessment, "form": form, "formset": formset,
               "draft_key": f"ovp-profile-{request.user.pk}-{profile.pk}",
               "forget_draft": request.session.pop(f"saved-profile-{profile.pk}", False),
               "title": _("Office profile")}
    if request.method != "POST":
        return render(request, "criteria/profile_edit.html", context)
    if request.htmx:
        # Autosave: new funding rows are only added by the Save button, so that a pause
        # while typing one never creates it twice.
        for sub in formset.forms:
            if not sub.instance.pk:
                sub.empty_permitted = True
                sub.has_changed = lambda: False
    if form.is_valid() and formset.is_valid():
        try:
            saved = workflow.save_profile(assessment=assessment, form=form, formset=formset,
                                          by=request.user,
                                          base_version=form.cleaned_data.get("version"))
        except workflow.StaleVersion as stale:
            return _profile_conflict(request, context, stale)
        except workflow.FundingOverLimit as over:
            formset._non_form_errors = formset.error_class([
                _("Share of budget (%%): with the funding sources as saved now, including "
                  "any saved by a colleague meanwhile, the shares would add up to %(total)s "
                  "%%; together they may not exceed 100 %%. Nothing was saved; your input is "
                  "below.") % {"total": format(over.total.normalize(), "f")
                               if hasattr(over.total, "normalize") else over.total}
            ], renderer=formset.renderer)
        except workflow.WorkflowError as exc:
            raise PermissionDenied(" ".join(str(p) for p in exc.problems)) from None
        else:
            note = _profile_merged_note(saved, request.user)
            if request.htmx:
                return render(request, "criteria/partials/save_status.html",
                              {"state": "saved", "response": saved, "merged_note": note,
                               "values": json.dumps(_profile_client_values(saved))})
            if note:
                messages.info(request, note)
            request.session[f"saved-profile-{profile.pk}"] = True
            messages.success(request, _("Office profile saved."))
            return redirect(assessment.get_absolute_url())
    if request.htmx:
        return render(request, "criteria/partials/save_status.html",
                      {"form": form, "formset": formset, "state": "invalid"}, status=422)
    return render(request, "criteria/profile_edit.html", context, status=422)


def _profile_client_values(profile):
    """The stored facts as the page's inputs hold them, for autosave.js to show merges."""
    form = ProfileForm(instance=profile)
    values = {}
    for name in ProfileForm.Meta.fields:
        bound = form[name]
        shown = bound.field.widget.format_value(bound.value())
        if isinstance(shown, list):  # a select's value comes as a list of one
            shown = shown[0] if shown else ""
        values[name] = "" if shown is None else str(shown)
    return values


def _profile_merged_note(saved, by):
    return _merge_note(
        saved, by, lambda kept: [str(ProfileForm.base_fields[n].label) for n in kept])


def _profile_conflict(request, context, stale):
    """Both changed the same facts: show base, theirs and yours; the form proposes a merge."""
    current = stale.current
    form = context["form"]
    mine = form.content()
    proposal = dict(stale.merged or mine)
    for name in stale.conflicts:
        if name in PROFILE_TEXT_FIELDS:
            proposal[name] = combine_texts(getattr(current, name), mine.get(name))
        else:
            proposal[name] = getattr(current, name)
    base = stale.base or {}
    merge = ProfileForm(initial={**proposal, "version": current.version}, instance=current)

    def show(name, value):
        field = ProfileForm.base_fields[name]
        choices = dict(getattr(field, "choices", []) or [])
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        return choices.get(value, value)

    editor = workflow._profile_editor(current)
    by_me = editor is not None and editor.pk == request.user.pk
    who = editor.display_name if editor else _("Someone")
    if request.htmx:
        return render(request, "criteria/partials/save_status.html",
                      {"state": "conflict", "who": who, "by_me": by_me}, status=409)
    context.update({
        "form": merge,
        "conflict": True,
        "who": who,
        "by_me": by_me,
        "problems": stale.problems,
        "differences": [
            {"label": ProfileForm.base_fields[name].label,
             "base": show(name, base.get(name)) if stale.base else None,
             "theirs": show(name, getattr(current, name)),
             "mine": show(name, mine.get(name)),
             "combined": name in PROFILE_TEXT_FIELDS}
            for name in stale.conflicts
        ],
        "title": (_("You saved the office profile in another tab or window") if by_me
                  else _("Someone else saved the office profile")),
    })
    return render(request, "criteria/profile_edit.html", context, status=409)


# --- submitting ----------------------------------------------------------------------------


def submit(request, pk):
    assessment, _access = get_assessment_for_user(
        request, pk, need=EDIT,
        queryset=Assessment.objects.select_related("office", "city", "round", "framework")
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
