"""The improvement plan pages: targets beside current levels, actions by criterion.

Every view fetches through `criteria.access` (another office's plan or action is a 404;
viewers get a 403 before any write); writes go through `criteria.plans`.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import plans, workflow
from .access import PLAN, get_action_for_user, get_assessment_for_user
from .assessment_views import _already_submitted, _merge_note, _to_earlier_submission
from .models import Action, CriterionTarget, ExchangeRequest
from .peers import is_weak, peer_counts
from .plan_forms import ActionForm, target_forms


def _plan_rows(assessment, responses, targets, actions, *, today, user):
    """Per criterion: the response, its target (met or not), its actions, its opportunities."""
    by_criterion = {}
    for action in actions:
        action.is_late_now = action.is_late(today)
        by_criterion.setdefault(action.criterion_id, []).append(action)
    counts = peer_counts(assessment=assessment, user=user, responses=responses) \
        if assessment.office_id else {}
    exchanges = {}
    for exchange in ExchangeRequest.objects.visible_to(user).filter(
            assessment=assessment).select_related("peer_office").order_by("created_at"):
        exchanges.setdefault(exchange.criterion_id, []).append(exchange)
    rows = []
    for response in responses:
        target = targets.get(response.criterion_id)
        met = None
        if target is not None and response.level is not None:
            met = response.level >= target.level
        rows.append({
            "response": response, "criterion": response.criterion, "target": target,
            "met": met, "actions": by_criterion.get(response.criterion_id, []),
            "opportunities": plans.opportunity_items(response.opportunities),
            "peers": counts.get(response.criterion_id, 0),
            "exchanges": exchanges.get(response.criterion_id, []),
            "weak": is_weak(response.level, target.level if target else None),
        })
    return rows


def plan(request, pk):
    assessment, access = get_assessment_for_user(request, pk)
    today = timezone.localdate()
    responses = list(assessment.responses.select_related("criterion"))
    targets = {t.criterion_id: t for t in CriterionTarget.objects.filter(assessment=assessment)}
    actions = list(Action.objects.filter(assessment=assessment)
                   .select_related("owner_member").order_by("due_date", "pk"))
    counts = {status: 0 for status, _label in Action.Status.choices}
    for action in actions:
        counts[action.status] += 1
    late = sum(1 for a in actions if a.is_late(today))
    return render(request, "criteria/plan.html", {
        "assessment": assessment,
        "rows": _plan_rows(assessment, responses, targets, actions, today=today,
                           user=request.user),
        "counts": [(label, counts[status], status) for status, label in Action.Status.choices],
        "late": late,
        "has_actions": bool(actions),
        "can_plan": access.can_plan,
        "title": _("Improvement plan: %(subject)s") % {"subject": assessment},
    })


def targets_edit(request, pk):
    assessment, _access = get_assessment_for_user(request, pk, need=PLAN)
    responses = list(assessment.responses.select_related("criterion"))
    targets = {t.criterion_id: t for t in CriterionTarget.objects.filter(assessment=assessment)}
    data = request.POST if request.method == "POST" else None
    forms_ = target_forms(responses, targets, data)
    status = 200
    if request.method == "POST":
        if all(f.is_valid() for f in forms_):
            rows = [{"criterion": f.criterion, **f.cleaned_data} for f in forms_]
            saved, conflicts = plans.save_targets(assessment=assessment, rows=rows,
                                                  by=request.user)
            if not conflicts:
                messages.success(request, _("Targets saved."))
                return redirect("criteria:plan", pk=assessment.pk)
            # Keep what this person typed; the rows someone else changed meanwhile show
            # both values, and their base moves to what is stored so saving again applies.
            stored = {t.criterion_id: t for t in
                      CriterionTarget.objects.filter(assessment=assessment)}
            data = request.POST.copy()
            for f in forms_:
                if f.criterion.pk in conflicts:
                    now = stored.get(f.criterion.pk)
                    data[f"{f.prefix}-base_level"] = "" if now is None else str(now.level)
                    data[f"{f.prefix}-base_date"] = (now.target_date.isoformat()
                                                     if now and now.target_date else "")
            forms_ = target_forms(responses, stored, data)
            for f in forms_:
                f.is_valid()
                if f.criterion.pk in conflicts:
                    now = stored.get(f.criterion.pk)
                    f.conflict = now or False
            status = 409
            messages.warning(request, _(
                "Someone else changed some of these targets while you were editing. Your "
                "other targets were saved; the rows marked below show both values — save "
                "again to keep yours."))
        else:
            status = 422
    return render(request, "criteria/plan_targets.html", {
        "assessment": assessment, "forms": forms_,
        "title": _("Targets: %(subject)s") % {"subject": assessment},
    }, status=status)


def _prefill(request, assessment):
    """Initial values for a new action: a criterion and an opportunity picked on its page."""
    initial = {"submission_key": uuid.uuid4(), "status": Action.Status.PLANNED}
    number = request.GET.get("criterion", "")
    if number.isdigit():
        criterion = assessment.framework.criteria.filter(number=int(number)).first()
        if criterion is not None:
            initial["criterion"] = criterion.pk
    opportunity = request.GET.get("opportunity", "")[:2_000]
    if opportunity:
        initial["opportunity"] = opportunity
        initial["title"] = opportunity[:200]
    exchange = _exchange_to_follow_up(request, assessment, request.GET.get("exchange", ""))
    if exchange is not None:
        peer = exchange.peer_office
        initial.update({
            "exchange": exchange.pk, "criterion": exchange.criterion_id,
            "title": (_("Learn from %(office)s on %(criterion)s") % {
                "office": peer.name, "criterion": exchange.criterion.name})[:200],
            "opportunity": exchange.message[:2_000],
            "partners": f"{peer.name} ({peer.city.name})",
        })
    return initial


def _exchange_to_follow_up(request, assessment, raw):
    """The accepted (or held) exchange of this plan's office named by `raw`, that the user
    may follow up and that is not an action yet; None for no id; a 404 for anything else."""
    if not raw:
        return None
    from django.http import Http404

    from .access import get_exchange_for_user

    if not raw.isdigit():
        raise Http404
    exchange, rights = get_exchange_for_user(request, int(raw))
    if exchange.assessment_id != assessment.pk or not rights.can_follow_up:
        raise Http404
    if not exchange.is_actionable or exchange.action_id is not None:
        raise PermissionDenied(_("Only an accepted exchange that is not an action yet can "
                                 "become one."))
    return exchange


def action_add(request, pk):
    assessment, _access = get_assessment_for_user(request, pk, need=PLAN)
    if request.method == "POST":
        already = _already_submitted(request)
        if already:
            return already
        form = ActionForm(request.POST, assessment=assessment)
        exchange = _exchange_to_follow_up(request, assessment, request.POST.get("exchange", ""))
        if form.is_valid():
            try:
                action = plans.create_action(
                    assessment=assessment, content=form.content(), by=request.user,
                    submission_key=form.cleaned_data["submission_key"], exchange=exchange)
            except workflow.AlreadySubmitted as done:
                return _to_earlier_submission(request, done.target_url)
            messages.success(request, _("Action “%(title)s” added to the plan.")
                             % {"title": action.title})
            return redirect(action.get_absolute_url())
    else:
        form = ActionForm(initial=_prefill(request, assessment), assessment=assessment)
    if not form["submission_key"].value():
        form.initial["submission_key"] = uuid.uuid4()
    return render(request, "criteria/action_form.html", {
        "assessment": assessment, "form": form, "action": None,
        "title": _("New action"),
    }, status=422 if form.errors else 200)


def _label(name):
    return ActionForm.base_fields[name].label or Action._meta.get_field(name).verbose_name


def _show(name, value):
    if value in (None, ""):
        return ""
    if name == "status":
        return Action.Status(value).label
    if name == "criterion_id":
        from .models import Criterion

        criterion = Criterion.objects.filter(pk=value).first()
        return f"{criterion.number}. {criterion.name}" if criterion else value
    if name == "owner_member_id":
        from cities.models import User

        user = User.objects.filter(pk=value).first()
        return user.display_name if user else value
    return value


def action_edit(request, pk):
    action, access = get_action_for_user(request, pk)
    if not access.can_plan:
        raise PermissionDenied(access.refusal(PLAN, action.assessment))
    assessment = action.assessment
    context = {"assessment": assessment, "action": action, "title": _("Edit action")}
    if request.method != "POST":
        context["form"] = ActionForm(instance=action, assessment=assessment)
        return render(request, "criteria/action_form.html", context)
    form = ActionForm(request.POST, instance=Action.objects.get(pk=action.pk),
                      assessment=assessment)
    context["form"] = form
    if not form.is_valid():
        return render(request, "criteria/action_form.html", context, status=422)
    base = form.cleaned_data.get("version") or action.version
    try:
        saved = plans.save_action(action=action, content=form.content(), base_version=base,
                                  by=request.user)
    except workflow.StaleVersion as stale:
        return _action_conflict(request, context, form, stale)
    note = _merge_note(saved, request.user,
                       lambda kept: [str(_label(n.removesuffix("_id"))) for n in kept])
    if note:
        messages.info(request, note)
    messages.success(request, _("Action “%(title)s” saved.") % {"title": saved.title})
    return redirect(saved.get_absolute_url())


def _action_conflict(request, context, form, stale):
    """Both changed the same fields: base, theirs and yours side by side; the form holds
    the editor's input with the other person's other changes folded in, at the new version."""
    current = stale.current
    mine = plans._comparable(form.content())
    base = stale.base or {}
    conflicts = stale.conflicts or [n for n in mine if getattr(current, n) != mine[n]]
    data = request.POST.copy()
    data["version"] = str(current.version)
    for name in stale.merged:
        if name not in conflicts and name in mine and stale.merged[name] != mine[name]:
            value = stale.merged[name]
            field = name.removesuffix("_id")
            data[field] = "" if value is None else str(value)
    merged_form = ActionForm(data, instance=Action.objects.get(pk=current.pk),
                             assessment=context["assessment"])
    merged_form.is_valid()
    by_me = current.updated_by_id == request.user.pk
    who = current.updated_by.display_name if current.updated_by else _("Someone")
    context.update({
        "form": merged_form, "conflict": True, "by_me": by_me, "who": who,
        "differences": [
            {"label": _label(name.removesuffix("_id")),
             "base": _show(name, base.get(name)) if stale.base else None,
             "theirs": _show(name, getattr(current, name)),
             "mine": _show(name, mine.get(name))}
            for name in conflicts
        ],
    })
    return render(request, "criteria/action_form.html", context, status=409)


def action_delete(request, pk):
    action, _access = get_action_for_user(request, pk, need=PLAN)
    assessment = action.assessment
    if request.method == "POST":
        version = request.POST.get("version", "")
        try:
            plans.delete_action(action=action, by=request.user,
                                base_version=int(version) if version.isdigit() else None)
        except workflow.StaleVersion:
            messages.error(request, _("Someone changed this action after you opened it, so it "
                                      "was not removed. Check it again."))
            return redirect("criteria:action-edit", pk=action.pk)
        messages.success(request, _("Action “%(title)s” removed.") % {"title": action.title})
        return redirect(reverse("criteria:plan", args=[assessment.pk]) + "#actions")
    return render(request, "criteria/action_confirm_delete.html", {
        "assessment": assessment, "action": action, "title": _("Remove action"),
    })
