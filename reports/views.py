from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from modeltranslation.utils import build_localized_fieldname

from cities import audit
from cities.access import office_access
from cities.models import AuditEvent, Indicator
from criteria.access import PUBLISH_BRIEF, VIEW, get_assessment_for_user
from criteria.models import Action, Assessment

from . import brief_cache, renderers
from .exports import can_export, retry_export, start_export
from .models import ExportJob
from .publishing import set_brief_public
from .selectors import brief_queryset, build_network_brief, rounds_visible_to
from .transition import build_transition_memo


def _visible_assessment(request, pk, need=VIEW, queryset=None):
    """(assessment, access) if the user may see it; a 404 otherwise, whoever asks."""
    return get_assessment_for_user(request, pk, need=need, queryset=queryset)


def _language(request):
    wanted = request.GET.get("lang") or get_language() or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in codes else settings.LANGUAGE_CODE


def _download(filename, content_type, content, *, attachment):
    response = HttpResponse(content, content_type=content_type)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


#: What the brief page reads of its assessment beyond the brief itself (which a stored brief
#: has already, and a draft's fetches in full): the key, the access check and the breadcrumbs.
#: Fewer columns are quicker to compile and read on every request for a stored brief.
BRIEF_PAGE_FIELDS = (
    "status", "is_public", "updated_at", "scope", "subject_label",
    "office_id", "office__slug", "city_id", "city__name", "city__slug", "round_id", "round__name",
    # An office's name has a column per language (modeltranslation), read with a fallback.
    "office__name", *(f"office__{build_localized_fieldname('name', code)}"
                      for code, _name in settings.LANGUAGES),
)


def brief(request, pk):
    # A published brief comes from storage (reports/brief_cache.py); a draft renders fresh.
    assessment, access = _visible_assessment(
        request, pk, queryset=Assessment.objects.select_related("office", "city", "round")
        .only(*BRIEF_PAGE_FIELDS))
    page = brief_cache.office_brief_page(
        assessment, reader=request.user, lang=get_language() or settings.LANGUAGE_CODE
    )
    context = {"brief_html": page.html, "assessment": assessment,
               "can_publish": access.can_publish_brief}
    content = brief_cache.page_content(
        page, can_publish=access.can_publish_brief,
        render=lambda: render_to_string("reports/partials/brief_page_content.html", context))
    return render(request, "reports/brief_page.html", {
        "content": content, "assessment": assessment,
        "title": _("Office brief: %(subject)s") % {"subject": page.subject},
    })


def brief_pdf(request, pk):
    assessment, _access = _visible_assessment(request, pk)
    filename, content_type, content = brief_cache.office_brief_pdf(
        assessment, reader=request.user, lang=_language(request),
        paper=request.GET.get("paper", "a4"),
    )
    if not assessment.is_public:
        audit.record(AuditEvent.Action.DOWNLOAD, target=assessment, detail=filename)
    return _download(filename, content_type, content, attachment=False)


def _memo(request, assessment):
    return build_transition_memo(
        assessment, actions_from=Action.objects.visible_to(request.user),
        indicators_from=Indicator.objects.visible_to(request.user),
    )


def transition_memo(request, pk):
    """The transition memo: whoever may see the assessment reads it (its indicators are the
    ones they may see)."""
    assessment, _access = _visible_assessment(request, pk, queryset=brief_queryset())
    memo = _memo(request, assessment)
    # The next election is the office's record (cities.transitions), kept by its editors.
    can_record = (assessment.office is not None
                  and office_access(request.user, assessment.office).can_record_transitions)
    return render(request, "reports/transition_memo_page.html", {
        "memo": memo, "assessment": assessment, "can_record_transitions": can_record,
        "title": _("Transition memo: %(subject)s") % {"subject": memo.subject},
    })


def transition_memo_pdf(request, pk):
    assessment, _access = _visible_assessment(request, pk, queryset=brief_queryset())
    lang = _language(request)
    with translation.override(lang):
        memo = _memo(request, assessment)
    filename, content_type, content = renderers.render_transition_memo_pdf(
        memo, lang=lang, paper=request.GET.get("paper", "a4"))
    if not assessment.is_public:
        audit.record(AuditEvent.Action.DOWNLOAD, target=assessment, detail=filename)
    return _download(filename, content_type, content, attachment=False)


def brief_publish(request, pk):
    """Confirm, then make a published brief public (or private again)."""
    assessment, _access = _visible_assessment(request, pk, need=PUBLISH_BRIEF,
                                              queryset=brief_queryset())
    if request.method == "POST":
        public = request.POST.get("public") == "1"
        set_brief_public(assessment=assessment, public=public, by=request.user)
        messages.success(
            request,
            _("The brief is now on the public briefs page.") if public
            else _("The brief is no longer public."),
        )
        return redirect("reports:brief", pk=assessment.pk)
    return render(request, "reports/brief_publish_confirm.html", {
        "assessment": assessment,
        "title": _("Publish the brief") if not assessment.is_public
        else _("Make the brief private"),
    })


def public_briefs(request):
    # The public rule itself, whoever is signed in: this page is what everyone sees.
    briefs = (
        Assessment.objects.visible_to(AnonymousUser())
        .select_related("office", "city", "round", "framework")
        .order_by("-round__opens_on", "-round__closes_on", "city__name")
    )
    return render(request, "reports/public_briefs.html", {
        "assessments": briefs, "title": _("Public briefs"),
    })


def index(request):
    return render(request, "reports/index.html", {
        "rounds": rounds_visible_to(request.user),
        "can_export": can_export(request.user),
        "title": _("Reports"),
    })


def _network(request, round):
    visible = Assessment.objects.visible_to(request.user)
    if request.user.is_authenticated:
        request.ovp_private = True  # holds what this user may see, drafts included
    if not visible.filter(round__code=round).exists():
        raise Http404("No assessment of that round is visible to you.")
    return build_network_brief(visible, round=round)


def network_brief(request, round):
    return render(request, "reports/network_page.html", {
        "network": _network(request, round),
        "can_export": can_export(request.user),
        "title": _("Network brief %(round)s") % {"round": round},
    })


def network_pdf(request, round):
    lang = _language(request)
    with translation.override(lang):
        network = _network(request, round)
    filename, content_type, content = renderers.render_network_pdf(
        network, lang=lang, paper=request.GET.get("paper", "a4"),
    )
    if request.user.is_authenticated:  # signed in, it may include what is not public
        audit.record(AuditEvent.Action.DOWNLOAD, detail=filename,
                     networks=audit.networks_of_user(request.user))
    return _download(filename, content_type, content, attachment=False)


def _require_exporter(request):
    if not can_export(request.user):
        raise PermissionDenied


@login_required
def export_list(request):
    _require_exporter(request)
    if request.method == "POST":
        round = request.POST.get("round", "").strip()
        rounds = dict(rounds_visible_to(request.user))
        if round not in rounds:
            messages.error(request, _("Choose a round that has assessments you may see."))
        else:
            job = start_export(
                user=request.user, round=round, language=_language(request),
                paper=request.POST.get("paper", "a4"),
            )
            messages.success(
                request, _("Export of round %(round)s queued.") % {"round": job.round}
            )
        return redirect("reports:export-list")
    return render(request, "reports/export_list.html", {
        "jobs": ExportJob.objects.for_user(request.user)[:20],
        "rounds": rounds_visible_to(request.user),
        "title": _("Export briefs"),
    })


def _job(request, pk):
    request.ovp_private = True
    return get_object_or_404(ExportJob.objects.for_user(request.user), pk=pk)


@login_required
def export_status(request, pk):
    job = _job(request, pk)
    return JsonResponse({
        "id": job.pk,
        "status": job.status,
        "label": str(job.get_status_display()),
        "completed": job.completed,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "download": reverse("reports:export-download", args=[job.pk]) if job.file else "",
    })


@login_required
@require_POST
def export_retry(request, pk):
    job = retry_export(job=_job(request, pk), by=request.user)
    messages.success(request, _("Export of round %(round)s queued again.") % {"round": job.round})
    return redirect("reports:export-list")


@login_required
def export_download(request, pk):
    job = _job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("This export has no file yet.")
    audit.record(AuditEvent.Action.DOWNLOAD, target=job, detail=f"ovp-briefs-{job.round}.zip",
                 networks=audit.networks_of_user(request.user))
    return FileResponse(
        job.file.open("rb"), as_attachment=True,
        filename=f"ovp-briefs-{job.round}.zip", content_type="application/zip",
    )
