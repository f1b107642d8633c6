"""Rubric–profile consistency: a profile fact that contradicts the level chosen for a criterion
is shown to editors (criterion page) and reviewers (review page); seeded data has none."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from criteria import consistency, workflow
from criteria.models import Assessment, FundingSource, OfficeProfile
from tests.conftest import fill_response

RULES = {rule.slug: rule for rule in consistency.RULES}

# (rule, level, profile facts that contradict it, a level the same facts allow)
CASES = [
    ("mandate-overlap", 4, {"overlapping_mandates": True}, 3),
    ("diagnosis-exists", 0, {"last_diagnosis_year": 2020}, 1),
    ("diagnosis-baseline", 3, {"has_baseline": False}, 2),
    ("diagnosis-cycle", 3, {"last_diagnosis_year": 2015, "diagnosis_cycle_years": 3}, 2),
    ("prevention-levels", 4, {"prevention_secondary": False}, 3),
    ("prevention-levels", 3, {"prevention_secondary": False, "prevention_tertiary": False}, 2),
    ("budget-exists", 0, {"budget_amount": Decimal("1000")}, 1),
    ("staff-exists", 0, {"staff_fte": Decimal("4")}, 1),
    ("staff-contracts", 3, {"short_term_contract_share": Decimal("70")}, 2),
    ("buy-in-champion", 3, {"buy_in_single_champion": True}, 2),
    ("impact-evaluation", 4, {"impact_evaluation": "planned"}, 3),
]


@pytest.mark.parametrize(("slug", "level", "facts", "allowed"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_rule_flags_the_fact_its_level_rules_out(slug, level, facts, allowed):
    profile = OfficeProfile(**facts)
    message = RULES[slug].test(profile, level, 2024)
    assert message and str(level) in message
    assert RULES[slug].test(profile, allowed, 2024) is None


@pytest.mark.parametrize("slug", [s for s in RULES if s != "budget-protected"])
@pytest.mark.parametrize("level", range(5))
def test_unknown_facts_contradict_nothing(slug, level):
    assert RULES[slug].test(OfficeProfile(), level, 2024) is None


def test_every_rule_has_a_case():
    assert {c[0] for c in CASES} | {"budget-protected"} == set(RULES)


@pytest.mark.django_db
def test_level_4_budget_needs_a_protected_source(palmira_draft, editor_a):
    profile = palmira_draft.profile
    profile.funding_sources.all().delete()
    FundingSource.objects.create(profile=profile, name="City", kind="municipal")
    fill_response(palmira_draft.responses.get(criterion__number=6), editor_a, level=4)
    found = consistency.contradictions(Assessment.objects.get(pk=palmira_draft.pk), number=6)
    assert [c.rule for c in found] == ["budget-protected"]
    profile.funding_sources.update(legally_protected=True)
    assert consistency.contradictions(Assessment.objects.get(pk=palmira_draft.pk), number=6) == []


@pytest.mark.django_db
def test_every_seeded_assessment_is_consistent_with_the_rubric():
    found = {
        f"{a} C{c.criterion_number}={c.level}: {c.message}"
        for a in Assessment.objects.select_related("profile", "office", "city")
        for c in consistency.contradictions(a)
    }
    assert not found, "\n".join(sorted(found))


@pytest.fixture
def contradicted_draft(palmira_draft, editor_a):
    """Palmira's draft with no baseline recorded and criterion 3 at level 3."""
    OfficeProfile.objects.filter(assessment=palmira_draft).update(has_baseline=False)
    fill_response(palmira_draft.responses.get(criterion__number=3), editor_a, level=3)
    return palmira_draft


@pytest.mark.django_db
def test_editor_sees_the_contradiction_on_the_criterion_page(client, editor_a,
                                                             contradicted_draft):
    client.force_login(editor_a)
    page = client.get(reverse("criteria:response-edit", args=[contradicted_draft.pk, 3]))
    body = page.content.decode()
    assert "The office profile contradicts this level" in body
    assert "no baseline" in body
    other = client.get(reverse("criteria:response-edit", args=[contradicted_draft.pk, 2]))
    assert "contradicts this level" not in other.content.decode()


@pytest.mark.django_db
def test_autosave_updates_the_warning_out_of_band(client, editor_a, contradicted_draft):
    client.force_login(editor_a)
    response = contradicted_draft.responses.get(criterion__number=3)
    result = client.post(
        reverse("criteria:response-edit", args=[contradicted_draft.pk, 3]),
        {"version": response.version, "level": "2", "current_strengths": "x",
         "opportunities": "y", "confidence": "low", "not_applicable_reason": ""},
        headers={"HX-Request": "true"},
    )
    body = result.content.decode()
    assert 'id="consistency-3" hx-swap-oob="true"' in body
    assert "contradicts this level" not in body  # level 2 no longer contradicts


@pytest.mark.django_db
def test_reviewer_sees_the_contradiction_on_the_review_page(client, editor_a, secretariat,
                                                            contradicted_draft):
    for response in contradicted_draft.responses.exclude(criterion__number=3):
        fill_response(response, editor_a)
    workflow.submit_assessment(assessment=contradicted_draft, by=editor_a)
    client.force_login(secretariat)
    body = client.get(reverse("criteria:assessment-review", args=[contradicted_draft.pk]))
    text = body.content.decode()
    assert "Profile facts that contradict the chosen levels" in text
    assert 'href="#criterion-3"' in text and "no baseline" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "phrase"), [
    ("es", "línea de base"), ("pt-br", "linha de base"),
])
def test_messages_are_translated(contradicted_draft, lang, phrase):
    with translation.override(lang):
        [found] = consistency.contradictions(contradicted_draft, number=3)
    assert phrase in found.message
