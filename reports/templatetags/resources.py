"""`{% resources_panel city assessment as panel %}` and the filters that write its numbers.

The office page (in `cities`) shows the panel without importing `reports`: it loads this
library instead. Numbers are written in the reader's language with grouping ("1.234.567").
"""

from django import template

from cities.figures import format_figure, format_number
from cities.models import PoliceControl
from criteria.models import FundingSource

from ..resources import build_resources_panel

register = template.Library()


@register.simple_tag
def resources_panel(city, assessment=None):
    """The panel for `city` and the profile of `assessment` (None: the city's facts only)."""
    profile = getattr(assessment, "profile", None) if assessment is not None else None
    return build_resources_panel(city=city, profile=profile)


@register.filter
def amount(value, decimals=0):
    """A money amount, grouped in the reader's language; "" for None."""
    if value is None:
        return ""
    return format_number(value, max_decimals=int(decimals))


@register.filter
def percent(value):
    """A share in percent with at most one decimal (the % sign is the template's)."""
    if value is None:
        return ""
    return format_number(value, max_decimals=1)


@register.filter
def count_figure(count):
    """A homicide count with its qualifier: "287", "más de 1.000"."""
    return format_figure(count.value, count.qualifier, max_decimals=0)


@register.filter
def funding_kind(code):
    return FundingSource.Kind(code).label if code in FundingSource.Kind.values else code


@register.filter
def police_control_label(code):
    return PoliceControl(code).label if code in PoliceControl.values else code
