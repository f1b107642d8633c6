"""Writes of peer exchange, and the emails they send.

Written like `criteria.workflow`: keyword-only functions under one transaction, the request
row locked and its `version` compared before a status change (a stale change raises
`StaleVersion`, nothing is written), `SubmissionKey` so a double click makes one request.
Each change is an `ExchangeEvent`; once it commits, the background worker sends its emails
(`send_exchange_notices`), each in the recipient's saved language, and marks the event told
so a rerun never sends twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from cities.access import exchange_access
from cities.models import NetworkRole, OfficeMembership, User

from . import access
from .models import Assessment, ExchangeEvent, ExchangeRequest, ExchangeSeen
from .peers import peers_above
from .workflow import StaleVersion, WorkflowError, _record_submission, claim_submission

logger = logging.getLogger("criteria.exchanges")
Status = ExchangeRequest.Status

#: status now → {new status: who may make the change ("peer" answers, "requester" follows up)}
TRANSITIONS = {
    Status.REQUESTED: {Status.ACCEPTED: "peer", Status.DECLINED: "peer",
                       Status.WITHDRAWN: "requester"},
    Status.ACCEPTED: {Status.HELD: "requester", Status.WITHDRAWN: "requester"},
}


def allowed_changes(exchange, exchange_access_):
    """The statuses this person may move `exchange` to now."""
    out = []
    for status, side in TRANSITIONS.get(exchange.status, {}).items():
        if (side == "peer" and exchange_access_.can_answer) or (
                side == "requester" and exchange_access_.can_follow_up):
            out.append(status)
    return out


@transaction.atomic
def request_exchange(*, assessment, criterion, peer_office, message, by, submission_key=None):
    """Ask `peer_office` (one of the peers above `assessment`'s office on `criterion`) for an
    exchange. Raises WorkflowError (with the field concerned) when the peer is not one of
    those shown, or an open request to it on this criterion exists."""
    locked = Assessment.objects.select_for_update(of=("self",)).select_related("office").get(
        pk=assessment.pk)
    access.require(by, locked, access.PLAN)
    claim = claim_submission(submission_key, by)
    selection = peers_above(assessment=locked, criterion=criterion, user=by, limit=None)
    found = next((p for p in selection.peers if peer_office in p.offices), None)
    if found is None:
        raise WorkflowError([("peer_office", _(
            "This office is not among the peers above yours on this criterion."))])
    exchange = ExchangeRequest(
        assessment=locked, criterion=criterion, requester_office=locked.office,
        peer_office=peer_office, peer_assessment=found.assessment, peer_level=found.level,
        message=message, created_by=by, updated_by=by)
    exchange.full_clean(exclude=["assessment", "criterion", "requester_office", "peer_office",
                                 "peer_assessment", "action", "created_by", "updated_by"])
    try:
        with transaction.atomic():
            exchange.save()
    except IntegrityError:
        raise WorkflowError([("peer_office", _(
            "Your office already has an open request to %(office)s on this criterion: see "
            "it in your exchanges.") % {"office": peer_office.name})]) from None
    event = ExchangeEvent.objects.create(exchange=exchange, status=Status.REQUESTED,
                                         note=message, by=by)
    ExchangeSeen.objects.create(exchange=exchange, user=by, seen_at=exchange.updated_at)
    _record_submission(claim, exchange.get_absolute_url())
    _queue_notices(event)
    return exchange


@transaction.atomic
def change_status(*, exchange, status, note, base_version, by):
    """Move `exchange` to `status` with `note`, if `by` may and nobody changed it since
    `base_version` (StaleVersion otherwise; nothing is written)."""
    current = ExchangeRequest.objects.select_for_update(of=("self",)).select_related(
        "requester_office", "peer_office", "updated_by").get(pk=exchange.pk)
    if current.version != base_version:
        raise StaleVersion(current)
    side = TRANSITIONS.get(current.status, {}).get(status)
    if side is None:
        raise WorkflowError([("status", _("A request that is %(now)s cannot become "
                                          "%(new)s.") % {
            "now": current.get_status_display().lower(),
            "new": Status(status).label.lower()})])
    rights = exchange_access(by, requester_office=current.requester_office,
                             peer_office=current.peer_office)
    refusal = rights.refusal(answering=side == "peer")
    if refusal:
        raise PermissionDenied(refusal)
    current.status = status
    current.version += 1
    current.updated_by = by
    current.save(update_fields=["status", "version", "updated_by", "updated_at"])
    event = ExchangeEvent.objects.create(exchange=current, status=status, note=note, by=by)
    mark_seen(exchange=current, user=by, at=current.updated_at)
    _queue_notices(event)
    return current


def mark_seen(*, exchange, user, at=None):
    ExchangeSeen.objects.update_or_create(
        exchange=exchange, user=user, defaults={"seen_at": at or timezone.now()})


def link_action(*, exchange, action):
    """Remember the action an exchange became (called inside `plans.create_action`)."""
    ExchangeRequest.objects.filter(pk=exchange.pk).update(action=action)


# --- emails --------------------------------------------------------------------------------


def _editors(office_id):
    return User.objects.filter(office_memberships__office_id=office_id,
                               office_memberships__role__in=OfficeMembership.EDITING_ROLES,
                               is_active=True)


def recipients(event):
    """Who is told of `event`: a new request goes to the peer's editors and leads and to the
    secretariat of both offices' networks; an answer to the asking office's editors and
    leads; "took place" and a withdrawal to the peer's. Never the person who made the
    change."""
    exchange = event.exchange
    if event.status == Status.REQUESTED:
        people = _editors(exchange.peer_office_id) | User.objects.filter(
            network_roles__role=NetworkRole.Role.SECRETARIAT,
            network_roles__network__cities__id__in=[exchange.requester_office.city_id,
                                                    exchange.peer_office.city_id],
            is_active=True)
    elif event.status in (Status.ACCEPTED, Status.DECLINED):
        people = _editors(exchange.requester_office_id)
    else:
        people = _editors(exchange.peer_office_id)
    return [u for u in people.distinct().order_by("pk") if u.email and u.pk != event.by_id]


def message_for(event):
    """(subject, body) of `event`'s email in the active language."""
    exchange = event.exchange
    names = {"requester": exchange.requester_office.name, "peer": exchange.peer_office.name,
             "number": exchange.criterion.number, "criterion": exchange.criterion.name,
             "who": event.by.display_name if event.by else _("Someone")}
    subjects = {
        Status.REQUESTED: _("Peer exchange requested: %(requester)s asks %(peer)s about "
                            "criterion %(number)s"),
        Status.ACCEPTED: _("Peer exchange accepted by %(peer)s (criterion %(number)s)"),
        Status.DECLINED: _("Peer exchange declined by %(peer)s (criterion %(number)s)"),
        Status.HELD: _("Peer exchange took place: %(requester)s and %(peer)s (criterion "
                       "%(number)s)"),
        Status.WITHDRAWN: _("Peer exchange withdrawn by %(requester)s (criterion "
                            "%(number)s)"),
    }
    intro = {
        Status.REQUESTED: _("%(who)s of %(requester)s would like to learn from %(peer)s on "
                            "criterion %(number)s, %(criterion)s."),
        Status.ACCEPTED: _("%(who)s of %(peer)s accepted the exchange on criterion "
                           "%(number)s, %(criterion)s."),
        Status.DECLINED: _("%(who)s of %(peer)s declined the exchange on criterion "
                           "%(number)s, %(criterion)s."),
        Status.HELD: _("%(who)s of %(requester)s marked the exchange on criterion "
                       "%(number)s, %(criterion)s as having taken place."),
        Status.WITHDRAWN: _("%(who)s of %(requester)s withdrew the request for an exchange "
                            "on criterion %(number)s, %(criterion)s: nothing more is asked "
                            "of %(peer)s."),
    }
    parts = [intro[event.status] % names]
    if event.note:
        parts.append(_("Their note:") + "\n" + event.note)
    link = settings.SITE_URL.rstrip("/") + reverse("criteria:exchange-detail",
                                                   args=[exchange.pk])
    parts.append(_("See it and answer here:") + "\n" + link)
    return subjects[event.status] % names, "\n\n".join(parts)


def _queue_notices(event):
    transaction.on_commit(lambda: send_exchange_notices.enqueue(event.pk))


def send_notices(event_id):
    """Send `event`'s emails once (the event is marked told in the same transaction)."""
    with transaction.atomic():
        event = (ExchangeEvent.objects.select_for_update()
                 .filter(pk=event_id, notified_at__isnull=True).first())
        if event is None:
            return 0
        event = ExchangeEvent.objects.select_related(
            "by", "exchange__criterion", "exchange__requester_office",
            "exchange__peer_office").get(pk=event.pk)
        sent = 0
        for user in recipients(event):
            with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                subject, body = message_for(event)
            send_mail(subject, body, None, [user.email], fail_silently=False)
            sent += 1
        ExchangeEvent.objects.filter(pk=event.pk).update(notified_at=timezone.now())
    if sent:
        logger.info("Sent %s peer-exchange emails for event %s", sent, event_id)
    return sent


@task()
def send_exchange_notices(event_id: int) -> int:
    return send_notices(event_id)


def send_pending_notices(*, older_than=None):
    """Send the emails of changes whose task never ran (e.g. the queue was down when the
    change committed). Safe beside the regular task: each event is sent once."""
    from datetime import timedelta

    cutoff = timezone.now() - (older_than or timedelta(minutes=5))
    pending = ExchangeEvent.objects.filter(notified_at__isnull=True, at__lt=cutoff)
    return sum(send_notices(pk) for pk in pending.order_by("pk").values_list("pk", flat=True))


@task()
def send_pending_exchange_notices() -> int:
    return send_pending_notices()
