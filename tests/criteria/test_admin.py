"""The admin is usable by the secretariat and refuses bad values with the field named."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cities.models import Office, User
from criteria.models import Assessment

pytestmark = pytest.mark.django_db

ADMIN_LISTS = [
    "cities_city", "cities_office", "cities_network", "cities_networkmembership",
    "cities_officemembership", "cities_networkrole", "cities_cityfigureseries", "cities_user",
    "criteria_framework", "criteria_criterion", "criteria_rubriclevel",
    "criteria_guidingquestion", "criteria_tradeoff", "criteria_goodpractice",
    "criteria_assessment", "criteria_officeprofile", "criteria_fundingsource",
    "criteria_criterionresponse", "criteria_evidence", "criteria_reviewcomment",
]


@pytest.mark.parametrize("model", ADMIN_LISTS)
def test_secretariat_can_browse_and_search_every_admin_list(client, secretariat, model):
    client.force_login(secretariat)
    response = client.get(reverse(f"admin:{model}_changelist"), {"q": "a"})
    assert response.status_code == 200


def test_secretariat_cannot_create_or_delete_user_accounts_in_the_admin(client, secretariat):
    client.force_login(secretariat)
    assert client.get(reverse("admin:cities_user_add")).status_code == 403
    viewer = User.objects.get(username="demo-viewer")
    assert client.get(reverse("admin:cities_user_delete", args=[viewer.pk])).status_code == 403


def test_the_framework_is_read_not_rewritten_by_a_secretariat(client, secretariat, superuser):
    from criteria.models import Criterion, RubricLevel

    criterion = Criterion.objects.get(framework__is_default=True, number=1)
    level = RubricLevel.objects.filter(criterion=criterion).first()
    client.force_login(secretariat)
    url = reverse("admin:criteria_criterion_change", args=[criterion.pk])
    page = client.get(url)
    assert page.status_code == 200 and criterion.name in page.content.decode()
    assert client.post(url, {"number": 1, "name": "Rewritten", "slug": criterion.slug}
                       ).status_code == 403
    level_url = reverse("admin:criteria_rubriclevel_change", args=[level.pk])
    assert client.post(level_url, {"descriptor": "Rewritten"}).status_code == 403
    assert client.get(reverse("admin:criteria_criterion_add")).status_code == 403
    criterion.refresh_from_db()
    level.refresh_from_db()
    assert criterion.name != "Rewritten" and level.descriptor != "Rewritten"
    client.force_login(superuser)
    assert client.get(reverse("admin:criteria_criterion_add")).status_code == 200


def test_editor_is_not_let_into_the_admin(client, editor_a):
    client.force_login(editor_a)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_assessment_admin_shows_responses_and_evidence_inline(client, secretariat):
    client.force_login(secretariat)
    cali = Assessment.objects.get(city__slug="cali", office__isnull=True)
    response = client.get(reverse("admin:criteria_assessment_change", args=[cali.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    evidence = cali.responses.first().evidence.first()
    assert escape(evidence.title) in content
    # Published, so shown read-only; a draft's nine responses come with their fields.
    assert 'name="responses-0-current_strengths"' not in content
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    content = client.get(reverse("admin:criteria_assessment_change", args=[draft.pk]))
    assert content.content.decode().count('name="responses-') > 9 * 5


def test_admin_refuses_a_level_of_five_naming_the_field(client, secretariat):
    client.force_login(secretariat)
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    response_obj = draft.responses.get(criterion__number=1)
    url = reverse("admin:criteria_criterionresponse_change", args=[response_obj.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"level": "5", "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
                 "evidence-MIN_NUM_FORMS": "0", "evidence-MAX_NUM_FORMS": "1000"})
    data = {k: v for k, v in data.items() if v is not None}
    result = client.post(url, data)
    assert result.status_code == 200
    assert "level" in result.context["adminform"].form.errors
    response_obj.refresh_from_db()
    assert response_obj.level is None


def test_admin_refuses_funding_shares_over_100(client, secretariat):
    client.force_login(secretariat)
    draft = Assessment.objects.get(office__slug="palmira-security-coexistence", round__code="2026")
    url = reverse("admin:criteria_fundingsource_add")
    first = client.post(url, {"profile": draft.profile.pk, "name": "City", "kind": "municipal",
                              "share_percent": "90"})
    assert first.status_code == 302
    second = client.post(url, {"profile": draft.profile.pk, "name": "Donor",
                               "kind": "international", "share_percent": "20"})
    assert second.status_code == 200
    assert "share_percent" in second.context["adminform"].form.errors
    assert draft.profile.funding_sources.count() == 1


def test_admin_refuses_a_founding_year_in_the_future(client, secretariat):
    client.force_login(secretariat)
    office = Office.objects.get(slug="oakland-dvp")
    url = reverse("admin:cities_office_change", args=[office.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({"founded_year": "2999", "city": office.city_id})
    for prefix in ("memberships",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    result = client.post(url, data)
    assert result.status_code == 200
    assert "founded_year" in result.context["adminform"].form.errors
    office.refresh_from_db()
    assert office.founded_year != 2999
