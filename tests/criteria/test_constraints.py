"""Invariants live in the database; forms and the admin say which field is wrong."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cities.models import City, Office
from criteria.forms import FundingShareFormSet
from criteria.models import (
    Assessment,
    Criterion,
    CriterionResponse,
    Framework,
    FundingSource,
    OfficeProfile,
)
from tests.rounds import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")


@pytest.fixture
def profile(draft):
    return draft.profile


def test_response_level_above_four_is_refused_by_the_database(draft):
    response = draft.responses.get(criterion__number=1)
    CriterionResponse.objects.filter(pk=response.pk).update(level=4)  # the top level is fine
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionResponse.objects.filter(pk=response.pk).update(level=5)


def test_response_level_above_four_names_the_level_field(draft):
    response = draft.responses.get(criterion__number=1)
    response.level = 5
    with pytest.raises(ValidationError) as exc:
        response.full_clean()
    assert "level" in exc.value.message_dict


def test_second_response_for_the_same_criterion_is_refused(draft):
    criterion = Criterion.objects.get(framework=draft.framework, number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        CriterionResponse.objects.create(assessment=draft, criterion=criterion)


def test_not_applicable_needs_a_reason(draft):
    response = draft.responses.get(criterion__number=2)
    response.not_applicable = True
    with pytest.raises(ValidationError) as exc:
        response.full_clean()
    assert "not_applicable_reason" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        response.save()
    response.not_applicable_reason = "The office does not run community partnerships yet."
    response.full_clean()
    response.save()


def test_funding_shares_over_100_are_refused_by_the_database(profile):
    FundingSource.objects.create(profile=profile, name="City budget", kind="municipal",
                                 share_percent=Decimal("70"))
    FundingSource.objects.create(profile=profile, name="Donor", kind="international",
                                 share_percent=Decimal("30"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSource.objects.create(profile=profile, name="Business", kind="private",
                                     share_percent=Decimal("0.01"))
    assert profile.funding_sources.count() == 2


def test_raising_a_share_past_100_is_refused_and_nothing_changes(profile):
    source = FundingSource.objects.create(profile=profile, name="City", kind="municipal",
                                          share_percent=Decimal("60"))
    FundingSource.objects.create(profile=profile, name="Donor", kind="international",
                                 share_percent=Decimal("40"))
    source.share_percent = Decimal("61")
    with pytest.raises(IntegrityError), transaction.atomic():
        source.save()
    source.refresh_from_db()
    assert source.share_percent == Decimal("60")


def test_unknown_shares_do_not_count_towards_the_sum(profile):
    FundingSource.objects.create(profile=profile, name="City", kind="municipal",
                                 share_percent=Decimal("100"))
    FundingSource.objects.create(profile=profile, name="Unknown share", kind="national")
    assert profile.funding_total() == Decimal("100")


def test_funding_formset_names_the_share_field_when_over_100(profile):
    data = {
        "funding_sources-TOTAL_FORMS": "2",
        "funding_sources-INITIAL_FORMS": "0",
        "funding_sources-MIN_NUM_FORMS": "0",
        "funding_sources-MAX_NUM_FORMS": "1000",
        "funding_sources-0-name": "City",
        "funding_sources-0-kind": "municipal",
        "funding_sources-0-share_percent": "80",
        "funding_sources-1-name": "Donor",
        "funding_sources-1-kind": "international",
        "funding_sources-1-share_percent": "30",
    }
    from django.forms import inlineformset_factory

    formset_class = inlineformset_factory(
        OfficeProfile, FundingSource, formset=FundingShareFormSet,
        fields=["name", "kind", "share_percent"],
    )
    formset = formset_class(data, instance=profile, prefix="funding_sources")
    assert not formset.is_valid()
    message = " ".join(formset.non_form_errors())
    assert "Share of budget" in message and "110" in message


def test_share_above_100_on_its_own_names_the_field():
    source = FundingSource(name="x", kind="municipal", share_percent=Decimal("101"))
    with pytest.raises(ValidationError) as exc:
        source.full_clean(exclude=["profile"])
    assert "share_percent" in exc.value.message_dict


def test_founding_year_in_the_future_names_the_field():
    office = Office.objects.get(slug="oakland-dvp")
    office.founded_year = 2999
    with pytest.raises(ValidationError) as exc:
        office.full_clean()
    assert "founded_year" in exc.value.message_dict


def test_office_assessment_must_name_its_office():
    framework = Framework.objects.default()
    city = City.objects.get(slug="oakland")
    rnd = make_round(city.networks.first(), "2030")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(framework=framework, city=city, scope="office", round=rnd)
    assessment = Assessment(framework=framework, city=city, scope="office", round=rnd)
    with pytest.raises(ValidationError) as exc:
        assessment.full_clean()
    assert "office" in exc.value.message_dict


def test_one_assessment_per_office_and_round(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            framework=draft.framework, city=draft.city, office=draft.office, round=draft.round
        )


def test_one_ecosystem_assessment_per_city_and_round():
    cali = Assessment.objects.get(city__slug="cali", office__isnull=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            framework=cali.framework, city=cali.city, scope="city_ecosystem", round=cali.round
        )


def test_published_assessment_needs_a_publication_date(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=draft.pk).update(status="published")


def test_response_edits_are_kept_in_history(draft, editor_a):
    response = draft.responses.get(criterion__number=3)
    before = response.history.count()
    response.current_strengths = "An annual diagnosis since 2021."
    response.updated_by = editor_a
    response.save()
    assert response.history.count() == before + 1
    assert response.history.first().current_strengths == "An annual diagnosis since 2021."
