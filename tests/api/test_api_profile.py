"""The assessment API carries the profile facts the tradeoff notes read."""

import pytest

from criteria.models import Assessment


@pytest.mark.django_db
def test_published_assessment_exposes_the_tradeoff_facts(api_as):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    profile = api_as("anonymous").get(f"/api/assessments/{cali.pk}/").json()["profile"]
    assert profile["overlapping_mandates"] is True
    assert profile["formal_strategy"] is False
    assert profile["leadership"] == "civilian"
    assert (profile["next_transition_year"], profile["next_transition_month"]) == (2023, 10)
    assert profile["impact_evaluation"] == "unknown"
    assert profile["short_term_contract_share"] is None
    assert "n. 59" in profile["notes"]
