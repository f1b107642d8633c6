"""People join offices by invitation; a one-time link sets their password."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cities.models import OfficeMembership, User

pytestmark = pytest.mark.django_db

MEMBERS = reverse("cities:office-members", args=["palmira-security-coexistence"])


def invite(client, email, role="editor"):
    return client.post(MEMBERS, {"email": email, "role": role})


def test_secretariat_invites_a_new_person_who_sets_a_password_once(
    client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, "Ana@Palmira.gov.co").status_code == 302
    user = User.objects.get(email="ana@palmira.gov.co")
    assert not user.has_usable_password()
    assert OfficeMembership.objects.get(user=user).role == "editor"
    link = re.search(r"http://\S+/accounts/reset/\S+/", mailoutbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.logout()
    form_page = client.get("/" + path, follow=True)
    assert b"Set your password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "a-long-new-pass-2026",
                                 "new_password2": "a-long-new-pass-2026"})
    assert done.status_code == 302
    # django-axes throttles sign-ins per request, so the login is given one.
    assert client.login(request=RequestFactory().post("/accounts/login/"),
                        username="ana@palmira.gov.co", password="a-long-new-pass-2026")
    client.logout()
    again = client.get("/" + path, follow=True)
    assert b"already been used" in again.content


def test_inviting_an_existing_member_changes_the_role(client, secretariat, viewer_a):
    client.force_login(secretariat)
    invite(client, viewer_a.email, role="editor")
    assert OfficeMembership.objects.get(user=viewer_a).role == "editor"
    assert User.objects.filter(email=viewer_a.email).count() == 1


def test_bad_email_is_refused_naming_the_field(client, secretariat):
    client.force_login(secretariat)
    result = invite(client, "not-an-email")
    assert result.status_code == 422
    assert "Email address" in result.content.decode()


def test_secretariat_removes_a_member(client, secretariat, viewer_a):
    client.force_login(secretariat)
    membership = OfficeMembership.objects.get(user=viewer_a)
    url = reverse("cities:member-remove", args=["palmira-security-coexistence", membership.pk])
    assert client.post(url).status_code == 302
    assert not OfficeMembership.objects.filter(pk=membership.pk).exists()


def test_password_change(client, editor_a):
    client.force_login(editor_a)
    result = client.post(reverse("password_change"), {
        "old_password": "demo-pass-2026", "new_password1": "another-strong-pass-77",
        "new_password2": "another-strong-pass-77"})
    assert result.status_code == 302
    editor_a.refresh_from_db()
    assert editor_a.check_password("another-strong-pass-77")
