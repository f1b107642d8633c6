""""Your work": where a signed-in editor lands, with drafts, comments and invitations; where
other roles land after signing in."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cities.models import OfficeMembership, User
from criteria import workflow
from criteria.models import ReviewComment

pytestmark = pytest.mark.django_db


def test_an_editor_lands_on_your_work_with_drafts_and_comments(client, editor_a, secretariat,
                                                               palmira_draft):
    response = palmira_draft.responses.get(criterion__number=3)
    workflow.add_comment(assessment=palmira_draft, response=response,
                         body="Say which diagnosis year you mean.", by=secretariat)
    ReviewComment.objects.create(assessment=palmira_draft, response=response, author=secretariat,
                                 body="Already handled.", resolved=True)
    client.force_login(editor_a)
    html = client.get(reverse("home")).content.decode()
    assert "<h1>Your work</h1>" in html
    assert "Palmira" in html or palmira_draft.office.name in html
    assert "0 of 9 criteria answered" in html
    assert reverse("criteria:response-edit", args=[palmira_draft.pk, 1]) in html
    assert "Say which diagnosis year you mean." in html
    assert reverse("criteria:response-edit", args=[palmira_draft.pk, 3]) in html
    assert "Already handled." not in html
    # The round's deadline, as on the assessment page.
    days = (palmira_draft.round.closes_on - timezone.localdate()).days
    assert f"due in {days} days" in html


def test_progress_counts_complete_criteria_and_points_to_the_next(client, editor_a,
                                                                  palmira_draft):
    from tests.conftest import fill_response

    for r in palmira_draft.responses.filter(criterion__number__in=[1, 2]):
        fill_response(r, editor_a)
    client.force_login(editor_a)
    html = client.get(reverse("home")).content.decode()
    assert "2 of 9 criteria answered" in html
    assert "Continue with criterion 3" in html


def test_another_offices_editor_sees_none_of_it(client, editor_b, secretariat, palmira_draft):
    workflow.add_comment(assessment=palmira_draft, response=None, body="Palmira only",
                         by=secretariat)
    client.force_login(editor_b)
    html = client.get(reverse("home")).content.decode()
    assert "Your work" in html and "Palmira only" not in html
    assert palmira_draft.office.name not in html


def test_invitations_a_lead_sent_wait_until_the_person_signs_in(client, office_lead):
    client.force_login(office_lead)
    client.post(reverse("cities:office-members",
                        kwargs={"slug": "palmira-security-coexistence"}),
                {"email": "waiting@example.org", "role": "viewer"})
    html = client.get(reverse("home")).content.decode()
    assert "waiting@example.org" in html
    User.objects.filter(email="waiting@example.org").update(last_login=timezone.now())
    assert "waiting@example.org" not in client.get(reverse("home")).content.decode()
    assert OfficeMembership.objects.filter(user__email="waiting@example.org").exists()


@pytest.mark.parametrize(("persona", "landing"), [
    ("editor_a", "home"), ("office_lead", "home"), ("secretariat", "criteria:review-queue"),
    ("viewer_a", "criteria:my-assessments"), ("researcher", "reports:compare"),
])
def test_signing_in_lands_each_role_on_its_first_page(client, request, persona, landing):
    user = request.getfixturevalue(persona)
    user.set_password("a-long-password-2026")
    user.save()
    page = client.post(reverse("account_login"), {"login": user.username,
                                                  "password": "a-long-password-2026"})
    assert page.status_code == 302 and page["Location"] == reverse("start")
    assert client.get(reverse("start"))["Location"] == reverse(landing)


def test_viewers_and_visitors_get_the_public_home(client, viewer_a):
    assert "Your work" not in client.get(reverse("home")).content.decode()
    client.force_login(viewer_a)
    assert "<h1>Your work</h1>" not in client.get(reverse("home")).content.decode()


def test_a_lead_may_start_an_assessment(client, office_lead):
    client.force_login(office_lead)
    html = client.get(reverse("criteria:my-assessments")).content.decode()
    assert reverse("criteria:assessment-start",
                   kwargs={"slug": "palmira-security-coexistence"}) in html
