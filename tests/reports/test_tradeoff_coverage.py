"""Every tradeoff the report discusses has a rule, or a documented reason why no fact can
trigger one (the table in docs/reports.md); the key is the tradeoff's English title."""

import json
import re
from pathlib import Path

from reports.tradeoffs import RULES, RULES_BY_SLUG

REPO = Path(__file__).resolve().parents[2]


def framework_tradeoffs():
    data = json.loads((REPO / "fixtures" / "pioc_framework.json").read_text())
    return {t["title"]: c["number"] for c in data["criteria"] for t in c["tradeoffs"]}


def documented_rows():
    """(criterion, title) -> (rule slugs, last cell) from the table in docs/reports.md."""
    rows = {}
    for line in (REPO / "docs" / "reports.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            slugs = re.findall(r"`([a-z-]+)`", cells[2])
            rows[(int(cells[0]), cells[1])] = (slugs, cells[4])
    return rows


def test_the_framework_has_the_reports_49_tradeoffs_with_unique_titles():
    data = json.loads((REPO / "fixtures" / "pioc_framework.json").read_text())
    titles = [t["title"] for c in data["criteria"] for t in c["tradeoffs"]]
    assert len(titles) == 49 == len(set(titles))


def test_every_framework_tradeoff_has_a_rule_or_a_documented_reason():
    rows = documented_rows()
    by_tradeoff = {}
    for rule in RULES:
        by_tradeoff.setdefault(rule.tradeoff, set()).add(rule.slug)
    missing = []
    for title, number in framework_tradeoffs().items():
        slugs, last = rows.get((number, title), (None, ""))
        if slugs is None:
            missing.append(f"C{number} {title}: no row in docs/reports.md")
        elif slugs:
            if set(slugs) != by_tradeoff.get(title, set()):
                missing.append(f"C{number} {title}: docs list {slugs}, code has "
                               f"{sorted(by_tradeoff.get(title, []))}")
        elif title in by_tradeoff:
            missing.append(f"C{number} {title}: has rules {by_tradeoff[title]} but docs give none")
        elif len(last) < 40:
            missing.append(f"C{number} {title}: neither a rule nor a reason")
    assert not missing, "\n".join(missing)


def test_every_rule_rests_on_a_framework_tradeoff_of_its_criterion():
    tradeoffs = framework_tradeoffs()
    for rule in RULES:
        assert tradeoffs.get(rule.tradeoff) == rule.criterion, rule.slug


def test_the_documented_rule_ids_are_the_codes():
    documented = {s for slugs, _ in documented_rows().values() for s in slugs}
    assert documented == set(RULES_BY_SLUG)


def test_documented_citations_are_the_rules_citations():
    for (_, _title), (slugs, last) in documented_rows().items():
        if len(slugs) == 1:
            assert last.startswith(RULES_BY_SLUG[slugs[0]].section), slugs[0]
