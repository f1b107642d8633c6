"""Rounds, opened by the network secretariat: list, open, edit (dates, invited offices), close.

Only the secretariat of the round's network (a superuser: every network) sees these pages;
another network's round is a 404 (criteria.access.get_round_for_user)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cities.access import is_secretariat
from cities.models import Network

from .access import get_round_for_user
from .forms import RoundForm
from .models import Round


def _require_secretariat(request):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Rounds are opened by the network secretariat."))
    request.ovp_private = True


@login_required
def round_list(request):
    _require_secretariat(request)
    rounds = (Round.objects.managed_by(request.user).select_related("network", "framework")
              .prefetch_related("invited_offices"))
    return render(request, "criteria/round_list.html",
                  {"rounds": rounds, "today": timezone.localdate(), "title": _("Rounds")})


def _save(request, form, *, created):
    try:
        with transaction.atomic():
            rnd = form.save()
    except IntegrityError:  # the same code saved by someone else a moment ago
        form.add_error("code", _("This network already has a round with this code."))
        return None
    messages.success(request, (_("Round %(name)s opened.") if created
                               else _("Round %(name)s saved.")) % {"name": rnd.name})
    return redirect("criteria:round-list")


@login_required
def round_create(request):
    _require_secretariat(request)
    networks = Network.objects.managed_by(request.user)
    form = RoundForm(request.POST or None, networks=networks)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, created=True)
        if done:
            return done
    return render(request, "criteria/round_form.html",
                  {"form": form, "title": _("Open a round")},
                  status=422 if form.errors else 200)


@login_required
def round_edit(request, pk):
    rnd = get_round_for_user(request, pk)
    networks = Network.objects.managed_by(request.user)
    form = RoundForm(request.POST or None, instance=rnd, networks=networks)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, created=False)
        if done:
            return done
    return render(request, "criteria/round_form.html",
                  {"form": form, "round": rnd,
                   "title": _("Round %(name)s") % {"name": rnd.name}},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def round_close(request, pk):
    rnd = get_round_for_user(request, pk)
    if rnd.closed_at is None:
        rnd.closed_at = timezone.now()
        rnd.save(update_fields=["closed_at"])
        messages.success(request, _("Round %(name)s closed: no assessment starts in it any "
                                    "more.") % {"name": rnd.name})
    return redirect("criteria:round-list")
