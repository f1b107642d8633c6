"""List the translations of our seed content that are missing, stale or orphaned, and fill them in.

    python manage.py translation_status                 # report; exit 1 if anything is off
    python manage.py translation_status --todo todo.json --lang es
        # write what needs translating: English, its hash, the old translation if any
    python manage.py translation_status --apply todo.json --lang es
        # after filling in "text": merge the entries into fixtures/…es.json

See criteria/seed_translations.py for what "stale" means.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from criteria import seeding
from criteria.models import source_hash
from criteria.seed_translations import (
    Index,
    nest,
    network_english,
    part4_english,
    status,
    translations_of,
)

SOURCES = (
    ("Part 4 assessments", seeding.PART4_FILE, seeding.PART4_TRANSLATION_FILES, part4_english),
    ("networks, cities and offices", seeding.NETWORK_FILE, seeding.NETWORK_TRANSLATION_FILES,
     network_english),
)


def _load(path):
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except FileNotFoundError:
        return None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}") from None


def _previous(path, orphaned, translated):
    """The translation of the entry this one most likely replaced (same criterion, same field,
    e.g. an evidence item whose title was reworded), to start from."""
    like = [p for p in orphaned if p[:3] == path[:3] and p[-1] == path[-1] and len(p) == len(path)]
    return translated[like[0]]["text"] if len(like) == 1 else ""


def _label(path):
    return " › ".join(str(p) for p in path)


class Command(BaseCommand):
    help = "Report missing, stale and orphaned translations of the seed content we wrote."

    def add_arguments(self, parser):
        parser.add_argument("--lang", choices=seeding.CONTENT_LANGUAGES,
                            help="Only this language (default: all).")
        parser.add_argument("--todo", metavar="FILE",
                            help="Write the entries to translate to FILE (needs --lang).")
        parser.add_argument("--apply", metavar="FILE",
                            help="Merge translated entries from FILE (needs --lang).")

    def handle(self, *args, lang=None, todo=None, apply=None, **options):
        languages = [lang] if lang else seeding.CONTENT_LANGUAGES
        if (todo or apply) and not lang:
            raise CommandError("--todo and --apply need --lang.")
        if apply:
            return self.apply(apply, lang)
        work, problems = [], 0
        for code in languages:
            for title, english_file, files, english_of in SOURCES:
                english = english_of(_load(english_file))
                data = _load(files[code])
                translated = translations_of(data) if data else {}
                result = status(english, translated, code)
                problems += not result.ok
                self.stdout.write(
                    f"{code} {title}: {len(english)} texts, {len(result.missing)} missing, "
                    f"{len(result.stale)} stale, {len(result.empty)} empty, "
                    f"{len(result.orphaned)} orphaned"
                )
                for kind, paths in (("missing", result.missing), ("stale", result.stale),
                                    ("empty", result.empty)):
                    for path in paths:
                        self.stdout.write(f"  {kind:8} {_label(path)}")
                        self.stdout.write(f"           EN: {english[path]}")
                        old = translated.get(path, {}).get("text") or _previous(
                            path, result.orphaned, translated)
                        if old:
                            self.stdout.write(f"           was: {old}")
                        work.append({"path": list(path), "english": english[path],
                                     "source_hash": source_hash(english[path]),
                                     "previous": old or "", "text": ""})
                for path in result.moved:
                    self.stdout.write(f"  moved    {_label(path)} (same English under an old "
                                      "key; --apply re-files it)")
                for path in result.orphaned:
                    self.stdout.write(f"  orphaned {_label(path)} (its English is gone)")
        if todo:
            with open(todo, "w", encoding="utf-8") as fh:
                json.dump({"language": lang, "entries": work}, fh, ensure_ascii=False, indent=1)
            self.stdout.write(f"Wrote {len(work)} entries to {todo}; fill in each \"text\", "
                              f"then run --apply {todo} --lang {lang}.")
        if problems and not todo:
            raise CommandError("Some translations are missing, stale or orphaned (listed above).")

    def apply(self, filename, lang):
        data = _load(filename)
        if not data or data.get("language") != lang:
            raise CommandError(f"{filename} is not a --todo file for {lang}.")
        done = {tuple(e["path"]): e for e in data["entries"] if e.get("text", "").strip()}
        for _title, english_file, files, english_of in SOURCES:
            english = english_of(_load(english_file))
            current = _load(files[lang]) or {"language": lang}
            entries = translations_of(current)
            changed = 0
            for path, entry in done.items():
                if path not in english:
                    continue
                if entry["source_hash"] != source_hash(english[path]):
                    raise CommandError(f"{_label(path)}: the English changed again since the "
                                       "todo file was written; run --todo afresh.")
                entries[path] = {"text": entry["text"].strip(),
                                 "source_hash": entry["source_hash"]}
                changed += 1
            # Re-file translations whose key changed but English did not, then drop entries
            # whose English is gone, so the file holds only live translations.
            index = Index(entries)
            for path, text in english.items():
                entry, _found = index.find(path, text)
                if entry is not None and path not in entries:
                    entries[path] = entry
            entries = {p: e for p, e in entries.items() if p in english}
            nested = nest(entries)
            for section in (("assessments",) if english_of is part4_english
                            else ("networks", "cities", "offices")):
                current[section] = nested[section]
            with open(files[lang], "w", encoding="utf-8") as fh:
                json.dump(current, fh, ensure_ascii=False, indent=1)
                fh.write("\n")
            self.stdout.write(f"{files[lang].name}: {changed} entries written.")
