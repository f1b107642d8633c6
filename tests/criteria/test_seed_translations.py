"""Translations of the content we seeded: complete, current, never on users' text.

When the English in fixtures/pioc_part4_assessments.json or pioc_network.json changes, the
entries made from the old English turn stale here; `python manage.py translation_status`
lists them with their English, and `--todo` / `--apply` update them.
"""

import copy
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from cities.models import Office
from criteria import seeding
from criteria.models import (
    Assessment,
    CriterionResponse,
    Evidence,
    FundingSource,
    OfficeProfile,
    source_hash,
)
from criteria.seed_translations import (
    network_english,
    part4_english,
    status,
    translations_of,
)
from ovp_assess.citations import translate_citation, unknown_parts

LANGUAGES = seeding.CONTENT_LANGUAGES  # ["es", "pt-br"]
HINT = "run `python manage.py translation_status` to list them with their English"


def _json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def _report(result):
    lines = [f"{kind} {' › '.join(map(str, p))}"
             for kind, paths in (("missing", result.missing), ("stale", result.stale),
                                 ("empty", result.empty), ("orphaned", result.orphaned))
             for p in paths]
    return f"{len(lines)} problems ({HINT}):\n" + "\n".join(lines[:20])


def test_both_languages_are_configured():
    assert LANGUAGES == ["es", "pt-br"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_part4_text_we_wrote_has_a_current_translation(lang):
    english = part4_english(_json(seeding.PART4_FILE))
    data = _json(seeding.PART4_TRANSLATION_FILES[lang])
    assert data["language"] == lang
    result = status(english, translations_of(data), lang)
    assert result.ok, _report(result)
    # Summaries, cells, level notes, evidence and profile notes of all four charts.
    assert len(english) > 250
    assert {p[0] for p in english} == {"bristol-2023", "cali-2023", "edmonton-2023",
                                       "rosario-2023"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_network_city_and_office_text_has_a_current_translation(lang):
    english = network_english(_json(seeding.NETWORK_FILE))
    data = _json(seeding.NETWORK_TRANSLATION_FILES[lang])
    assert data["language"] == lang
    result = status(english, translations_of(data), lang)
    assert result.ok, _report(result)
    # 22 office names, their descriptions and summaries, the cities' context, the networks'.
    assert sum(1 for p in english if p[0] == "office" and p[2] == "name") == 22
    assert sum(1 for p in english if p[0] == "city") == 20
    assert ("network", "pioc", "goal") in english
    assert len(english) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_differ_from_the_english_except_proper_names(lang):
    english = part4_english(_json(seeding.PART4_FILE))
    translated = translations_of(_json(seeding.PART4_TRANSLATION_FILES[lang]))
    same = [p for p, text in english.items() if translated[p]["text"] == text]
    assert same == [], same


def test_a_changed_english_text_makes_exactly_that_entry_stale():
    data = _json(seeding.PART4_FILE)
    translated = translations_of(_json(seeding.PART4_TRANSLATION_FILES["es"]))
    changed = copy.deepcopy(data)
    cali = next(a for a in changed["assessments"] if a["key"] == "cali-2023")
    cali["responses"][2]["opportunities"] += " Revised."
    cali["profile"]["staff_note"] = cali["profile"]["staff_note"].replace("highly", "very")
    result = status(part4_english(changed), translated, "es")
    assert sorted(result.stale) == [("cali-2023", "criterion", "3", "opportunities"),
                                    ("cali-2023", "profile", "staff_note")]
    assert result.missing == result.orphaned == result.empty == []


def test_a_reworded_evidence_title_is_new_but_its_unchanged_note_keeps_its_translation():
    data = _json(seeding.PART4_FILE)
    translated = translations_of(_json(seeding.PART4_TRANSLATION_FILES["es"]))
    changed = copy.deepcopy(data)
    cali = next(a for a in changed["assessments"] if a["key"] == "cali-2023")
    evidence = cali["responses"][0]["evidence"][1]
    old_title = evidence["title"]
    evidence["title"] = old_title + " (reworded)"
    result = status(part4_english(changed), translated, "es")
    new_path = ("cali-2023", "criterion", "1", "evidence", evidence["title"])
    assert result.missing == [(*new_path, "title")]
    assert result.moved == [(*new_path, "note")]
    assert result.orphaned == [("cali-2023", "criterion", "1", "evidence", old_title, "title")]
    assert result.stale == []


def test_translation_status_command_lists_stale_entries_and_fails(tmp_path, monkeypatch):
    data = _json(seeding.PART4_FILE)
    next(a for a in data["assessments"] if a["key"] == "rosario-2023")["summary"] += " New."
    english = tmp_path / "pioc_part4_assessments.json"
    english.write_text(json.dumps(data), encoding="utf-8")
    from criteria.management.commands import translation_status as command

    monkeypatch.setattr(command, "SOURCES", (
        ("Part 4 assessments", english, seeding.PART4_TRANSLATION_FILES, part4_english),
    ))
    out = io.StringIO()
    with pytest.raises(CommandError, match="missing, stale or orphaned"):
        call_command("translation_status", "--lang", "pt-br", stdout=out)
    text = out.getvalue()
    assert "1 stale" in text
    assert "stale    rosario-2023 › summary" in text
    assert "New." in text  # the current English, to translate from
    todo = tmp_path / "todo.json"
    call_command("translation_status", "--lang", "pt-br", "--todo", str(todo), stdout=out)
    entries = json.loads(todo.read_text(encoding="utf-8"))["entries"]
    assert [e["path"] for e in entries] == [["rosario-2023", "summary"]]
    assert entries[0]["source_hash"] == source_hash(
        next(a for a in data["assessments"] if a["key"] == "rosario-2023")["summary"])
    assert entries[0]["previous"].startswith("Rosario, a cidade mais importante")


def test_no_per_language_columns_on_fields_users_write():
    """A Spanish editor's edit must land in the field everyone reads, never in a `_es` column."""
    for model, fields in (
        (Assessment, ("summary", "level_note", "subject_label")),
        (OfficeProfile, ("budget_note", "staff_note", "focus_population", "mandate_goals")),
        (FundingSource, ("name",)),
        (CriterionResponse, ("current_strengths", "opportunities", "level_rationale")),
        (Evidence, ("title", "note")),
    ):
        names = {f.name for f in model._meta.get_fields()}
        for field in fields:
            assert f"{field}_es" not in names and f"{field}_pt_br" not in names, (model, field)


@pytest.mark.django_db
def test_seeded_rows_carry_their_translations_and_show_them_to_readers():
    response = CriterionResponse.objects.get(
        assessment__city__slug="cali", assessment__round__code="2023", criterion__number=7
    )
    assert response.translated("opportunities", "es") == (
        "Encontrar formas de contratar personal distintas de los contratos de corto plazo.",
        "es",
    )
    assert response.translated("opportunities", "pt-br")[0].startswith("Encontrar formas")
    assert response.translated("opportunities", "en") == (response.opportunities, "en")
    with translation.override("es"):
        assert str(response.assessment.subject) == (
            "Ecosistema de prevención de la violencia de Cali (SPCC y SSJ)")
    with translation.override("pt-br"):
        assert Office.objects.get(slug="oakland-dvp").name == (
            "Departamento de Prevenção da Violência")


@pytest.mark.django_db
def test_once_someone_edits_a_seeded_text_readers_see_the_edit_not_the_old_translation():
    response = CriterionResponse.objects.get(
        assessment__city__slug="cali", assessment__round__code="2023", criterion__number=7
    )
    response.opportunities = "Texto que escribió una editora."
    response.language = "es"
    response.save()
    response.refresh_from_db()
    assert response.translated("opportunities", "es") == ("Texto que escribió una editora.", "es")
    assert response.translated("opportunities", "pt-br") == (
        "Texto que escribió una editora.", "es")


def test_citations_are_built_in_the_readers_language():
    cite = "PiOC 2024, Part 3, Criterion 1, n. 36"
    assert translate_citation(cite, "es") == "PiOC 2024, Parte 3, Criterio 1, n. 36"
    assert translate_citation(cite, "pt-br") == "PiOC 2024, Parte 3, Critério 1, n. 36"
    assert translate_citation(cite, "en") == cite
    assert translate_citation(
        "PiOC 2024, Part 4, Cali's Coordination, n. 59; PiOC Symposium 2023, Part III: "
        "Symposium Recap", "es"
    ) == ("PiOC 2024, Parte 4, La coordinación en Cali, n. 59; Simposio PiOC 2023, Parte III: "
          "Resumen del simposio")


def _citations():
    """Every citation in the seed files and in the tradeoff rules."""
    from reports import tradeoffs

    found = set()

    def walk(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key and "source" in key and node:
            found.add(node)

    for path in (seeding.PART4_FILE, seeding.NETWORK_FILE, seeding.FRAMEWORK_FILE):
        walk(_json(path))
    for rule in tradeoffs.RULES:
        found.add(rule.section)
    return sorted(found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_seeded_citation_translates_completely(lang):
    citations = _citations()
    assert len(citations) > 100
    unknown = {c: unknown_parts(c, lang) for c in citations if unknown_parts(c, lang)}
    assert unknown == {}
