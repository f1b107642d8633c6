"""Recording an office's next election or change of administration (`Transition`).

Records are added and removed, never edited, so two editors recording at once both keep
what they entered; a double submission adds one record (the unique constraints), reported
as already recorded. Views call these under `cities.access`.
"""

from django.db import IntegrityError, transaction

from .models import Transition


class AlreadyRecorded(Exception):
    """The same kind and date is already recorded for the office."""


def record_transition(*, office, content, by):
    try:
        with transaction.atomic():
            return Transition.objects.create(office=office, recorded_by=by, **content)
    except IntegrityError as clash:
        raise AlreadyRecorded from clash


@transaction.atomic
def remove_transition(*, transition, by):
    transition._change_reason = f"removed by {by.pk}"
    transition.delete()


def next_transition(office, *, today=None):
    """The soonest transition of `office` not yet past, or None."""
    if office is None:
        return None
    return office.transitions.upcoming(today).in_order().first()


def next_transition_for(assessment, *, today=None):
    """The next transition an assessment's memo names: its office's record; for an
    assessment of a city's ecosystem (no office), the soonest any office in the city
    recorded (an election is the city's)."""
    if assessment.office_id is not None:
        return next_transition(assessment.office, today=today)
    return (Transition.objects.filter(office__city_id=assessment.city_id)
            .upcoming(today).in_order().first())
