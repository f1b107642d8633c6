"""`{{ evidence.date|partial_date:evidence.date_precision }}` → "January 2024"."""

from django import template

from criteria.dates import format_partial_date

register = template.Library()


@register.filter
def partial_date(value, precision="day"):
    return format_partial_date(value, precision)
