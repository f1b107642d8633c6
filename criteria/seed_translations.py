"""Translations of the seed content we wrote: what is in English, translated, or stale.

The English seed files (`fixtures/pioc_part4_assessments.json`, `fixtures/pioc_network.json`)
are the truth. Each language has a companion file (`….es.json`, `….pt-br.json`) holding, for
every translatable text, the translation and `source_hash`, the fingerprint of the English it
was made from (`criteria.models.source_hash`). An entry whose English has changed since is
*stale*; an English text with no entry is *missing*; an entry whose English is gone (e.g. an
evidence title was reworded, which makes it a new item) is *orphaned*.

Entries are addressed by paths of natural keys, as the loader matches rows:
    ("cali-2023", "summary")
    ("cali-2023", "profile", "budget_note")
    ("cali-2023", "funding", <English source name>, "name")
    ("cali-2023", "criterion", "3", "opportunities")
    ("cali-2023", "criterion", "3", "evidence", <English title>, "note")
    ("office", "cali-security-justice", "name")
    ("city", "cali", "context")
    ("network", "pioc", "goal")
The companion files nest the same keys (see `fixtures/SCHEMA.md`).
"""

from __future__ import annotations

from dataclasses import dataclass

from criteria.models import source_hash

ASSESSMENT_FIELDS = ("subject_label", "summary", "level_note")
PROFILE_FIELDS = ("budget_note", "staff_note", "focus_population", "mandate_goals")
FUNDING_FIELDS = ("name",)
RESPONSE_FIELDS = ("level_rationale", "current_strengths", "opportunities",
                   "not_applicable_reason")
EVIDENCE_FIELDS = ("title", "note")
#: Office and city fields stored per language (django-modeltranslation, cities/translation.py).
OFFICE_FIELDS = ("name", "description", "budget_summary", "staff_summary", "funding_summary",
                 "approach_summary", "focus_population")
CITY_FIELDS = ("context",)
NETWORK_FIELDS = ("description", "goal")


def part4_english(data) -> dict[tuple, str]:
    """Every non-empty text of the English Part 4 seed, by path."""
    out = {}

    def put(path, value):
        if isinstance(value, str) and value.strip():
            out[path] = value

    for item in data["assessments"]:
        key = item["key"]
        for name in ASSESSMENT_FIELDS:
            put((key, name), item.get(name))
        profile = item.get("profile", {})
        for name in PROFILE_FIELDS:
            put((key, "profile", name), profile.get(name))
        for source in profile.get("funding_sources", []):
            for name in FUNDING_FIELDS:
                put((key, "funding", source["name"], name), source.get(name))
        for resp in item["responses"]:
            number = str(resp["criterion"])
            for name in RESPONSE_FIELDS:
                put((key, "criterion", number, name), resp.get(name))
            for ev in resp.get("evidence", []):
                for name in EVIDENCE_FIELDS:
                    put((key, "criterion", number, "evidence", ev["title"], name), ev.get(name))
    return out


def network_english(data) -> dict[tuple, str]:
    out = {}
    for kind, items, names in (("network", data["networks"], NETWORK_FIELDS),
                               ("city", data["cities"], CITY_FIELDS),
                               ("office", data["offices"], OFFICE_FIELDS)):
        for item in items:
            for name in names:
                value = item.get(name)
                if isinstance(value, str) and value.strip():
                    out[(kind, item["slug"], name)] = value
    return out


def _flatten(node, prefix=()):
    """Walk a companion file's nested dicts down to {"text", "source_hash"} leaves."""
    if isinstance(node, dict) and "text" in node and "source_hash" in node:
        yield prefix, node
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flatten(value, (*prefix, key))


def translations_of(data) -> dict[tuple, dict]:
    """{path: {"text", "source_hash"}} of one companion file (Part 4 or network)."""
    out = {}
    for path, leaf in _flatten(data.get("assessments", {})):
        out[path] = leaf
    for kind, section in (("office", "offices"), ("city", "cities"), ("network", "networks")):
        for path, leaf in _flatten(data.get(section, {})):
            out[(kind, *path)] = leaf
    return out


def nest(entries: dict[tuple, dict]) -> dict:
    """The inverse of `translations_of`: nested dicts ready to write as a companion file."""
    sections = {"office": "offices", "city": "cities", "network": "networks"}
    root = {"assessments": {}, "offices": {}, "cities": {}, "networks": {}}
    for path, leaf in sorted(entries.items()):
        section = sections.get(path[0])
        node = root[section] if section else root["assessments"]
        keys = path[1:] if section else path
        for key in keys[:-1]:
            node = node.setdefault(key, {})
        node[keys[-1]] = leaf
    return root


class Index:
    """A companion file's entries by path, and by (first key, field, source hash) for entries
    whose path changed while their English did not (an evidence title reworded: its note keeps
    its translation)."""

    def __init__(self, translated: dict[tuple, dict]):
        self.by_path = translated
        self.by_hash = {(p[0], p[-1], e["source_hash"]): (p, e) for p, e in translated.items()}

    def find(self, path, english):
        """(entry, path it was found under) for the English `english` at `path`."""
        if path in self.by_path:
            return self.by_path[path], path
        found = self.by_hash.get((path[0], path[-1], source_hash(english)))
        return (found[1], found[0]) if found else (None, None)


@dataclass
class Status:
    language: str
    missing: list[tuple]
    stale: list[tuple]
    orphaned: list[tuple]
    empty: list[tuple]
    moved: list[tuple]  # translated and current, filed under an old path (informational)

    @property
    def ok(self):
        return not (self.missing or self.stale or self.orphaned or self.empty)


def status(english: dict[tuple, str], translated: dict[tuple, dict], language: str) -> Status:
    index = Index(translated)
    missing, stale, empty, moved, used = [], [], [], [], set()
    for path, text in english.items():
        entry, found_at = index.find(path, text)
        if entry is None:
            missing.append(path)
            continue
        used.add(found_at)
        if found_at != path:
            moved.append(path)
        elif not str(entry.get("text", "")).strip():
            empty.append(path)
        elif entry["source_hash"] != source_hash(text):
            stale.append(path)
    orphaned = [path for path in translated if path not in used]
    return Status(language, missing, stale, sorted(orphaned), empty, moved)

class LocalText(str):
    """A text and the language it is written in (for `lang` attributes)."""

    lang = ""

    def __new__(cls, text, lang):
        obj = super().__new__(cls, text)
        obj.lang = lang
        return obj


def in_reader_language(obj, field, language=None):
    """Field `field` of a seeded row in the reader's language when a current translation
    exists (see `criteria.models.SeededTextTranslations`), else as stored."""
    if obj is None:
        return LocalText("", "")
    text, lang = obj.translated(field, language)
    return LocalText(text, lang)
