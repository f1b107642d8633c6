"""`{% figure indicator %}`: an outcome figure with its qualifier, in the reader's language."""

from django import template

from cities.figures import format_figure

register = template.Library()


@register.simple_tag
def figure(indicator):
    """"under 15", "alrededor de 400", "43,1": never a bare, unqualified number."""
    return format_figure(indicator.value, indicator.qualifier)


@register.simple_tag
def number(value):
    """A plain number in the reader's language, without trailing zeros ("1.234,5")."""
    return "" if value is None else format_figure(value)
