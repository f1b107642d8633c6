"""The audit trail records each security-relevant event, and the secretariat reads its own."""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cities import audit
from cities.models import (
    AuditEvent,
    City,
    Network,
    NetworkMembership,
    NetworkRole,
    Office,
    User,
)
from criteria import workflow

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def latest(action):
    return AuditEvent.objects.filter(action=action).first()


@pytest.fixture
def other_secretariat(db):
    """Secretariat of another network, with a city of its own."""
    network = Network.objects.create(slug="other-net", name="Other Network")
    city = City.objects.create(slug="elsewhere", name="Elsewhere", country="PT",
                               region="europe")
    NetworkMembership.objects.create(network=network, city=city)
    user = User.objects.create_user("other-sec", email="other@example.org")
    NetworkRole.objects.create(user=user, network=network, role=NetworkRole.Role.SECRETARIAT)
    return user


def test_sign_ins_record_who_and_from_where(client, editor_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(reverse("account_login"), {"login": "demo-editor", "password": "wrong"},
                headers={"x-forwarded-for": "6.6.6.6, 203.0.113.4"})
    failed = latest(Action.LOGIN_FAILED)
    assert (failed.actor_name, failed.ip) == ("demo-editor", "203.0.113.4")
    client.post(reverse("account_login"), {"login": "demo-editor", "password": "demo-pass-2026"},
                headers={"x-forwarded-for": "203.0.113.4"})
    event = latest(Action.LOGIN)
    assert (event.actor, event.ip, event.path) == (editor_a, "203.0.113.4", "/accounts/login/")
    client.post(reverse("account_logout"))
    assert latest(Action.LOGOUT).actor == editor_a


def test_roles_granted_changed_and_removed_on_every_path(client, secretariat):
    office = Office.objects.get(slug="palmira-security-coexistence")
    client.force_login(secretariat)
    client.post(reverse("cities:office-members", args=[office.slug]),
                {"email": "new.person@example.org", "role": "viewer"})
    granted = latest(Action.ROLE_GRANTED)
    assert granted.actor == secretariat and "new.person@example.org" in granted.detail
    membership = office.memberships.get(user__email="new.person@example.org")
    membership.role = "editor"
    membership.save()  # e.g. through the admin or a shell: still recorded
    assert "viewer → editor" in latest(Action.ROLE_CHANGED).detail
    client.post(reverse("cities:member-remove", args=[office.slug, membership.pk]))
    assert latest(Action.ROLE_REVOKED).actor == secretariat


def test_publishing_downloads_and_tokens_are_recorded(client, complete_draft, editor_a,
                                                      secretariat):
    client.force_login(editor_a)
    added = client.post(
        reverse("criteria:evidence-add", args=[complete_draft.pk, 1]),
        {"kind": "document", "title": "Law", "source": "Council", "strength": "documented",
         "file": SimpleUploadedFile("law.pdf", PDF)})
    assert added.status_code == 302
    evidence = complete_draft.responses.get(criterion__number=1).evidence.get(title="Law")
    client.get(reverse("criteria:evidence-download", args=[evidence.pk]))
    download = latest(Action.DOWNLOAD)
    assert (download.actor, download.detail) == (editor_a, "law.pdf")
    assert download.target_id == str(complete_draft.pk)

    workflow.submit_assessment(assessment=complete_draft, by=editor_a)
    workflow.publish_assessment(assessment=complete_draft, by=secretariat)
    assert latest(Action.SUBMITTED).actor == editor_a
    published = latest(Action.PUBLISHED)
    assert published.actor == secretariat and published.target_id == str(complete_draft.pk)

    client.post("/accounts/tokens/", {"action": "create", "name": "nightly", "lifetime": "30"})
    assert "nightly" in latest(Action.TOKEN_CREATED).detail
    token = editor_a.api_tokens.get()
    client.post("/accounts/tokens/", {"action": "revoke", "token": token.pk})
    assert "nightly" in latest(Action.TOKEN_REVOKED).detail


def test_admin_changes_are_recorded(secretariat):
    office = Office.objects.get(slug="palmira-security-coexistence")
    # What the admin writes for every change it saves.
    LogEntry.objects.log_actions(
        user_id=secretariat.pk, queryset=[office], action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Website"]}}], single_object=True,
    )
    event = latest(Action.ADMIN_CHANGE)
    assert event.actor == secretariat and "Website" in event.detail
    assert event.networks.filter(slug="pioc").exists()


def test_the_secretariat_reads_only_its_networks_trail(client, secretariat, other_secretariat,
                                                        editor_a):
    office = Office.objects.get(slug="palmira-security-coexistence")
    audit.record(Action.DOWNLOAD, target=office, actor=editor_a, detail="ours.pdf")
    audit.record(Action.DOWNLOAD, target=City.objects.get(slug="elsewhere"),
                 actor=other_secretariat, detail="theirs.pdf")
    client.force_login(secretariat)
    page = client.get(reverse("reports:audit-trail"), {"action": "download"})
    body = page.content.decode()
    assert page.status_code == 200 and "ours.pdf" in body and "theirs.pdf" not in body
    client.force_login(other_secretariat)
    body = client.get(reverse("reports:audit-trail")).content.decode()
    assert "theirs.pdf" in body and "ours.pdf" not in body


def test_the_trail_filters_and_exports_as_csv(client, secretariat, editor_a):
    office = Office.objects.get(slug="palmira-security-coexistence")
    audit.record(Action.DOWNLOAD, target=office, actor=editor_a, detail="=HYPERLINK(x)")
    client.force_login(secretariat)
    response = client.get(reverse("reports:audit-trail-export", args=["csv"]),
                          {"who": "demo-editor", "action": "download"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["time_utc", "event", "user"]
    assert [r[1:3] for r in rows[1:]] == [["download", "demo-editor"]]
    assert rows[1][-1] == "'=HYPERLINK(x)"  # never a formula in a spreadsheet
    assert latest(Action.EXPORT).actor == secretariat  # exporting the trail is an event too
    bad = client.get(reverse("reports:audit-trail"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert bad.status_code == 400 and "Until" in bad.content.decode()


@pytest.mark.parametrize("persona", ["editor_a", "researcher"])
def test_only_the_secretariat_reads_the_trail(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:audit-trail")).status_code == 403
    assert client.get(reverse("reports:audit-trail-export", args=["csv"])).status_code == 403


def test_events_older_than_the_retention_are_pruned(settings, editor_a):
    settings.AUDIT_RETENTION_DAYS = 30
    old = audit.record(Action.LOGIN, target=editor_a, actor=editor_a)
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    recent = audit.record(Action.LOGIN, target=editor_a, actor=editor_a)
    assert audit.prune() >= 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
