"""What the office brief chooses to show: relevant peer practices, honest medians, neutral
unknowns, and an evidence appendix that cites each source once."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape

from criteria.models import Assessment, Evidence, GoodPractice
from reports.selectors import (
    MIN_MEDIAN_PEERS,
    brief_queryset,
    build_office_brief,
    rank_practices,
    weakest_rows,
)

pytestmark = pytest.mark.django_db


def _brief(assessment, lang="en"):
    with translation.override(lang):
        return build_office_brief(
            brief_queryset().get(pk=assessment.pk), peers_from=Assessment.objects.published()
        )


def _html(brief, lang="en"):
    with translation.override(lang):
        return render_to_string("reports/brief.html", {"brief": brief, "for_pdf": True,
                                                        "lang": lang})


# --- peer practices ---------------------------------------------------------------------------


def _candidates(assessment, number):
    return list(
        GoodPractice.objects.filter(criterion__framework_id=assessment.framework_id,
                                    criterion__number=number)
        .exclude(city_id=assessment.city_id)
        .select_related("city", "office").order_by("city__name", "title")
    )


def test_budget_practices_that_shield_from_politics_come_first_for_cali(part4):
    """Cali's budget opportunity is about political discretion: the budget fixed by law
    (Pelotas) and the voter-approved tax (Oakland) lead, not the alphabet (Chihuahua)."""
    cali = part4["cali"]
    opportunity = cali.responses.get(criterion__number=6).opportunities
    assert "political discretion" in opportunity
    ranked = rank_practices(opportunity, _candidates(cali, 6))
    assert {p.city.slug for p in ranked[:2]} == {"pelotas", "oakland"}
    alphabetical = [p.city.slug for p in _candidates(cali, 6)]
    assert alphabetical[0] == "chihuahua"  # what the brief showed before


def test_ranking_is_the_same_in_every_reader_language(part4):
    cali = part4["cali"]
    opportunity = cali.responses.get(criterion__number=6).opportunities
    orders = set()
    for lang in ("en", "es", "pt-br"):
        with translation.override(lang):
            orders.add(tuple(p.pk for p in rank_practices(opportunity, _candidates(cali, 6))))
    assert len(orders) == 1


def test_ranking_ties_keep_the_given_order_and_empty_text_changes_nothing(part4):
    cali = part4["cali"]
    practices = _candidates(cali, 6)
    assert rank_practices("", practices) == practices
    assert rank_practices("the and of", practices) == practices  # stop words only
    unrelated = rank_practices("zebra quartz", practices)
    assert unrelated == practices


def test_cali_brief_shows_the_relevant_budget_practices(part4):
    brief = _brief(part4["cali"])
    budget = next(w for w in brief.weakest if w.number == 6)
    assert budget.practices[0].where.endswith(("Pelotas", "Oakland"))
    assert {p.where.rsplit(" — ", 1)[-1] for p in budget.practices[:2]} == {"Pelotas", "Oakland"}


def test_every_criterion_tied_at_the_weakest_level_is_shown():
    rows = [SimpleNamespace(number=n, level=level) for n, level in
            [(1, 2), (2, 3), (3, 2), (4, 2), (5, 3), (6, 2), (7, None), (8, 4), (9, 2)]]
    assert [r.number for r in weakest_rows(rows)] == [1, 3, 4, 6, 9]
    rows = [SimpleNamespace(number=n, level=level) for n, level in
            [(1, 0), (2, 3), (3, 1), (4, 2), (5, 2), (6, 4)]]
    # the third weakest is at level 2: its tie (criterion 5) comes too, level 3 does not
    assert [r.number for r in weakest_rows(rows)] == [1, 3, 4, 5]


def test_cali_brief_shows_all_its_weakest_criteria(part4):
    brief = _brief(part4["cali"])
    lowest = min(r.level for r in brief.rows if r.level is not None)
    tied = [r.number for r in brief.rows if r.level == lowest]
    shown = [w.number for w in brief.weakest]
    assert set(tied) <= set(shown)
    assert all(w.practices for w in brief.weakest)


# --- network median ---------------------------------------------------------------------------


def test_median_is_over_other_published_peers_and_says_how_many(part4):
    cali = part4["cali"]
    brief = _brief(cali)
    assert brief.median_count == 3  # Bristol, Edmonton, Rosario; not Cali itself
    assert all(r.median_peers >= MIN_MEDIAN_PEERS for r in brief.rows if r.median is not None)
    html = _html(brief)
    assert "the median of 3 other published assessments of this round" in html
    assert "(of 3 peers)" in html


def test_median_with_one_peer_says_not_enough_peers_and_discloses_nothing(part4):
    cali = part4["cali"]
    Assessment.objects.filter(pk__in=[part4["bristol"].pk, part4["rosario"].pk]).update(
        status=Assessment.Status.DRAFT, is_public=False)
    brief = _brief(cali)
    assert brief.median_count == 1
    assert all(r.median is None for r in brief.rows)
    html = _html(brief)
    assert "not enough peers" in html
    assert "Network median 2" not in html and "Network median 3" not in html
    medians_drawn = brief.level_chart.plotly["data"][1]["x"]
    assert medians_drawn == [None] * len(brief.rows)


# --- unknowns ---------------------------------------------------------------------------------


def test_report_derived_brief_says_not_reported_in_the_source(part4):
    cali = part4["cali"]
    assert cali.source  # the Part 4 assessments cite where their content comes from
    profile = cali.profile
    profile.focus_population = ""
    profile.save(update_fields=["focus_population"])
    html = _html(_brief(cali))
    assert "not reported in the source" in html
    assert ">not provided<" not in html
    with translation.override("es"):
        assert "no consta en la fuente" in _html(_brief(cali, "es"), "es")


def test_office_brief_without_a_source_says_not_provided(palmira_draft):
    html = _html(_brief(palmira_draft))
    assert "not provided" in html
    assert "not reported in the source" not in html


def test_unknowns_are_styled_neutrally():
    from pathlib import Path

    from django.contrib.staticfiles import finders

    css = Path(finders.find("reports/brief.css")).read_text()
    rule = css[css.index(".not-provided, .empty-marker {"):].split("}", 1)[0]
    assert "font-style: normal" in rule and "muted" in rule
    assert "#8a4b12" not in css and "#a3261a" not in rule


# --- evidence appendix ------------------------------------------------------------------------


def test_repeated_citation_is_one_entry_listing_its_criteria(part4):
    cali = part4["cali"]
    responses = list(cali.responses.order_by("criterion__number")[:4])
    for r in responses:
        Evidence.objects.create(
            response=r, kind=Evidence.Kind.DOCUMENT, title="Cali security plan 2020-2023",
            source="Alcaldía de Cali", note=f"Supports row {r.criterion.number}.",
        )
    brief = _brief(cali)
    items = [e for e in brief.evidence if e.title == "Cali security plan 2020-2023"]
    assert len(items) == 1
    item = items[0]
    assert item.criteria == [r.criterion.number for r in responses]
    assert [n.text for n in item.notes] == [f"Supports row {r.criterion.number}." for r in
                                            responses]  # no note is lost
    for row in brief.rows[:4]:
        assert item.ref in row.evidence_refs
    html = _html(brief)
    assert html.count("Cali security plan 2020-2023") == 1
    assert html.count("Alcaldía de Cali") == 1


def test_appendix_prints_each_source_line_once(part4):
    brief = _brief(part4["cali"])
    html = _html(brief)
    sources = [g.source for g in brief.evidence_groups]
    assert len(sources) == len(set(sources)) < len(brief.evidence)
    shared = max(brief.evidence_groups, key=lambda g: len(g.items))
    assert len(shared.items) > 1 and shared.shared_title
    # the shared opening is printed once, above the group, not in each of its items
    assert all(escape(item.title) not in html for item in shared.items)
    in_runs = {id(i) for e in shared.entries if getattr(e, "is_run", False) for i in e.items}
    assert all(escape(item.short_title) in html for item in shared.items
               if id(item) not in in_runs)
    refs = [e.ref for e in brief.evidence]
    assert refs == [f"E{i}" for i in range(1, len(refs) + 1)]


def test_chart_rows_of_one_source_are_one_appendix_row_that_keeps_every_ref(part4):
    """Cali's nine "chart, criterion N" items differ only by N: one row names the pattern once
    and says which ref stands for which criterion; every ref keeps its anchor."""
    brief = _brief(part4["cali"])
    html = _html(brief)
    runs = [e for g in brief.evidence_groups for e in g.entries if getattr(e, "is_run", False)]
    assert len(runs) == 1
    run = runs[0]
    assert run.title == "chart, criterion N" and run.note.startswith("Row N of the chart")
    assert run.criteria == list(range(1, 10))
    for item in run.items:
        n = item.criteria[0]
        assert item.short_title == f"chart, criterion {n}"
        assert item.notes[0].text == run.note.replace("Row N", f"Row {n}", 1)
        assert f'id="{item.ref}"' in html and f"{item.ref} for {n}" in html
    # every item is printed once: in a run or on its own row
    printed = [i for g in brief.evidence_groups for e in g.entries
               for i in (e.items if getattr(e, "is_run", False) else [e])]
    assert printed == brief.evidence


def test_items_that_differ_in_more_than_their_criterion_number_are_not_gathered():
    from reports.selectors import EvidenceItem, EvidenceNote, _runs

    def item(n, note):
        return EvidenceItem(ref=f"E{n}", criteria=[n], kind="Document", title=f"chart {n}",
                            link="", url_text="", date=None, source="s",
                            notes=[EvidenceNote([n], note)], short_title=f"chart {n}")

    same = [item(n, f"Row {n} of the chart.") for n in (1, 2, 3)]
    assert len(_runs(same)) == 1
    differ = [item(1, "Row 1 of the chart."), item(2, "Row 2 of the chart."),
              item(3, "Row 3 of another chart.")]
    assert _runs(differ) == differ
    assert _runs(same[:2]) == same[:2]  # two are not a run


def test_practice_lead_keeps_whole_sentences_within_the_word_budget():
    from reports.selectors import lead

    text = "One two three. Four five six seven. Eight nine ten eleven twelve."
    assert lead(text, max_words=7) == "One two three. Four five six seven. …"
    assert lead(text, max_words=20) == text
    assert lead("a " * 60, max_words=5) == "a a a a a…"  # one long sentence is shortened
