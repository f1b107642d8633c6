"""Deadline words: "due in 3 days", "due today", "overdue by 2 days", "submitted late"."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def deadline_text(days):
    if days is None:
        return ""
    if days > 0:
        return ngettext("due in %(n)s day", "due in %(n)s days", days) % {"n": days}
    if days == 0:
        return _("due today")
    return ngettext("overdue by %(n)s day", "overdue by %(n)s days", -days) % {"n": -days}


@register.inclusion_tag("criteria/partials/deadline.html")
def deadline(assessment):
    """The deadline badge of an assessment not yet submitted, or "submitted late"."""
    days = assessment.days_left
    return {
        "text": deadline_text(days),
        "overdue": days is not None and days < 0,
        "late": assessment.submitted_late,
        "closes_on": assessment.round.closes_on,
    }
