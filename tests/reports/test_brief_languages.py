"""A Spanish or Portuguese brief of Cali has no English left but proper names.

Everything in a Part 4 brief is content we wrote (the report's chart in our words), so the
check is strict: every English text of Cali's seed is absent, its translation is present, and
no English function word survives once proper names are taken out.
"""

import json
import re

import pytest
from django.utils import translation

from criteria import seeding
from criteria.models import Assessment, CriterionResponse
from criteria.seed_translations import part4_english, translations_of
from reports import renderers
from reports.selectors import brief_queryset, build_office_brief

from .conftest import pdf_text

pytestmark = pytest.mark.django_db

REPORT_TITLE = "Lessons from Effective Offices of Violence Prevention"
# Names of programmes, organisations and publications that stay as they are in any language.
PROPER_NAMES = (
    REPORT_TITLE,
    "REACH Edmonton Council for Safe Communities",
    "Out of School Time",
    "Bridging Together",
)
ENGLISH_WORDS = re.compile(
    r"\b(the|and|of|with|for|from|which|that|is|are|was|were|has|have|this|to|by|its|"
    r"not|criterion|chart|report|part|secretariat|review|opening|page|goal|about)\b",
    re.IGNORECASE,
)


def _squash(text):
    return " ".join(text.split())


def _english_left(text):
    text = " ".join(text.split())  # a proper name may wrap across lines in the PDF
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return sorted({m.group(0).lower() for m in ENGLISH_WORDS.finditer(text)})


def _cali_texts(lang):
    english = {p: t for p, t in part4_english(_read(seeding.PART4_FILE)).items()
               if p[0] == "cali-2023"}
    translated = translations_of(_read(seeding.PART4_TRANSLATION_FILES[lang]))
    return [(t, translated[p]["text"]) for p, t in english.items()
            if p[-1] != "level_rationale"]  # rationales are on the assessment page, not the brief


def _read(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _without_title(text):
    return text.replace(REPORT_TITLE + " (PiOC 2024), ", "")


def _cali_brief(part4, lang):
    assessment = brief_queryset().get(pk=part4["cali"].pk)
    with translation.override(lang):
        return build_office_brief(assessment, peers_from=Assessment.objects.published())


def _visible_text(html):
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return _squash(body.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&"))


def _variants(translated):
    """The text, and the forms it takes in a run row: a chart's rows, one per criterion, print
    as one row with "N" for the criterion's number (one of the text's numbers)."""
    yield translated
    for m in re.finditer(r"\b[1-9]\b", translated):
        yield translated[:m.start()] + "N" + translated[m.end():]


def _shown(translated, text):
    """The text is on the page whole, or, for an evidence title whose group shares its
    opening ("…, Parte 4, La coordinación en Cali"), as that heading plus the rest of the
    title after ": " under it; a chart's per-criterion rows as their one run row."""
    for variant in _variants(translated):
        if _squash(variant) in text:
            return True
        head, sep, rest = variant.rpartition(": ")
        if sep and _squash(head) in text and _squash(rest) in text:
            return True
    return False


@pytest.mark.parametrize("lang", ["es", "pt-br"])
def test_cali_brief_html_has_our_translations_and_none_of_our_english(part4, lang):
    brief = _cali_brief(part4, lang)
    _name, _type, content = renderers.render_brief_html(brief, lang=lang)
    text = _visible_text(content.decode())
    for english, translated in _cali_texts(lang):
        assert _squash(_without_title(english)) not in text, english
        assert _shown(_without_title(translated), text), translated
    assert "Part 4" not in text and "Criterion" not in text
    assert _english_left(text) == []


@pytest.mark.parametrize("lang", ["es", "pt-br"])
def test_cali_brief_pdf_text_has_no_english_but_proper_names(part4, lang, tmp_path):
    brief = _cali_brief(part4, lang)
    _name, _type, content = renderers.render_brief_pdf(brief, lang=lang)
    # In the order it was written: a name in the two-column notes stays whole.
    text = pdf_text(content, tmp_path, raw=True)
    assert _english_left(text) == []
    for english, translated in _cali_texts(lang):
        # Opening words: a page break may fall inside a long paragraph.
        assert any(" ".join(_without_title(v).split()[:6]) in text
                   for v in _variants(translated)), translated
        english_opening = " ".join(_without_title(english).split()[:6])
        assert english_opening not in text, english


def test_english_brief_is_unchanged_by_the_translations(part4):
    brief = _cali_brief(part4, "en")
    assert brief.subject == "Cali's violence prevention ecosystem (SPCC and SSJ)"
    assert brief.rows[0].strengths.startswith("Each of the two secretariats")
    assert brief.evidence[0].source == "PiOC 2024, Part 4, Cali's Coordination"


def test_what_an_editor_wrote_stays_as_typed_in_every_language(part4):
    response = CriterionResponse.objects.get(assessment=part4["cali"], criterion__number=1)
    response.current_strengths = "Mandates written by a user, in English."
    response.language = "en"
    response.save()
    brief = _cali_brief(part4, "es")
    assert brief.rows[0].strengths == "Mandates written by a user, in English."
    assert brief.rows[0].strengths.lang == "en"
    html = renderers.render_brief_html(brief, lang="es")[2].decode()
    assert '<td lang="en">Mandates written by a user, in English.</td>' in html
    # The untouched cell beside it is still translated.
    assert brief.rows[0].opportunities.startswith("Diseñar una estrategia formal")
