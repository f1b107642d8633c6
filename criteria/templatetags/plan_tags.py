"""`{{ action|cost }}`: an estimated cost with its currency, grouped the reader's way."""

from django import template

from cities.figures import format_number

register = template.Library()


@register.filter
def cost(action):
    """"COP 12.500.000" in Spanish, "USD 12,500" in English; "" when no cost was given."""
    if action.cost_amount is None:
        return ""
    return f"{action.cost_currency} {format_number(action.cost_amount)}"


@register.filter
def opportunity_items(text):
    """The separate opportunities of a response's text (criteria.plans.opportunity_items)."""
    from criteria.plans import opportunity_items as split

    return split(text)
