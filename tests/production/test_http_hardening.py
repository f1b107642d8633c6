"""What every response carries and refuses: CSP and security headers, /healthz, body size
limit, throttled sign-in with a log of sign-ins and refused access."""

import json
import logging

import pytest
from django.db import DatabaseError
from django.urls import reverse

from ovp_assess import health
from ovp_assess.logging import JSONFormatter

pytestmark = pytest.mark.django_db


def test_pages_carry_a_csp_that_allows_only_our_own_scripts(client):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/criteria/"])
def test_pages_hold_no_inline_script_or_handler(client, url):
    html = client.get(url).content.decode()
    assert "<script>" not in html and "onsubmit=" not in html and "onclick=" not in html
    assert ' style="' not in html


def test_pages_of_a_signed_in_editor_hold_no_inline_handlers(client, editor_a, palmira_draft):
    client.force_login(editor_a)
    for url in [reverse("criteria:response-edit", args=[palmira_draft.pk, 1]),
                reverse("cities:office-members", args=["palmira-security-coexistence"])]:
        html = client.get(url).content.decode()
        assert "onsubmit=" not in html and ' style="' not in html, url


def test_healthz_answers_ok_with_database_and_migrations(client):
    health._migrations_ok_until = 0.0
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok",
                               "checks": {"database": "ok", "migrations": "ok"}}


def test_healthz_is_503_with_unapplied_migrations(client, monkeypatch):
    health._migrations_ok_until = 0.0
    monkeypatch.setattr(health, "_pending_migrations", lambda: ["criteria.9999_future"])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "1 not applied"


def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    class Broken:
        def __enter__(self):
            raise DatabaseError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", lambda: Broken())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unreachable"


def test_healthz_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


def test_oversized_body_is_refused_before_the_view(client, editor_a, palmira_draft, settings,
                                                   monkeypatch):
    from criteria import assessment_views

    def never(*args, **kwargs):
        raise AssertionError("the view must not run")

    monkeypatch.setattr(assessment_views, "get_assessment_for_user", never)
    client.force_login(editor_a)
    url = reverse("criteria:evidence-add", args=[palmira_draft.pk, 1])
    response = client.generic("POST", url, b"x" * 16,
                              CONTENT_LENGTH=str(settings.MAX_REQUEST_BYTES + 1),
                              content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    chunked = client.generic("POST", url, b"", HTTP_TRANSFER_ENCODING="chunked",
                             CONTENT_LENGTH="")
    assert chunked.status_code == 411


def test_sign_ins_are_throttled_and_logged(client, editor_a, caplog, settings):
    caplog.set_level(logging.INFO, logger="ovp_assess.security")
    login = reverse("account_login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(login, {"login": "demo-editor", "password": "wrong"})
        assert response.status_code == 200
    # The last allowed failure locks the account here; then even the right password is refused.
    assert client.post(login, {"login": "demo-editor", "password": "x"}).status_code == 429
    locked = client.post(login, {"login": "demo-editor", "password": "demo-pass-2026"})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    events = [r.event for r in caplog.records if r.name == "ovp_assess.security"]
    assert events.count("login_failed") >= settings.AXES_FAILURE_LIMIT
    assert "lockout" in events
    assert "login" not in events


def test_successful_sign_in_and_refused_access_are_logged(client, caplog, palmira_draft):
    caplog.set_level(logging.INFO, logger="ovp_assess.security")
    response = client.post(reverse("account_login"),
                           {"login": "demo-viewer", "password": "demo-pass-2026"})
    assert response.status_code == 302
    # A viewer may not review: 403, logged with who and where.
    client.get(reverse("criteria:assessment-review", args=[palmira_draft.pk]))
    records = {r.event: r for r in caplog.records if r.name == "ovp_assess.security"}
    assert records["login"].username == "demo-viewer"
    refused = [r for r in caplog.records if getattr(r, "event", "") == "access_refused"]
    if refused:  # review of a draft may be a 404 for outsiders; viewers of the office get 403
        assert refused[0].username == "demo-viewer" and refused[0].status == 403


def test_log_lines_are_json_with_extra_fields():
    record = logging.LogRecord("ovp_assess.security", logging.WARNING, __file__, 1,
                               "lockout %s", ("ana",), None)
    record.event, record.ip = "lockout", "203.0.113.9"
    line = json.loads(JSONFormatter().format(record))
    assert line["message"] == "lockout ana" and line["level"] == "WARNING"
    assert line["event"] == "lockout" and line["ip"] == "203.0.113.9" and "time" in line


def test_weak_passwords_are_refused(client, editor_a):
    client.force_login(editor_a)
    response = client.post(reverse("account_change_password"), {
        "oldpassword": "demo-pass-2026", "password1": "short1", "password2": "short1"})
    assert response.status_code == 200
    assert b"too short" in response.content


def test_inline_pdfs_carry_no_csp_so_the_browser_viewer_opens_them(client, secretariat):
    from criteria.models import Assessment

    client.force_login(secretariat)
    published = Assessment.objects.filter(status="published").first()
    response = client.get(reverse("reports:brief-pdf", args=[published.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "Content-Security-Policy" not in response
    assert "Content-Security-Policy" in client.get(reverse("reports:brief", args=[published.pk]))
