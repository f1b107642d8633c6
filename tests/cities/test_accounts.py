"""People join offices by invitation; a one-time link sets their password and verifies their
address. Sign-in by user name or email (django-allauth); no open sign-up."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from cities.models import ApiToken, OfficeMembership, User

pytestmark = pytest.mark.django_db

MEMBERS = reverse("cities:office-members", args=["palmira-security-coexistence"])
LOGIN = reverse("account_login")


def invite(client, email, role="editor"):
    return client.post(MEMBERS, {"email": email, "role": role})


def link_in(message):
    return re.search(r"http://\S+/accounts/password/reset/key/\S+/", message.body).group(0)


def local(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def test_secretariat_invites_a_new_person_who_sets_a_password_once(
    client, secretariat, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        assert invite(client, "Ana@Palmira.gov.co").status_code == 302
    user = User.objects.get(email="ana@palmira.gov.co")
    assert not user.has_usable_password()
    assert OfficeMembership.objects.get(user=user).role == "editor"
    assert not EmailAddress.objects.get(user=user).verified
    path = local(link_in(mailoutbox[-1]))

    client.logout()
    form_page = client.get(path, follow=True)
    assert b"Set your password" in form_page.content
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password" in set_url  # the key left the address bar (no Referer leak)
    done = client.post(set_url, {"password1": "a-long-new-pass-2026",
                                 "password2": "a-long-new-pass-2026"})
    assert done.status_code == 302
    # The link reached the address, so the address is verified.
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary
    # They sign in with their email address.
    response = client.post(LOGIN, {"login": "ana@palmira.gov.co",
                                   "password": "a-long-new-pass-2026"})
    assert response.status_code == 302
    client.logout()
    again = client.get(path, follow=True)
    assert b"already been used" in again.content and b"Set your password" not in again.content


def test_sign_in_by_user_name_or_by_email(client, editor_a):
    for login in ("demo-editor", "DEMO-EDITOR@example.org", "demo-editor@example.org"):
        response = client.post(LOGIN, {"login": login, "password": "demo-pass-2026"})
        assert response.status_code == 302, login
        assert client.get(reverse("account")).status_code == 200
        client.post(reverse("account_logout"))
    wrong = client.post(LOGIN, {"login": "demo-editor@example.org", "password": "nope-nope"})
    assert wrong.status_code == 200 and b"error-summary" in wrong.content


def test_name_and_email_count_against_the_same_account(client, editor_a, settings):
    """Alternating the user name and the email does not earn extra failed attempts."""
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        login = "demo-editor" if i % 2 else "demo-editor@example.org"
        assert client.post(LOGIN, {"login": login, "password": "wrong"}).status_code == 200
    assert client.post(LOGIN, {"login": "demo-editor@example.org",
                               "password": "wrong"}).status_code == 429
    assert client.post(LOGIN, {"login": "demo-editor",
                               "password": "demo-pass-2026"}).status_code == 429


def test_no_one_signs_up(client):
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200 and b"Accounts are made by invitation" in page.content
    response = client.post(reverse("account_signup"), {
        "email": "new@example.org", "username": "newbie", "password1": "a-long-pass-2026!",
        "password2": "a-long-pass-2026!"})
    assert not User.objects.filter(username="newbie").exists()
    assert response.status_code in (200, 302)


def test_password_reset_mails_a_link_that_sets_a_new_password(client, viewer_a, mailoutbox):
    _token, key = ApiToken.issue(user=viewer_a, name="script")
    response = client.post(reverse("account_reset_password"), {"email": viewer_a.email})
    assert response.status_code == 302
    message = mailoutbox[-1]
    assert message.to == [viewer_a.email]
    page = client.get(local(link_in(message)), follow=True)
    done = client.post(page.redirect_chain[-1][0], {"password1": "brand-new-pass-2026",
                                                     "password2": "brand-new-pass-2026"})
    assert done.status_code == 302
    viewer_a.refresh_from_db()
    assert viewer_a.check_password("brand-new-pass-2026")
    assert not ApiToken.objects.filter(user=viewer_a).exists()


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url.endswith("/password/reset/done/")
    assert mailoutbox == []


def test_reset_mail_goes_out_in_the_recipients_language(client, viewer_a, mailoutbox):
    viewer_a.preferred_language = "es"
    viewer_a.save(update_fields=["preferred_language"])
    client.post(reverse("account_reset_password"), {"email": viewer_a.email},
                headers={"accept-language": "en"})
    message = mailoutbox[-1]
    assert "contraseña" in (message.subject + message.body).lower()


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
    result = client.post(reverse("account_change_password"), {
        "oldpassword": "demo-pass-2026", "password1": "another-strong-pass-77",
        "password2": "another-strong-pass-77"})
    assert result.status_code == 302
    editor_a.refresh_from_db()
    assert editor_a.check_password("another-strong-pass-77")
