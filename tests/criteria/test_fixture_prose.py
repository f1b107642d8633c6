"""Fixture prose is in our own words: no run of 12+ consecutive words copied from the report.

Words are compared after lower-casing and dropping punctuation and apostrophes, so a run cannot
hide behind a changed comma or hyphen. Proper names (`name`, `local_name`) are not prose and are
skipped; no fixture field is meant as a quotation.
"""

import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings

RUN = 12
NAME_FIELDS = {"name", "local_name"}
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def _seed_001():
    """Seed 001 (the PiOC report) lives beside the checkout, in `shared/seeds/`."""
    candidates = []
    if os.environ.get("OVP_SEEDS_DIR"):
        candidates.append(Path(os.environ["OVP_SEEDS_DIR"]))
    base = Path(settings.BASE_DIR).resolve()
    candidates += [parent / "shared" / "seeds" for parent in base.parents]
    for folder in candidates:
        found = sorted(folder.glob("001_*.txt")) if folder.is_dir() else []
        if found:
            return found[0]
    return None


def words(text):
    return re.findall(r"\w+", text.replace("’", "").replace("'", "").lower())


def strings(node, path=()):
    """Every string in a JSON tree with its path, skipping proper-name fields."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in NAME_FIELDS:
                yield from strings(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, (*path, i))
    elif isinstance(node, str):
        yield path, node


def copied_runs(text, grams, run=RUN):
    w = words(text)
    return [" ".join(w[i:i + run]) for i in range(len(w) - run + 1)
            if tuple(w[i:i + run]) in grams]


@pytest.fixture(scope="module")
def report_grams():
    seed = _seed_001()
    if seed is None:
        pytest.skip("seed 001 not found; set OVP_SEEDS_DIR to the folder holding 001_*.txt")
    w = words(seed.read_text(encoding="utf-8"))
    return {tuple(w[i:i + RUN]) for i in range(len(w) - RUN + 1)}


def test_the_scan_finds_a_copied_run(report_grams):
    copied = ("As a response, EFC negotiates peaceful settlements and has hired its first "
              "lived-experience violence interrupter.")
    assert copied_runs(copied, report_grams)
    assert not copied_runs("EFC brokers truces and recently took on its first violence "
                           "interrupter with lived experience.", report_grams)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_no_fixture_prose_copies_twelve_words_from_the_report(path, report_grams):
    data = json.loads(path.read_text(encoding="utf-8"))
    found = [(".".join(map(str, where)), runs[0])
             for where, text in strings(data)
             if (runs := copied_runs(text, report_grams))]
    assert not found, "\n".join(f"{where}: “{run}”" for where, run in found)
