"""Show framework content in the reader's language, and say so when it falls back to English."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _own_column(obj, field):
    language = get_language() or "en"
    if language.split("-")[0] == "en":
        return None
    return f"{field}_{language.replace('-', '_')}"


@register.filter
def untranslated(obj, field):
    """True when `field` of `obj` has no text in the active language (English is shown)."""
    column = _own_column(obj, field)
    return bool(column) and not getattr(obj, column, None) and bool(getattr(obj, f"{field}_en"))


@register.simple_tag
def fallback_marker():
    return format_html('<span class="fallback-marker">{}</span>', _("not yet translated"))


@register.filter
def tr(obj, field):
    """The field in the active language, or the English text marked as untranslated."""
    if untranslated(obj, field):
        return format_html(
            '<span lang="en">{}</span><span class="fallback-marker">{}</span>',
            getattr(obj, f"{field}_en"), _("not yet translated"),
        )
    return getattr(obj, field)
