"""The transition memo: mandate, strengths, transition risks from the tradeoff rules, open
actions and key indicators; HTML and a tagged PDF in the three languages."""

import pytest
from django.urls import reverse

from cities.models import Indicator
from criteria.models import Action, Assessment
from reports import renderers
from reports.selectors import brief_queryset
from reports.transition import TRANSITION_RULES, build_transition_memo

from .conftest import pdf_text
from .test_brief_layout import _pdf_objects_text, _pdfinfo

pytestmark = pytest.mark.django_db


def _memo(assessment, *, user_indicators=None):
    return build_transition_memo(
        brief_queryset().get(pk=assessment.pk), actions_from=Action.objects.all(),
        indicators_from=user_indicators or Indicator.objects.all())


def test_cali_memo_names_its_next_transition_and_the_risks_it_triggers(part4):
    memo = _memo(part4["cali"])
    assert memo.transition  # Cali's profile: October 2023
    rules = {n.rule for n in memo.risks}
    assert rules and rules <= set(TRANSITION_RULES)
    assert "transition-ahead" in rules
    assert all(s.level >= 3 for s in memo.strengths) and len(memo.strengths) <= 3
    levels = [s.level for s in memo.strengths]
    assert levels == sorted(levels, reverse=True)


def test_memo_shows_open_actions_and_indicators_of_the_office(complete_draft, editor_a):
    memo = _memo(complete_draft)
    open_titles = set(Action.objects.filter(assessment__office=complete_draft.office,
                                            status__in=Action.OPEN_STATUSES)
                      .values_list("title", flat=True))
    assert {a.title for a in memo.actions} == open_titles and open_titles
    names = {i.name for i in memo.indicators}
    assert names == set(complete_draft.office.indicators.values_list("name", flat=True))
    assert any(i.stale for i in memo.indicators)


def test_a_visitor_reads_only_the_public_indicators_in_the_memo(client, part4):
    cali = part4["cali"]
    html = client.get(reverse("reports:transition-memo", args=[cali.pk])).content.decode()
    assert "What is at risk in a transition" in html


def test_another_offices_editor_cannot_read_a_drafts_memo(as_persona, palmira_draft):
    client = as_persona("editor_b")
    assert client.get(reverse("reports:transition-memo", args=[palmira_draft.pk])) \
        .status_code == 404
    assert client.get(reverse("reports:transition-memo-pdf", args=[palmira_draft.pk])) \
        .status_code == 404


def test_the_memo_page_for_a_member_lists_private_indicators(as_persona, palmira_draft):
    private = Indicator.objects.get(office=palmira_draft.office, is_public=False)
    html = as_persona("viewer_a").get(
        reverse("reports:transition-memo", args=[palmira_draft.pk])).content.decode()
    assert private.name in html


@pytest.mark.parametrize(("lang", "heading"), [
    ("en", "What is at risk in a transition"),
    ("es", "Qué está en riesgo en una transición"),
    ("pt-br", "O que está em risco numa transição"),
])
def test_memo_pdf_is_tagged_in_each_language(client, part4, lang, heading, tmp_path):
    response = client.get(reverse("reports:transition-memo-pdf", args=[part4["cali"].pk])
                          + f"?lang={lang}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    info = _pdfinfo(response.content, tmp_path)
    assert info["Tagged"] == "yes"
    assert f"/Lang ({lang})".encode() in _pdf_objects_text(response.content)
    assert heading.upper() in " ".join(pdf_text(response.content, tmp_path).split()).upper()


def test_memo_renderer_names_the_file_by_language(part4):
    memo = _memo(part4["rosario"])
    name, content_type, pdf = renderers.render_transition_memo_pdf(memo, lang="es")
    assert name.startswith("transition-memo-") and name.endswith("-es.pdf")
    assert pdf.startswith(b"%PDF")


def test_memo_page_query_count_is_fixed(client, part4, django_assert_num_queries):
    url = reverse("reports:transition-memo", args=[part4["edmonton"].pk])
    # 1 assessment (+office, city, framework, profile), 2 responses (+criterion),
    # 3 evidence (the brief's fetch prefetches it), 4 funding sources, 5 open actions,
    # 6 tradeoff titles in the reader's language, 7 the office's indicators with their
    # latest values, 8 the office's next recorded election. Anonymous: no session query.
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_memo_is_linked_from_the_brief_and_the_assessment(client, part4):
    cali = part4["cali"]
    memo = reverse("reports:transition-memo", args=[cali.pk])
    assert memo in client.get(reverse("reports:brief", args=[cali.pk])).content.decode()
    assert isinstance(cali, Assessment)
