"""Peer exchange pages: peers above on a criterion, asking one, the inbox, one request, and
the secretariat's network list.

Every view fetches through the access layer (`criteria.access`, `cities.access`): another
office's assessment or a request between two other offices is a 404; writes go through
`criteria.exchanges`.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.access import require_secretariat
from cities.models import roles_of

from . import exchanges, workflow
from .access import PLAN, VIEW, get_assessment_for_user, get_exchange_for_user
from .assessment_views import _already_submitted, _to_earlier_submission
from .exchange_forms import ExchangeFilterForm, ExchangeRequestForm, ExchangeStatusForm
from .models import ExchangeRequest, ExchangeSeen, Framework
from .peers import peers_above


def _criterion(assessment, number):
    criterion = assessment.framework.criteria.filter(number=number).first()
    if criterion is None:
        raise Http404
    return criterion


def _open_requests(assessment, criterion):
    """peer office id → the office's open request to it on this criterion."""
    if assessment.office_id is None:
        return {}
    return {e.peer_office_id: e for e in ExchangeRequest.objects.filter(
        requester_office_id=assessment.office_id, criterion=criterion,
        status__in=ExchangeRequest.OPEN_STATUSES)}


def peers(request, pk, number):
    assessment, access = get_assessment_for_user(request, pk, need=VIEW)
    criterion = _criterion(assessment, number)
    selection = peers_above(assessment=assessment, criterion=criterion, user=request.user)
    can_plan = access.can_plan and assessment.office_id is not None
    asked = _open_requests(assessment, criterion) if can_plan else {}
    for peer in selection.peers:
        peer.contacts = [(office, asked.get(office.pk)) for office in peer.offices]
    return render(request, "criteria/peers.html", {
        "assessment": assessment, "criterion": criterion, "selection": selection,
        "can_plan": can_plan,
        "title": _("Peers further along on criterion %(n)s") % {"n": criterion.number},
    })


def exchange_new(request, pk, number):
    assessment, _access = get_assessment_for_user(request, pk, need=PLAN)
    criterion = _criterion(assessment, number)
    if assessment.office_id is None:
        raise PermissionDenied(_("Only an office's assessment can ask for an exchange."))
    selection = peers_above(assessment=assessment, criterion=criterion, user=request.user,
                            limit=None)
    offices = [o for p in selection.peers for o in p.offices]
    status = 200
    if request.method == "POST":
        already = _already_submitted(request)
        if already:
            return already
        form = ExchangeRequestForm(request.POST, offices=offices)
        if form.is_valid():
            try:
                exchange = exchanges.request_exchange(
                    assessment=assessment, criterion=criterion,
                    peer_office=form.cleaned_data["peer_office"],
                    message=form.cleaned_data["message"], by=request.user,
                    submission_key=form.cleaned_data["submission_key"])
            except workflow.AlreadySubmitted as done:
                return _to_earlier_submission(request, done.target_url)
            except workflow.WorkflowError as refused:
                for field, problem in refused.problems:
                    form.add_error(field, problem)
            else:
                messages.success(request, _(
                    "Your request was sent to %(office)s. Their editors and the network "
                    "secretariat were told; you will see their answer in your exchanges.")
                    % {"office": exchange.peer_office.name})
                return redirect(exchange.get_absolute_url())
        status = 422
    else:
        slug = request.GET.get("peer", "")
        chosen = next((o for o in offices if o.slug == slug), None)
        form = ExchangeRequestForm(offices=offices, initial={
            "submission_key": uuid.uuid4(), "peer_office": chosen.pk if chosen else None})
    return render(request, "criteria/exchange_form.html", {
        "assessment": assessment, "criterion": criterion, "form": form,
        "selection": selection,
        "title": _("Ask a peer for an exchange on criterion %(n)s") % {"n": criterion.number},
    }, status=status)


def _with_seen(queryset, user):
    seen = ExchangeSeen.objects.filter(exchange=OuterRef("pk"), user=user).values("seen_at")
    return queryset.annotate(seen_at=Subquery(seen[:1]))


def _mark_new(rows, user):
    for row in rows:
        row.is_new = row.updated_by_id != user.pk and (
            row.seen_at is None or row.updated_at > row.seen_at)
    return rows


@login_required
def inbox(request):
    request.ovp_private = True
    mine = set(roles_of(request.user).office_ids())
    rows = _mark_new(list(_with_seen(
        ExchangeRequest.objects.inbox_for(request.user), request.user).select_related(
        "criterion", "requester_office__city", "peer_office__city")), request.user)
    received = [r for r in rows if r.peer_office_id in mine]
    sent = [r for r in rows if r.requester_office_id in mine and r.peer_office_id not in mine]
    return render(request, "criteria/exchange_inbox.html", {
        "received": received, "sent": sent,
        "new_count": sum(r.is_new for r in received + sent),
        "title": _("Peer exchanges"),
    })


def _detail_context(request, exchange, rights, form=None):
    allowed = exchanges.allowed_changes(exchange, rights)
    events = list(exchange.events.select_related("by"))
    return {
        "exchange": exchange, "events": events, "rights": rights, "allowed": allowed,
        "form": form or ExchangeStatusForm(allowed=allowed,
                                           initial={"version": exchange.version}),
        "can_make_action": rights.can_follow_up and exchange.is_actionable
        and exchange.action_id is None,
        "title": str(exchange),
    }


def exchange_detail(request, pk):
    exchange, rights = get_exchange_for_user(request, pk)
    exchanges.mark_seen(exchange=exchange, user=request.user)
    return render(request, "criteria/exchange_detail.html",
                  _detail_context(request, exchange, rights))


@require_POST
def exchange_status(request, pk):
    exchange, rights = get_exchange_for_user(request, pk)
    if not (rights.can_answer or rights.can_follow_up):
        raise PermissionDenied(rights.refusal(answering=exchange.status
                                              == ExchangeRequest.Status.REQUESTED))
    version = request.POST.get("version", "")
    if version.isdigit() and int(version) != exchange.version:
        # Someone changed it since this page was loaded: say what happened, keep the note.
        return _stale(request, exchange, rights)
    allowed = exchanges.allowed_changes(exchange, rights)
    if not allowed:
        raise PermissionDenied(_("This request is “%(status)s”: it cannot change that way "
                                 "now.") % {"status": exchange.get_status_display()})
    side = exchanges.TRANSITIONS.get(exchange.status, {}).get(request.POST.get("status", ""))
    if side is not None and request.POST["status"] not in allowed:
        # A change the other side makes (the asking office accepting its own request).
        raise PermissionDenied(rights.refusal(answering=side == "peer"))
    form = ExchangeStatusForm(request.POST, allowed=allowed)
    if not form.is_valid():
        return render(request, "criteria/exchange_detail.html",
                      _detail_context(request, exchange, rights, form), status=422)
    try:
        saved = exchanges.change_status(
            exchange=exchange, status=form.cleaned_data["status"],
            note=form.cleaned_data["note"], base_version=form.cleaned_data["version"],
            by=request.user)
    except workflow.StaleVersion as stale:
        return _stale(request, stale.current, rights)
    except workflow.WorkflowError as refused:
        for field, problem in refused.problems:
            form.add_error(field if field in form.fields else None, problem)
        return render(request, "criteria/exchange_detail.html",
                      _detail_context(request, exchange, rights, form), status=422)
    messages.success(request, _("The request is now “%(status)s”.")
                     % {"status": saved.get_status_display()})
    return redirect(saved.get_absolute_url())


def _stale(request, current, rights):
    current = ExchangeRequest.objects.select_related(
        "criterion", "assessment__round", "requester_office__city", "peer_office__city",
        "updated_by", "action").get(pk=current.pk)
    allowed = exchanges.allowed_changes(current, rights)
    form = ExchangeStatusForm(initial={"version": current.version,
                                       "note": request.POST.get("note", "")}, allowed=allowed)
    context = _detail_context(request, current, rights, form)
    context["stale"] = current
    context["kept_note"] = request.POST.get("note", "") if not allowed else ""
    return render(request, "criteria/exchange_detail.html", context, status=409)


@login_required
def network(request):
    require_secretariat(request)
    framework = Framework.objects.default()
    criteria = list(framework.criteria.order_by("number")) if framework else []
    form = ExchangeFilterForm(request.GET or None, criteria=criteria)
    rows = ExchangeRequest.objects.of_networks_managed_by(request.user).select_related(
        "criterion", "requester_office__city", "peer_office__city", "created_by")
    if form.is_valid():
        if form.cleaned_data["criterion"]:
            rows = rows.filter(criterion__number=form.cleaned_data["criterion"])
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
    rows = list(rows.order_by("criterion__number", "-updated_at", "-pk"))
    by_criterion = {}
    for row in rows:
        by_criterion.setdefault(row.criterion, []).append(row)
    return render(request, "criteria/exchange_network.html", {
        "form": form, "groups": list(by_criterion.items()), "total": len(rows),
        "title": _("Peer exchanges in your networks"),
    }, status=200 if form.is_bound is False or form.is_valid() else 422)
