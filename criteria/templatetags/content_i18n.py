"""Show content we wrote in the reader's language; framework fallbacks to English are marked."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from criteria.seed_translations import in_reader_language
from ovp_assess.citations import translate_citation

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


# --- text we wrote into seeded rows (Part 4 assessments); user text is shown as typed ----------


@register.filter
def text_of(obj, field):
    return in_reader_language(obj, field)


@register.filter
def lang_attr(value):
    """` lang="en"` when `value` (a LocalText) is in another language than the page."""
    lang = getattr(value, "lang", "")
    page = (get_language() or "en").lower()
    if not lang or not str(value) or lang.lower() == page:
        return ""
    return format_html(' lang="{}"', lang)


@register.filter
def cite(text):
    """A citation ("PiOC 2024, Part 3, Criterion 1, n. 36") in the reader's language."""
    return translate_citation(text)
