import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache

from cities.models import City, Network, NetworkMembership, Office
from criteria.models import Assessment, CriterionResponse, Framework, OfficeProfile
from tests.rounds import make_round


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def tiny(db):
    """One office, two published rounds, two criteria answered, hostile text in a cell."""
    city = City.objects.create(slug="testville", name="Testville", country="US",
                               region="north_america")
    NetworkMembership.objects.create(network=Network.objects.get(slug="pioc"), city=city)
    office = Office.objects.create(slug="testville-ovp", city=city, name="Testville OVP",
                                   institutional_location="public_health")
    framework = Framework.objects.default()
    assessments = []
    for round_, levels in (("2024", (1, 2)), ("2025", (2, 4))):
        a = Assessment.objects.create(
            framework=framework, office=office, city=city,
            round=make_round(Network.objects.get(slug="pioc"), round_, offices=[office],
                             opens_on=dt.date(int(round_), 1, 1),
                             closes_on=dt.date(int(round_), 12, 31)),
            status=Assessment.Status.PUBLISHED, published_at=dt.datetime(
                int(round_), 6, 1, tzinfo=dt.UTC), is_public=True)
        OfficeProfile.objects.create(
            assessment=a, institutional_location="public_health", budget_amount=Decimal(2500000),
            budget_currency="USD", budget_year=int(round_), staff_fte=Decimal("12.5"),
            staffing_model="in_house", prevention_primary=True, prevention_secondary=False)
        for criterion in framework.criteria.order_by("number")[:2]:
            CriterionResponse.objects.create(
                assessment=a, criterion=criterion, level=levels[criterion.number - 1],
                current_strengths="=HYPERLINK(\"http://evil\")" if criterion.number == 1
                else "Plain", opportunities="-2+3" if criterion.number == 1 else "@SUM(A1)",
                confidence="high")
        assessments.append(a)
    return {"city": city, "office": office, "assessments": assessments}


@pytest.fixture
def api_client_for(request):
    from rest_framework.test import APIClient

    def make(name):
        client = APIClient()
        client.force_authenticate(request.getfixturevalue(name))
        return client

    return make


@pytest.fixture
def cohort(db):
    """Four offices of one city over two published rounds, for the statistic and the panel.

    2024: A, B, C; 2025: A, B, C and D (D's levels are OVP Assess's reading of a report).
    Criterion 1 — 2024: A 0, B 1, C 2; 2025: A 1, B 2, C 3, D 4.
    Criterion 2 — 2024: A 2, B 2 (C gave none); 2025: A 3, B 3, C 3, D 0.
    """
    network = Network.objects.get(slug="pioc")
    city = City.objects.create(slug="cohortville", name="Cohortville", country="GB",
                               region="europe")
    NetworkMembership.objects.create(network=network, city=city)
    offices = {k: Office.objects.create(slug=f"cohort-{k.lower()}", city=city,
                                        name=f"Cohort office {k}") for k in "ABCD"}
    framework = Framework.objects.default()
    criteria = {c.number: c for c in framework.criteria.filter(number__in=[1, 2])}
    plan = {
        "2024": {"A": (0, 2), "B": (1, 2), "C": (2, None)},
        "2025": {"A": (1, 3), "B": (2, 3), "C": (3, 3), "D": (4, 0)},
    }
    assessments = {}
    for code, levels in plan.items():
        rnd = make_round(network, code, offices=list(offices.values()),
                         opens_on=dt.date(int(code), 1, 1), closes_on=dt.date(int(code), 12, 31))
        for key, (first, second) in levels.items():
            a = Assessment.objects.create(
                framework=framework, office=offices[key], city=city, round=rnd,
                status=Assessment.Status.PUBLISHED, is_public=True,
                published_at=dt.datetime(int(code), 6, 1, tzinfo=dt.UTC),
                level_note="Read from a published chart." if key == "D" else "")
            CriterionResponse.objects.create(assessment=a, criterion=criteria[1], level=first)
            CriterionResponse.objects.create(assessment=a, criterion=criteria[2], level=second)
            assessments[(code, key)] = a
    return {"city": city, "offices": offices, "assessments": assessments}
