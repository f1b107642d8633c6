"""The improvement plan's actions as CSV, XLSX or JSON (one row per action).

Columns are declared once (names and meanings); the rows come from one query. User text
goes through tabular's renderers, which quote anything a spreadsheet would run.
"""

from django.http import Http404
from django.utils import timezone

from cities import audit
from cities.models import AuditEvent
from criteria.access import get_assessment_for_user
from criteria.models import Action

from . import tabular
from .tabular import Column

ACTION_COLUMNS = [
    Column("action_id", "Action id (also in the API: /api/actions/<id>/)"),
    Column("assessment_id", "The assessment the plan was made from"),
    Column("round", "That assessment's round"),
    Column("office_slug", "Office identifier"),
    Column("criterion_number", "1–9"),
    Column("criterion_name", "Criterion name"),
    Column("title", "What will be done"),
    Column("opportunity", "The opportunity it answers (free text)"),
    Column("owner", "Owner: a named person or a role (free text)"),
    Column("owner_member", "The owner's account here, if linked (username)"),
    Column("partners", "Partners (free text)"),
    Column("start_date", "Start date (YYYY-MM-DD)"),
    Column("due_date", "Due date (YYYY-MM-DD)"),
    Column("status", "planned, in_progress, done or dropped"),
    Column("late", "true when not done or dropped and the due date has passed (as of export)"),
    Column("cost_amount", "Estimated cost, in cost_currency"),
    Column("cost_currency", "ISO 4217 code"),
    Column("done_when", "How done will be shown: an indicator or evidence (free text)"),
    Column("carried_from_id", "The action of an earlier plan this one continues, if any"),
    Column("updated_at", "Last change (UTC, ISO 8601)"),
]


def action_rows(actions, *, today=None):
    today = today or timezone.localdate()
    query = actions.select_related(
        "assessment__office", "assessment__round", "criterion", "owner_member",
    ).order_by("criterion__number", "due_date", "pk")
    for a in query.iterator(chunk_size=tabular.CHUNK):
        yield [
            a.pk, a.assessment_id, a.assessment.round.code,
            a.assessment.office.slug if a.assessment.office_id else "",
            a.criterion.number, a.criterion.name, a.title, a.opportunity, a.owner,
            a.owner_member.username if a.owner_member_id else "", a.partners,
            a.start_date.isoformat() if a.start_date else None,
            a.due_date.isoformat() if a.due_date else None,
            a.status, a.is_late(today), a.cost_amount, a.cost_currency, a.done_when,
            a.carried_from_id, a.updated_at.isoformat(),
        ]


def plan_export(request, pk, fmt):
    if fmt not in tabular.FORMATS:
        raise Http404("Unknown export format.")
    assessment, _access = get_assessment_for_user(request, pk)
    if request.user.is_authenticated and not (assessment.is_frozen and assessment.is_public):
        audit.record(AuditEvent.Action.EXPORT, target=assessment, detail=f"plan {fmt}")
    rows = action_rows(Action.objects.filter(assessment=assessment))
    return tabular.export_response(fmt, ACTION_COLUMNS, rows,
                                   stem=f"plan-{assessment.pk}-{assessment.round.code}")
