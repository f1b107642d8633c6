"""Office leads manage their own office's members; the secretariat manages every office of its
network. A lead never leaves the office without a lead and never acts beyond it."""

import pytest
from django.core import mail
from django.urls import reverse

from cities.models import AuditEvent, Office, OfficeMembership, User

pytestmark = pytest.mark.django_db

MEMBERS = reverse("cities:office-members", kwargs={"slug": "palmira-security-coexistence"})


def _role_url(m):
    return reverse("cities:member-role", kwargs={"slug": m.office.slug, "pk": m.pk})


def _remove_url(m):
    return reverse("cities:member-remove", kwargs={"slug": m.office.slug, "pk": m.pk})


def _membership(user):
    return OfficeMembership.objects.get(user=user, office__slug="palmira-security-coexistence")


def test_lead_invites_an_editor_who_gets_an_email_and_is_audited(
        client, office_lead, django_capture_on_commit_callbacks):
    client.force_login(office_lead)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(MEMBERS, {"email": "New.Person@example.org", "role": "editor"})
    assert page.status_code == 302
    new = OfficeMembership.objects.get(user__email="new.person@example.org")
    assert new.role == "editor" and new.invited_by == office_lead
    assert mail.outbox and "new.person@example.org" in mail.outbox[-1].to
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_GRANTED).latest("at")
    assert event.actor == office_lead and "editor of" in event.detail


def test_lead_changes_a_role_and_the_change_is_audited(client, office_lead, viewer_a):
    client.force_login(office_lead)
    m = _membership(viewer_a)
    assert client.post(_role_url(m), {f"member-{m.pk}-role": "editor"}).status_code == 302
    assert _membership(viewer_a).role == "editor"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).latest("at")
    assert event.actor == office_lead and "viewer → editor" in event.detail


def test_lead_removes_a_member_and_the_removal_is_audited(client, office_lead, viewer_a):
    client.force_login(office_lead)
    m = _membership(viewer_a)
    assert client.post(_remove_url(m)).status_code == 302
    assert not OfficeMembership.objects.filter(pk=m.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_REVOKED,
                                     actor=office_lead).exists()


def test_the_last_lead_can_neither_leave_nor_step_down(client, office_lead):
    client.force_login(office_lead)
    own = _membership(office_lead)
    page = client.post(_remove_url(own), follow=True)
    assert "keeps at least one lead" in page.content.decode()
    page = client.post(_role_url(own), {f"member-{own.pk}-role": "viewer"}, follow=True)
    assert "keeps at least one lead" in page.content.decode()
    assert _membership(office_lead).role == "lead"
    # The page offers no Remove button on the last lead's row, and says why.
    assert "keeps at least one lead" in client.get(MEMBERS).content.decode()


def test_a_lead_names_another_lead_then_may_step_down(client, office_lead, editor_a):
    client.force_login(office_lead)
    other = _membership(editor_a)
    client.post(_role_url(other), {f"member-{other.pk}-role": "lead"})
    assert _membership(editor_a).role == "lead"
    own = _membership(office_lead)
    client.post(_role_url(own), {f"member-{own.pk}-role": "editor"})
    assert _membership(office_lead).role == "editor"
    # No longer a lead: the members page is refused.
    assert client.get(MEMBERS).status_code == 403


def test_the_secretariat_may_remove_the_last_lead(client, secretariat, office_lead):
    client.force_login(secretariat)
    own = _membership(office_lead)
    assert client.post(_remove_url(own)).status_code == 302
    assert not OfficeMembership.objects.filter(pk=own.pk).exists()


def test_a_lead_cannot_act_beyond_their_office(client, office_lead, editor_b):
    client.force_login(office_lead)
    oakland = Office.objects.get(slug="oakland-dvp")
    before = list(OfficeMembership.objects.order_by("pk").values_list("pk", "role"))
    theirs = OfficeMembership.objects.get(user=editor_b, office=oakland)
    assert client.get(reverse("cities:office-members", kwargs={"slug": oakland.slug})
                      ).status_code == 403
    assert client.post(_remove_url(theirs)).status_code == 403
    # Oakland's membership through Palmira's URL: not one of Palmira's members.
    sneaky = reverse("cities:member-remove", kwargs={"slug": "palmira-security-coexistence",
                                                     "pk": theirs.pk})
    assert client.post(sneaky).status_code == 404
    assert client.post(MEMBERS, {"email": "x@example.org", "role": "owner"}).status_code == 422
    assert list(OfficeMembership.objects.order_by("pk").values_list("pk", "role")) == before
    assert not User.objects.filter(email="x@example.org").exists()


def test_a_bad_role_is_refused_naming_the_field(client, office_lead):
    client.force_login(office_lead)
    page = client.post(MEMBERS, {"email": "x@example.org", "role": "owner"})
    assert page.status_code == 422
    assert "Role:" in page.content.decode()


def test_the_navigation_shows_members_reports_and_rounds_to_those_who_may_use_them(
        client, office_lead, editor_a, viewer_a, secretariat):
    def nav(user):
        client.force_login(user)
        html = client.get(reverse("criteria:criterion-list")).content.decode()
        header = html[html.index('<nav class="site-nav"'):html.index("</nav>")]
        client.logout()
        return header

    lead = nav(office_lead)
    assert f'href="{MEMBERS}"' in lead and ">Reports<" in lead
    assert ">Members<" not in nav(editor_a) and ">Members<" not in nav(viewer_a)
    assert ">Reports<" in nav(viewer_a)
    secretariat_nav = nav(secretariat)
    assert f'href="{reverse("cities:members-offices")}"' in secretariat_nav
    # Rounds are the secretariat's to open and close: in its navigation, no one else's.
    assert f'href="{reverse("criteria:round-list")}"' in secretariat_nav
    assert f'href="{reverse("criteria:round-list")}"' not in lead
    nobody = User.objects.create_user("nobody", "nobody@example.org", "pw-123456789")
    header = nav(nobody)
    assert ">Reports<" not in header and ">Members<" not in header
    anonymous = client.get(reverse("criteria:criterion-list")).content.decode()
    assert ">Reports<" not in anonymous


def test_the_secretariat_lists_its_offices(client, secretariat, other_secretariat):
    client.force_login(secretariat)
    page = client.get(reverse("cities:members-offices")).content.decode()
    assert MEMBERS in page
    client.force_login(other_secretariat)
    assert MEMBERS not in client.get(reverse("cities:members-offices")).content.decode()
