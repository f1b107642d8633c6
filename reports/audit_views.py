"""The secretariat reads its networks' audit trail: filter it, page through it, export it."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities import audit
from cities.models import AuditEvent, Network

from . import tabular
from .exports import can_export

PAGE_SIZE = 100


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Event"), required=False,
        choices=[("", gettext_lazy("All events"))] + list(AuditEvent.Action.choices),
    )
    who = forms.CharField(label=gettext_lazy("User name contains"), required=False,
                          max_length=150)
    network = forms.ModelChoiceField(label=gettext_lazy("Network"), required=False,
                                     queryset=Network.objects.none(),
                                     empty_label=gettext_lazy("All my networks"))
    since = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("Until"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = Network.objects.managed_by(user).order_by("name")

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("“Until” must not be before “From”."))
        return cleaned

    def filter(self, events):
        data = self.cleaned_data
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("who"):
            events = events.filter(actor_name__icontains=data["who"])
        if data.get("network"):
            events = events.filter(networks=data["network"])
        if data.get("since"):
            events = events.filter(at__date__gte=data["since"])
        if data.get("until"):
            events = events.filter(at__date__lte=data["until"])
        return events


def _trail(request):
    if not can_export(request.user):  # the secretariat of a network, or a superuser
        raise PermissionDenied(_("Only the network secretariat reads the audit trail."))
    form = AuditFilterForm(request.GET or None, user=request.user)
    events = AuditEvent.objects.visible_to(request.user)
    if form.is_bound and form.is_valid():
        events = form.filter(events)
    return form, events


@login_required
def audit_trail(request):
    form, events = _trail(request)
    status = 400 if form.is_bound and not form.is_valid() else 200
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reports/audit_trail.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "forms_with_errors": [form] if form.is_bound and form.errors else [],
        "title": _("Audit trail"),
    }, status=status)


EXPORT_COLUMNS = [
    tabular.Column("time_utc", "When, in UTC (ISO 8601)"),
    tabular.Column("event", "What happened: " + ", ".join(AuditEvent.Action.values)),
    tabular.Column("user", "User name of who did it (as typed, for failed sign-ins)"),
    tabular.Column("address", "Client address (behind proxies: the right-most untrusted one)"),
    tabular.Column("page", "Path of the request"),
    tabular.Column("object_type", "Kind of object acted on"),
    tabular.Column("object_id", "Its id"),
    tabular.Column("object", "Its name when the event happened"),
    tabular.Column("what", "Details"),
]


def _rows(events):
    for e in events.iterator(chunk_size=tabular.CHUNK):
        yield [e.at.isoformat(), e.action, e.actor_name, e.ip or "", e.path, e.target_type,
               e.target_id, e.target_label, e.detail]


@login_required
def audit_trail_export(request, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    form, events = _trail(request)
    if form.is_bound and not form.is_valid():
        return audit_trail(request)
    audit.record(AuditEvent.Action.EXPORT, detail=f"audit trail {fmt}: {request.GET.urlencode()}",
                 networks=audit.networks_of_user(request.user))
    return tabular.export_response(fmt, EXPORT_COLUMNS, _rows(events), stem="ovp-audit-trail")
