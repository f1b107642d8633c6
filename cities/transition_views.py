"""The office's next elections and changes of administration: read by anyone (like the
office itself), recorded and removed by its editors (`cities.access`), written through
`cities.transitions`."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import transitions
from .access import TRANSITIONS, get_office_for_user, get_transition_for_user, office_access
from .forms import TransitionForm
from .models import Office


def office_transitions(request, slug):
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        office, access = get_office_for_user(request, slug, need=TRANSITIONS)
    else:
        office = get_object_or_404(Office.objects.select_related("city"), slug=slug)
        access = office_access(request.user, office)
    form = None
    if access.can_record_transitions:
        form = TransitionForm(request.POST or None, office=office)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = transitions.record_transition(office=office, content=form.cleaned_data,
                                                     by=request.user)
        except transitions.AlreadyRecorded:
            existing = office.transitions.filter(
                kind=form.cleaned_data["kind"], year=form.cleaned_data["year"],
                month=form.cleaned_data["month"]).first()
            if existing is not None and form.same_as(existing):
                # A repeated submission (a double click, a reload): nothing new to keep.
                messages.info(request, _("This is already recorded."))
                return redirect("cities:office-transitions", slug=office.slug)
            # The same date with other words: keep what this person typed, say what to do.
            form.add_error("year", _("This kind of transition is already recorded for this "
                                     "date, with another note or source. Remove that record "
                                     "first to replace it."))
        else:
            messages.success(request, _("Recorded: %(kind)s, %(when)s.") % {
                "kind": recorded.get_kind_display(), "when": recorded.when})
            return redirect("cities:office-transitions", slug=office.slug)
    today = timezone.localdate()
    records = list(office.transitions.select_related("recorded_by").in_order())
    upcoming = [t for t in records if not t.is_past(today)]
    return render(request, "cities/transitions.html", {
        "office": office, "form": form,
        "upcoming": upcoming, "past": [t for t in records if t.is_past(today)][::-1],
        "next": upcoming[0] if upcoming else None,
        "forms_with_errors": [form] if form is not None and form.errors else [],
        "title": _("Elections and changes of administration: %(office)s") % {
            "office": office.name},
    }, status=422 if form is not None and form.errors else 200)


def transition_remove(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    transition, _access = get_transition_for_user(request, pk)
    office = transition.office
    if request.method == "POST":
        transitions.remove_transition(transition=transition, by=request.user)
        messages.success(request, _("Removed: %(kind)s, %(when)s.") % {
            "kind": transition.get_kind_display(), "when": transition.when})
        return redirect("cities:office-transitions", slug=office.slug)
    return render(request, "cities/transition_remove.html", {
        "office": office, "transition": transition,
        "title": _("Remove an election or change of administration"),
    })
