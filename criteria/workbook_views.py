"""The offline workbook pages: download, upload, preview and confirm (criteria/workbook.py).

Access is the one access layer's: seeing the assessment lets a person download its workbook;
uploading and confirming need EDIT (an editor, an open draft). A pending upload belongs to the
person who uploaded it and to its assessment: anyone else's is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cities import audit
from cities.models import AuditEvent

from . import workbook, workflow
from .access import EDIT, get_assessment_for_user
from .models import Assessment, WorkbookUpload


class WorkbookUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled workbook (.xlsx)"),
        help_text=gettext_lazy("The workbook downloaded from this assessment, at most 20 MB."),
        error_messages={"required": gettext_lazy("Choose the workbook file to upload.")},
    )


def workbook_download(request, pk):
    assessment, _access = get_assessment_for_user(request, pk)
    filename, content_type, content = workbook.build_workbook(
        assessment, user=request.user, language=get_language() or "en")
    if not (assessment.is_frozen and assessment.is_public):
        audit.record(AuditEvent.Action.DOWNLOAD, target=assessment, detail=filename)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def workbook_upload(request, pk):
    assessment, _access = get_assessment_for_user(request, pk, need=EDIT)
    if request.method == "POST":
        form = WorkbookUploadForm(request.POST, request.FILES)
    else:
        form = WorkbookUploadForm()
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = workbook.read_workbook(upload, assessment)
        except ValidationError as refused:
            form.add_error("file", refused)
        except workbook.WorkbookRefused as refused:
            form.add_error("file", str(refused))
        else:
            WorkbookUpload.objects.filter(user=request.user).expired().delete()
            pending = WorkbookUpload.objects.create(
                assessment=assessment, user=request.user, file_name=(upload.name or "")[:255],
                content=content)
            return redirect("criteria:workbook-preview", pk=assessment.pk, key=pending.key)
    return render(
        request, "criteria/workbook_upload.html",
        {"assessment": assessment, "form": form, "title": _("Upload a filled workbook")},
        status=422 if form.errors else 200,
    )


def _resolutions(post):
    return {name[len("choice-"):]: value for name, value in post.items()
            if name.startswith("choice-")}


def _preview(request, assessment, pending, plan, *, status=200, moved=False, tried=False):
    return render(request, "criteria/workbook_preview.html", {
        "assessment": assessment, "pending": pending, "plan": plan, "moved": moved,
        "tried": tried, "title": _("Check the workbook's changes"),
    }, status=status)


def workbook_preview(request, pk, key):
    assessment, _access = get_assessment_for_user(request, pk, need=EDIT)
    pending = get_object_or_404(WorkbookUpload, key=key, assessment=assessment,
                                user=request.user)
    if pending.applied_at is not None:
        messages.info(request, _("This workbook was already saved, once; nothing more was "
                                 "changed."))
        return redirect(assessment.get_absolute_url())
    if pending.is_expired:
        messages.error(request, _("This upload waited too long for its confirmation; nothing "
                                  "was saved. Upload the workbook again."))
        return redirect("criteria:workbook-upload", pk=assessment.pk)
    if request.method != "POST":
        plan = workbook.plan_upload(pending, assessment, by=request.user)
        return _preview(request, assessment, pending, plan)

    resolutions = _resolutions(request.POST)
    try:
        with transaction.atomic():
            # Every save of this assessment takes this lock: from here on nothing moves.
            locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
            get_assessment_for_user(request.user, locked.pk, need=EDIT)
            plan = workbook.plan_upload(pending, locked, by=request.user,
                                        resolutions=resolutions)
            if plan.fingerprint != request.POST.get("fingerprint"):
                moved = True
            elif not plan.can_apply:
                moved = False
            else:
                claim = workflow.claim_submission(pending.key, request.user)
                saved = workbook.apply_plan(plan, assessment=locked, by=request.user)
                pending.applied_at = timezone.now()
                pending.save(update_fields=["applied_at"])
                target = locked.get_absolute_url()
                workflow._record_submission(claim, target)
                messages.success(request, _("Workbook saved: %(n)s changed (criteria and "
                                            "profile).") % {"n": saved} if saved else
                                 _("The workbook held no changes; nothing was saved."))
                return redirect(target)
    except workflow.AlreadySubmitted as done:
        messages.info(request, _("This workbook was already saved, once; nothing more was "
                                 "changed."))
        return redirect(done.target_url or assessment.get_absolute_url())
    except workflow.StaleVersion:
        plan, moved = workbook.plan_upload(pending, assessment, by=request.user,
                                           resolutions=resolutions), True
    except workflow.WorkflowError as exc:
        messages.error(request, " ".join(str(p) for p in exc.problems))
        return redirect(assessment.get_absolute_url())
    if moved:
        return _preview(request, assessment, pending, plan, status=409, moved=True)
    return _preview(request, assessment, pending, plan, status=422, tried=True)
