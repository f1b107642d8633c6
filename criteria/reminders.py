"""Deadline reminders: 14 and 3 days before a round closes, and once when it is overdue.

The background worker's sweep (reports/management/commands/run_worker.py) enqueues
`send_deadline_reminders` at start-up and every --recover-every seconds. Each email goes to
one editor of an invited office whose assessment in the round is not submitted (or not
started), in that person's saved language. `ReminderSent` is claimed before the email is
sent, in the same transaction: if sending fails the claim is rolled back and the next sweep
tries again; a second worker waits on the claim and then skips it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from cities.models import OfficeMembership

from .models import Assessment, ReminderSent, Round
from .templatetags.deadlines import deadline_text

logger = logging.getLogger("criteria.reminders")

#: An overdue reminder goes out only this long after the closing date: rounds closed long
#: ago (e.g. those converted from free text) never start mailing.
OVERDUE_WINDOW = timedelta(days=30)


def kind_for(days_left):
    """Which reminder is due with `days_left` to the deadline (only the latest stage)."""
    if days_left < 0:
        return ReminderSent.Kind.OVERDUE
    if days_left <= 3:
        return ReminderSent.Kind.DAYS_3
    if days_left <= 14:
        return ReminderSent.Kind.DAYS_14
    return None


def _pending(today):
    """(round, office, assessment or None, kind) for every invited office still to submit."""
    rounds = (Round.objects.filter(closed_at__isnull=True, opens_on__lte=today,
                                   closes_on__gte=today - OVERDUE_WINDOW,
                                   closes_on__lte=today + timedelta(days=14))
              .prefetch_related("invited_offices"))
    for rnd in rounds:
        kind = kind_for(rnd.days_left(today))
        if kind is None:
            continue
        started = {a.office_id: a for a in Assessment.objects.filter(round=rnd)}
        for office in rnd.invited_offices.all():
            assessment = started.get(office.pk)
            if assessment is not None and assessment.status not in Assessment.EDITABLE_STATUSES:
                continue  # submitted or published
            yield rnd, office, assessment, kind


def _message(rnd, office, assessment, kind, today):
    if assessment is not None:
        link = settings.SITE_URL.rstrip("/") + assessment.get_absolute_url()
    else:
        link = settings.SITE_URL.rstrip("/") + reverse("criteria:assessment-start",
                                                       args=[office.slug])
    days = rnd.days_left(today)
    when = deadline_text(days)
    subject = _("Round %(round)s: %(office)s's self-assessment is %(when)s") % {
        "round": rnd.name, "office": office.name, "when": when}
    if assessment is None:
        action = _("Your office has not started its assessment yet. Start it here:")
    else:
        action = _("Continue and submit it here:")
    body = "\n\n".join([
        _("The %(network)s secretariat asked %(office)s to assess itself in the round "
          "%(round)s, which closes on %(date)s (%(when)s).") % {
            "network": rnd.network.name, "office": office.name, "round": rnd.name,
            "date": date_format(rnd.closes_on, "DATE_FORMAT"), "when": when},
        f"{action}\n{link}",
        _("You receive this because you are an editor of %(office)s.") % {
            "office": office.name},
    ])
    return subject, body


def send_reminders(*, today=None):
    """Send every reminder that is due and not yet sent. Returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for rnd, office, assessment, kind in list(_pending(today)):
        editors = (OfficeMembership.objects.filter(office=office,
                                                   role=OfficeMembership.Role.EDITOR)
                   .select_related("user").order_by("user_id"))
        for membership in editors:
            user = membership.user
            if not user.is_active or not user.email:
                continue
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(round=rnd, office=office, user=user, kind=kind)
                    language = user.preferred_language or settings.LANGUAGE_CODE
                    with translation.override(language):
                        subject, body = _message(rnd, office, assessment, kind, today)
                    send_mail(subject, body, None, [user.email], fail_silently=False)
            except IntegrityError:
                continue  # already sent (by an earlier sweep or another worker)
            sent += 1
    if sent:
        logger.info("Sent %s deadline reminders", sent)
    return sent


@task()
def send_deadline_reminders() -> int:
    return send_reminders()
