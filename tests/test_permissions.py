"""The permission table: every URL the resolver knows × every persona → the expected status,
and every refused write leaves the data as it was.

The list of URLs is not written here: it is read from `django.urls.get_resolver()`, and a
URL without a row below fails `test_every_url_has_a_row`. Admin URLs get their rows from
ADMIN_MODELS (one entry per registered model), so registering a model without saying who may
use its admin fails too.

404 where the object is not theirs to see (another office's or network's); 403 where they may
see it but not do this; 302 to a sign-in page where signing in could help. docs/access.md
explains the rules.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cities.models import (
    City,
    CityFigureSeries,
    ExchangeRate,
    Indicator,
    IndicatorValue,
    Network,
    NetworkMembership,
    NetworkRole,
    Office,
    OfficeMembership,
    Transition,
    User,
)
from criteria import workbook
from criteria.admin import AssessmentDataMixin
from criteria.models import (
    Action,
    Assessment,
    Criterion,
    CriterionResponse,
    CriterionTarget,
    Evidence,
    ExchangeEvent,
    ExchangeRequest,
    Framework,
    FundingSource,
    GoodPractice,
    GuidingQuestion,
    OfficeProfile,
    ReviewComment,
    RubricLevel,
    Tradeoff,
    WorkbookUpload,
)
from reports.models import ExportJob
from tests.rounds import round_for_office

pytestmark = pytest.mark.django_db

# anonymous · viewer of office A · editor of A · editor of office B (same network) ·
# researcher · secretariat of A's network · secretariat of another network · superuser ·
# lead of office A
P = ["anonymous", "viewer_a", "editor_a", "editor_b", "researcher", "secretariat",
     "other_secretariat", "superuser", "office_lead"]
STAFF = {"secretariat", "other_secretariat", "superuser"}


def ex(a, v, e, b, r, s, o, u, *, lead=None):
    """Expected statuses per persona. A lead is an editor of their office who also manages
    its members, so the lead's column is the editor's unless `lead` says otherwise (the
    members pages, where they differ)."""
    return dict(zip(P, (a, v, e, b, r, s, o, u, e if lead is None else lead), strict=True))


def everyone(code=200):
    return dict.fromkeys(P, code)


def signed_in(code=200, anonymous=302):
    return {**dict.fromkeys(P, code), "anonymous": anonymous}


SEE_DRAFT = ex(404, 200, 200, 404, 404, 200, 404, 200)
EDIT_DRAFT = ex(404, 403, 200, 404, 404, 403, 404, 403)
WRITE_DRAFT = ex(404, 403, 302, 404, 404, 403, 404, 403)
REVIEW = ex(404, 403, 403, 404, 404, 200, 404, 200)
REVIEW_WRITE = ex(404, 403, 403, 404, 404, 302, 404, 302)
SECRETARIAT_PAGE = ex(302, 403, 403, 403, 403, 200, 200, 200)
POST_ONLY = signed_in(405)  # login_required first, then require_POST
NOT_FOUND_POST_ONLY = everyone(405)
# allauth's "confirm it is you" pages: a session older than a few minutes (force_login has no
# sign-in record) is first asked for the password again; nobody without one gets in.
SUDO = ex(302, 302, 302, 302, 302, 302, 403, 302)


@dataclass
class Write:
    method: str
    expect: dict
    data: object = None  # o -> dict
    headers: object = None  # o -> dict
    content_type: str | None = None


@dataclass
class Row:
    kwargs: object = None  # o -> dict of URL kwargs (without `format`)
    get: dict | None = None
    writes: list = field(default_factory=list)
    query: str = ""


def _round_post(rnd):
    return {"name": rnd.name, "code": rnd.code, "framework": rnd.framework_id,
            "opens_on": rnd.opens_on.isoformat(), "closes_on": rnd.closes_on.isoformat(),
            "invited_offices": list(rnd.invited_offices.values_list("pk", flat=True))}


def _answer(o):
    return {"version": o["response"].version, "level": "1", "current_strengths": "x",
            "opportunities": "y", "confidence": "low", "not_applicable_reason": ""}


PROFILE_POST = {"institutional_location": "mayors_office", "police_control": "national",
                "staffing_model": "mixed", "staff_expertise": "both",
                "funding-TOTAL_FORMS": "0", "funding-INITIAL_FORMS": "0",
                "funding-MIN_NUM_FORMS": "0", "funding-MAX_NUM_FORMS": "1000"}
PALMIRA = {"slug": "palmira-security-coexistence"}
DRAFT = {"pk": lambda o: o["draft"].pk}


def draft(**extra):
    return lambda o: {"pk": o["draft"].pk, **extra}


ROWS = {
    # --- site and accounts
    "home": Row(get=everyone()),
    "healthz": Row(get=everyone()),
    "accessibility": Row(get=everyone()),
    "account_login": Row(get=ex(200, 302, 302, 302, 302, 302, 302, 302)),
    # where signing in lands: each role's first page (cities.access.landing_for)
    "start": Row(get=signed_in(302)),
    "account_logout": Row(get=signed_in(200)),
    "account": Row(get=signed_in()),
    "api-tokens": Row(get=signed_in()),
    # django-allauth (docs/accounts.md); no one signs up: the page says so to everyone.
    "account_signup": Row(get=ex(200, 302, 302, 302, 302, 302, 302, 302), writes=[Write(
        "post", ex(200, 302, 302, 302, 302, 302, 302, 302),
        data=lambda o: {"email": "x@example.org", "username": "x",
                        "password1": "a-long-pass-2026!", "password2": "a-long-pass-2026!"})]),
    "account_inactive": Row(get=everyone()),
    # Confirming one's password again: not for someone who has none yet (other_secretariat).
    "account_reauthenticate": Row(get=ex(302, 200, 200, 200, 200, 200, 403, 200)),
    # by a mailed code: needs an email address (the superuser has none)
    "account_request_reauthentication_code": Row(get=ex(302, 200, 200, 200, 200, 200, 403,
                                                        302)),
    "account_confirm_reauthentication_code": Row(get=everyone(302)),
    "account_email": Row(get=signed_in()),
    "account_email_verification_sent": Row(get=everyone()),
    "account_confirm_email": Row(kwargs=lambda o: {"key": "bad-key"}, get=everyone()),
    # Change a password one has; set one if one has none (other_secretariat).
    "account_change_password": Row(get=ex(302, 200, 200, 200, 200, 200, 302, 200)),
    "account_set_password": Row(get=ex(302, 302, 302, 302, 302, 302, 200, 302)),
    "account_reset_password": Row(get=everyone()),
    "account_reset_password_done": Row(get=everyone()),
    "account_reset_password_from_key": Row(
        kwargs=lambda o: {"uidb36": "1", "key": "bad-token"}, get=everyone()),
    "account_reset_password_from_key_done": Row(get=everyone()),
    "account_confirm_login_code": Row(get=everyone(302)),
    # multi-factor sign-in: one's own authenticators only
    "mfa_index": Row(get=signed_in()),
    "mfa_authenticate": Row(get=everyone(302)),
    "mfa_reauthenticate": Row(get=SUDO),
    "mfa_activate_totp": Row(get=SUDO),
    "mfa_deactivate_totp": Row(get=signed_in(404)),
    "mfa_view_recovery_codes": Row(get=signed_in(404)),
    "mfa_generate_recovery_codes": Row(get=SUDO),
    "mfa_download_recovery_codes": Row(get=signed_in(404)),
    "mfa_list_webauthn": Row(get=signed_in()),
    "mfa_add_webauthn": Row(get=SUDO),
    "mfa_reauthenticate_webauthn": Row(get=SUDO),
    "mfa_remove_webauthn": Row(kwargs=lambda o: {"pk": 999999}, get=SUDO),
    "mfa_edit_webauthn": Row(kwargs=lambda o: {"pk": 999999}, get=SUDO),
    "mfa_login_webauthn": Row(get=everyone(302)),  # a passkey sign-in is a POST
    # single sign-on (docs/sso.md): the form that routes an address to its provider, and
    # allauth's provider pages. An unknown provider is a 404; nobody signs up.
    "sso-start": Row(get=everyone(), writes=[Write("post", everyone(400),
                                                   data=lambda o: {"email": "x@nowhere.test"})]),
    "socialaccount_login_cancelled": Row(get=everyone()),
    "socialaccount_login_error": Row(get=everyone(401)),  # allauth's "sign-in failed" page
    "socialaccount_signup": Row(get=everyone(302)),
    "socialaccount_connections": Row(get=signed_in()),
    # allauth's old addresses of the same pages, kept as redirects
    "accounts/social/login/cancelled/": Row(get=everyone(301)),
    "accounts/social/login/error/": Row(get=everyone(301)),
    "accounts/social/signup/": Row(get=everyone(301)),
    "accounts/social/connections/": Row(get=everyone(301)),
    # (a GET to the assertion consumer is no assertion: it is sent to the sign-in error page)
    "saml_acs": Row(kwargs=lambda o: {"organization_slug": "no-such-idp"}, get=everyone(302)),
    **{name: Row(kwargs=lambda o: {"organization_slug": "no-such-idp"}, get=everyone(404))
       for name in ("saml_finish_acs", "saml_sls", "saml_metadata", "saml_login")},
    **{name: Row(kwargs=lambda o: {"provider_id": "no-such-idp"}, get=everyone(404))
       for name in ("openid_connect_login", "openid_connect_callback")},
    "set_language": Row(get=everyone(405)),  # POST only
    # --- API (format-suffixed twins share the row and are asked for JSON)
    "api:comparison": Row(get=everyone()),
    "api:comparison-trend": Row(get=everyone()),
    "api:open-data": Row(get=everyone()),
    "api:schema": Row(get=everyone()),
    "api:docs": Row(get=everyone()),
    "api:redoc": Row(get=everyone()),
    **{f"api:{name}-list": Row(get=everyone()) for name in (
        "network", "city", "office", "indicator", "framework", "criterion", "assessment",
        "response", "good-practice", "exchange-rate")},
    "api:action-list": Row(get=everyone(), writes=[Write(
        "post", ex(401, 403, 201, 400, 400, 403, 400, 403),
        data=lambda o: {"assessment": o["draft"].pk, "criterion_number": 2, "title": "T",
                        "status": "planned"},
        content_type="application/json")]),
    "api:action-detail": Row(
        kwargs=lambda o: {"pk": o["action"].pk}, get=SEE_DRAFT,
        writes=[Write("patch", ex(401, 403, 200, 404, 404, 403, 404, 403),
                      data=lambda o: {"status": "done"},
                      headers=lambda o: {"If-Match": f'"{o["action"].version}"'},
                      content_type="application/json"),
                Write("delete", ex(401, 403, 204, 404, 404, 403, 404, 403))]),
    # Targets: one per criterion (the draft has none on criterion 2); the same rights as
    # actions. Exchange requests: read-only, for the two offices and their secretariat.
    "api:target-list": Row(get=everyone(), writes=[Write(
        "post", ex(401, 403, 201, 400, 400, 403, 400, 403),
        data=lambda o: {"assessment": o["draft"].pk, "criterion_number": 2, "level": 3},
        content_type="application/json")]),
    "api:target-detail": Row(
        kwargs=lambda o: {"pk": o["target"].pk}, get=SEE_DRAFT,
        writes=[Write("patch", ex(401, 403, 200, 404, 404, 403, 404, 403),
                      data=lambda o: {"level": 4},
                      headers=lambda o: {"If-Match": f'"{o["target"].version}"'},
                      content_type="application/json"),
                Write("delete", ex(401, 403, 204, 404, 404, 403, 404, 403))]),
    "api:exchange-list": Row(get=everyone()),
    "api:exchange-detail": Row(kwargs=lambda o: {"pk": o["exchange"].pk},
                               get=ex(404, 200, 200, 404, 404, 200, 404, 200)),
    # The indicator register: a private indicator of Palmira (members and its network's
    # secretariat see it; its editors write).
    "api:office-indicator-list": Row(get=everyone(), writes=[Write(
        "post", ex(401, 403, 201, 403, 403, 403, 403, 403),
        data=lambda o: {"office": PALMIRA["slug"], "name": "API indicator", "kind": "process",
                        "unit": "sessions", "cadence": "yearly"},
        content_type="application/json")]),
    "api:office-indicator-detail": Row(
        kwargs=lambda o: {"pk": o["office_indicator"].pk}, get=SEE_DRAFT,
        writes=[Write("patch", ex(401, 403, 200, 404, 404, 403, 404, 403),
                      data=lambda o: {"unit": "changed unit"},
                      headers=lambda o: {"If-Match": f'"{o["office_indicator"].version}"'},
                      content_type="application/json")]),
    "api:office-indicator-values": Row(
        kwargs=lambda o: {"pk": o["office_indicator"].pk}, get=SEE_DRAFT,
        writes=[Write("post", ex(401, 403, 201, 404, 404, 403, 404, 403),
                      data=lambda o: {"on": "2019-12-31", "value": "3"},
                      content_type="application/json")]),
    "api:network-detail": Row(kwargs=lambda o: {"pk": o["pioc"].pk}, get=everyone()),
    "api:city-detail": Row(kwargs=lambda o: {"pk": o["draft"].city_id}, get=everyone()),
    "api:office-detail": Row(kwargs=lambda o: {"pk": o["draft"].office_id}, get=everyone()),
    "api:indicator-detail": Row(kwargs=lambda o: {"pk": o["indicator"].pk}, get=everyone()),
    # The dated exchange rates comparisons convert with: public, like the outcome figures.
    "api:transition-list": Row(get=everyone()),
    "api:transition-detail": Row(kwargs=lambda o: {"pk": o["transition"].pk}, get=everyone()),
    "api:exchange-rate-detail": Row(kwargs=lambda o: {"pk": ExchangeRate.objects.get(
        currency="COP").pk}, get=everyone()),
    "api:framework-detail": Row(kwargs=lambda o: {"pk": o["draft"].framework_id},
                                get=everyone()),
    "api:criterion-detail": Row(kwargs=lambda o: {"pk": o["response"].criterion_id},
                                get=everyone()),
    "api:good-practice-detail": Row(kwargs=lambda o: {"pk": o["practice"].pk}, get=everyone()),
    "api:assessment-detail": Row(kwargs=draft(), get=SEE_DRAFT),
    "api:response-detail": Row(
        kwargs=lambda o: {"pk": o["response"].pk}, get=SEE_DRAFT,
        writes=[Write("patch", ex(401, 403, 200, 404, 404, 403, 404, 403),
                      data=lambda o: {"current_strengths": "API change"},
                      headers=lambda o: {"If-Match": f'"{o["response"].version}"'},
                      content_type="application/json")]),
    "api:evidence-list": Row(get=everyone(), writes=[Write(
        "post", ex(401, 403, 201, 400, 400, 403, 400, 403),
        data=lambda o: {"response": o["response"].pk, "kind": "note", "title": "T",
                        "note": "N"},
        content_type="application/json")]),
    "api:evidence-detail": Row(
        kwargs=lambda o: {"pk": o["evidence"].pk}, get=SEE_DRAFT,
        writes=[Write("delete", ex(401, 403, 204, 404, 404, 403, 404, 403))]),
    # --- cities, offices, outcomes, members
    "cities:city-list": Row(get=everyone()),
    "cities:city-detail": Row(kwargs=lambda o: {"slug": "palmira"}, get=everyone()),
    "cities:office-detail": Row(kwargs=lambda o: PALMIRA, get=everyone()),
    "cities:outcome-list": Row(get=everyone()),
    "cities:outcome-city": Row(kwargs=lambda o: {"slug": "cali"}, get=everyone()),
    "cities:outcome-export": Row(kwargs=lambda o: {"fmt": "csv"}, get=everyone()),
    "cities:indicator-add": Row(get=SECRETARIAT_PAGE, writes=[Write(
        # The other network's secretariat may enter figures, but not Palmira's: the city is
        # not among its choices (422, naming the field).
        "post", ex(302, 403, 403, 403, 403, 302, 422, 302),
        data=lambda o: {"city": "palmira", "year": "2020", "kind": "homicides",
                        "value": "10", "qualifier": "exact", "source": "Test source"})]),
    "cities:indicator-import": Row(get=SECRETARIAT_PAGE),
    # The indicator register: anyone reads the public part; a private indicator is seen by
    # the office's members and its network's secretariat, changed by its editors only.
    "cities:office-indicators": Row(kwargs=lambda o: PALMIRA, get=everyone()),
    "cities:office-indicator-add": Row(
        kwargs=lambda o: PALMIRA, get=ex(302, 403, 200, 403, 403, 403, 403, 403),
        writes=[Write("post", ex(302, 403, 302, 403, 403, 403, 403, 403),
                      data=lambda o: {"name": "Table indicator", "kind": "process",
                                      "unit": "sessions", "cadence": "yearly"})]),
    "cities:office-indicator-import": Row(
        kwargs=lambda o: PALMIRA, get=ex(302, 403, 200, 403, 403, 403, 403, 403),
        writes=[Write("post", ex(302, 403, 302, 403, 403, 403, 403, 403),
                      data=lambda o: {"file": SimpleUploadedFile(
                          "v.csv", f"indicator,date,value\n{o['office_indicator'].name},"
                          "2019-12-31,4\n".encode(), content_type="text/csv")})]),
    "cities:office-indicator": Row(
        kwargs=lambda o: {"pk": o["office_indicator"].pk}, get=SEE_DRAFT,
        writes=[Write("post", ex(404, 403, 302, 404, 404, 403, 404, 403),
                      data=lambda o: {"on": "2019-12-31", "value": "5"})]),
    "cities:office-indicator-edit": Row(
        kwargs=lambda o: {"pk": o["office_indicator"].pk},
        get=ex(302, 403, 200, 404, 404, 403, 404, 403),
        writes=[Write("post", ex(302, 403, 302, 404, 404, 403, 404, 403),
                      data=lambda o: {"name": o["office_indicator"].name, "kind": "other",
                                      "unit": "changed", "cadence": "yearly",
                                      "version": o["office_indicator"].version})]),
    "cities:office-indicator-value-remove": Row(
        kwargs=lambda o: {"pk": o["indicator_value"].pk},
        get=ex(302, 403, 200, 404, 404, 403, 404, 403),
        writes=[Write("post", ex(302, 403, 302, 404, 404, 403, 404, 403))]),
    # Elections ahead: public like the office; recorded and removed by its editors.
    "cities:office-transitions": Row(
        kwargs=lambda o: PALMIRA, get=everyone(),
        writes=[Write("post", ex(302, 403, 302, 403, 403, 403, 403, 403),
                      data=lambda o: {"kind": "election", "year": "2098", "month": "10"})]),
    "cities:office-transition-remove": Row(
        kwargs=lambda o: {"pk": o["transition"].pk},
        get=ex(302, 403, 200, 403, 403, 403, 403, 403),
        writes=[Write("post", ex(302, 403, 302, 403, 403, 403, 403, 403))]),
    "reports:indicator-export": Row(kwargs=lambda o: {**PALMIRA, "fmt": "csv"},
                                    get=everyone()),
    # Members: the secretariat of the office's network and the office's own leads.
    "cities:members-offices": Row(get=ex(302, 403, 403, 403, 403, 200, 200, 200, lead=200)),
    "cities:office-members": Row(kwargs=lambda o: PALMIRA,
                                 get=ex(302, 403, 403, 403, 403, 200, 403, 200, lead=200),
                                 writes=[Write("post", ex(302, 403, 403, 403, 403, 302, 403, 302,
                                                          lead=302),
                                               data=lambda o: {"email": "new@example.org",
                                                               "role": "editor"})]),
    "cities:member-remove": Row(
        kwargs=lambda o: {**PALMIRA, "pk": o["membership"].pk}, get=POST_ONLY,
        writes=[Write("post", ex(302, 403, 403, 403, 403, 302, 403, 302, lead=302))]),
    "cities:member-role": Row(
        kwargs=lambda o: {**PALMIRA, "pk": o["membership"].pk}, get=POST_ONLY,
        writes=[Write("post", ex(302, 403, 403, 403, 403, 302, 403, 302, lead=302),
                      data=lambda o: {f"member-{o['membership'].pk}-role": "editor"})]),
    # --- framework and library
    "criteria:criterion-list": Row(get=everyone()),
    "criteria:criterion-detail": Row(kwargs=lambda o: {"slug": o["response"].criterion.slug},
                                     get=everyone()),
    "criteria:library": Row(get=everyone()),
    "criteria:library-export": Row(kwargs=lambda o: {"fmt": "csv"}, get=everyone()),
    "criteria:practice-add": Row(get=SECRETARIAT_PAGE),
    # --- self-assessment
    "criteria:my-assessments": Row(get=signed_in()),
    "criteria:assessment-start": Row(
        kwargs=lambda o: PALMIRA, get=ex(302, 403, 200, 403, 403, 403, 403, 403),
        writes=[Write("post", ex(302, 403, 302, 403, 403, 403, 403, 403),
                      data=lambda o: {"round": str(o["round2031"].pk)})]),
    "criteria:assessment-detail": Row(kwargs=draft(), get=SEE_DRAFT),
    "criteria:profile-edit": Row(kwargs=draft(), get=EDIT_DRAFT,
                                 writes=[Write("post", WRITE_DRAFT, data=lambda o: PROFILE_POST)]),
    "criteria:assessment-submit": Row(kwargs=draft(), get=EDIT_DRAFT, writes=[Write(
        "post", {**WRITE_DRAFT, "editor_a": 422, "office_lead": 422})]),  # incomplete: refused
    "criteria:response-edit": Row(kwargs=draft(number=1),
                                  get=ex(404, 302, 200, 404, 404, 302, 404, 302),
                                  writes=[Write("post", WRITE_DRAFT, data=_answer)]),
    "criteria:response-confirm": Row(kwargs=draft(number=1), get=NOT_FOUND_POST_ONLY, writes=[
        Write("post", WRITE_DRAFT, data=lambda o: {"version": o["response"].version})]),
    "criteria:response-history": Row(kwargs=draft(number=1), get=SEE_DRAFT),
    # The offline workbook: whoever sees the assessment may download it; uploading and
    # confirming are edits. An upload without a file is refused naming the field (422); a
    # confirm without the preview's fingerprint shows the preview again (409), writing nothing.
    "criteria:workbook-download": Row(kwargs=draft(), get=SEE_DRAFT),
    "criteria:workbook-upload": Row(kwargs=draft(), get=EDIT_DRAFT, writes=[
        Write("post", {**WRITE_DRAFT, "editor_a": 422, "office_lead": 422},
              data=lambda o: {})]),
    # A pending upload is its uploader's (editor_a): another editor of the office, such as
    # the lead, gets a 404 for it.
    "criteria:workbook-preview": Row(
        kwargs=lambda o: {"pk": o["draft"].pk, "key": o["workbook_upload"].key},
        get={**EDIT_DRAFT, "office_lead": 404},
        writes=[Write("post", {**WRITE_DRAFT, "editor_a": 409, "office_lead": 404},
                      data=lambda o: {"fingerprint": "stale"})]),
    # A GET (a reload after a refused form) goes back to the criterion page for those who
    # may see the draft.
    "criteria:evidence-add": Row(kwargs=draft(number=1),
                                 get=ex(404, 302, 302, 404, 404, 302, 404, 302), writes=[
        Write("post", WRITE_DRAFT, data=lambda o: {"kind": "note", "title": "T", "note": "N",
                                                   "strength": "self_reported"})]),
    "criteria:evidence-download": Row(kwargs=lambda o: {"pk": o["evidence"].pk}, get=SEE_DRAFT),
    "criteria:evidence-delete": Row(kwargs=lambda o: {"pk": o["evidence"].pk}, get=EDIT_DRAFT,
                                    writes=[Write("post", WRITE_DRAFT)]),
    "criteria:evidence-verify": Row(kwargs=lambda o: {"pk": o["evidence"].pk},
                                    get=NOT_FOUND_POST_ONLY,
                                    writes=[Write("post", REVIEW_WRITE)]),
    # --- improvement plan: editors at any status; whoever sees the assessment reads it
    "criteria:plan": Row(kwargs=draft(), get=SEE_DRAFT),
    "criteria:plan-targets": Row(kwargs=draft(), get=EDIT_DRAFT, writes=[
        Write("post", WRITE_DRAFT, data=lambda o: {"c2-level": "3"})]),
    "criteria:action-add": Row(kwargs=draft(), get=EDIT_DRAFT, writes=[
        Write("post", WRITE_DRAFT, data=lambda o: {
            "title": "T", "criterion": o["response"].criterion_id, "status": "planned"})]),
    "criteria:action-edit": Row(kwargs=lambda o: {"pk": o["action"].pk}, get=EDIT_DRAFT,
                                writes=[Write("post", WRITE_DRAFT, data=lambda o: {
                                    "title": "Changed", "criterion": o["action"].criterion_id,
                                    "status": "done", "version": o["action"].version})]),
    # --- peer exchange: peers above (whoever sees the assessment), asking one (its editors),
    # the inbox (anyone signed in: their offices' requests), one request (the two offices'
    # members and their networks' secretariat), the network list (the secretariat).
    "criteria:peers": Row(kwargs=draft(number=3), get=SEE_DRAFT),
    "criteria:exchange-new": Row(kwargs=draft(number=2), get=EDIT_DRAFT, writes=[
        Write("post", WRITE_DRAFT, data=lambda o: {
            "peer_office": Office.objects.get(slug="reach-edmonton").pk,
            "message": "Could we talk?"})]),
    "criteria:exchange-inbox": Row(get=signed_in()),
    "criteria:exchange-network": Row(get=SECRETARIAT_PAGE),
    "criteria:exchange-detail": Row(kwargs=lambda o: {"pk": o["exchange"].pk},
                                    get=ex(404, 200, 200, 404, 404, 200, 404, 200)),
    # The demo request waits for REACH Edmonton's answer: nobody in the table may give it.
    "criteria:exchange-status": Row(
        kwargs=lambda o: {"pk": o["exchange"].pk}, get=NOT_FOUND_POST_ONLY,
        writes=[Write("post", ex(404, 403, 403, 404, 404, 403, 404, 403), data=lambda o: {
            "status": "accepted", "note": "", "version": o["exchange"].version})]),
    "criteria:action-delete": Row(kwargs=lambda o: {"pk": o["action"].pk}, get=EDIT_DRAFT,
                                  writes=[Write("post", WRITE_DRAFT, data=lambda o: {
                                      "version": o["action"].version})]),
    # --- review
    "criteria:review-queue": Row(get=SECRETARIAT_PAGE),
    # --- rounds: the network's secretariat only; another network's round is a 404
    "criteria:round-list": Row(get=SECRETARIAT_PAGE),
    "criteria:round-create": Row(get=SECRETARIAT_PAGE, writes=[Write(
        "post", ex(302, 403, 403, 403, 403, 422, 422, 422), data=lambda o: {"code": "Bad/Code"})]),
    "criteria:round-edit": Row(
        kwargs=lambda o: {"pk": o["round2031"].pk}, get=ex(302, 404, 404, 404, 404, 200, 404, 200),
        writes=[Write("post", ex(302, 404, 404, 404, 404, 302, 404, 302),
                      data=lambda o: _round_post(o["round2031"]))]),
    "criteria:round-close": Row(
        kwargs=lambda o: {"pk": o["round_to_close"].pk}, get=POST_ONLY,
        writes=[Write("post", ex(302, 404, 404, 404, 404, 302, 404, 302))]),
    "criteria:assessment-review": Row(kwargs=draft(), get=REVIEW),
    "criteria:comment-add": Row(kwargs=draft(), get=NOT_FOUND_POST_ONLY, writes=[
        Write("post", REVIEW_WRITE, data=lambda o: {"body": "Looks good"})]),
    # A draft cannot be sent back or published: the secretariat is told so (302), nothing
    # changes; the refusals of everyone else are what this row checks.
    "criteria:request-changes": Row(kwargs=draft(), get=NOT_FOUND_POST_ONLY, writes=[
        Write("post", REVIEW_WRITE, data=lambda o: {"note": "Change it"})]),
    # A GET asks for confirmation (for a draft: back to the review page, with the reason);
    # only a POST carrying the confirmation publishes.
    "criteria:publish": Row(kwargs=draft(), get=REVIEW_WRITE,
                            writes=[Write("post", REVIEW_WRITE,
                                          data=lambda o: {"confirm": "publish"})]),
    # --- reports
    "reports:index": Row(get=everyone()),
    "reports:public-briefs": Row(get=everyone()),
    "reports:compare": Row(get=everyone()),
    "reports:compare-export": Row(kwargs=lambda o: {"fmt": "csv"}, get=everyone()),
    "reports:compare-trend-export": Row(kwargs=lambda o: {"fmt": "csv"}, get=everyone()),
    # Open data is what anyone may read, whoever asks; a network without any is a 404.
    "reports:open-data": Row(get=everyone()),
    "reports:open-data-download": Row(
        kwargs=lambda o: {"network": "no-such-network", "table": "assessments", "fmt": "csv"},
        get=everyone(404)),
    "reports:open-data-zip": Row(kwargs=lambda o: {"network": "no-such-network"},
                                 get=everyone(404)),
    "reports:brief": Row(kwargs=draft(), get=SEE_DRAFT),
    "reports:plan-export": Row(kwargs=lambda o: {"pk": o["draft"].pk, "fmt": "csv"},
                               get=SEE_DRAFT),
    "reports:brief-pdf": Row(kwargs=draft(), get=SEE_DRAFT),
    "reports:transition-memo": Row(kwargs=draft(), get=SEE_DRAFT),
    "reports:transition-memo-pdf": Row(kwargs=draft(), get=SEE_DRAFT),
    "reports:brief-publish": Row(kwargs=draft(), get=ex(404, 403, 403, 404, 404, 403, 404, 403),
                                 writes=[Write("post", ex(404, 403, 403, 404, 404, 403, 404, 403),
                                               data=lambda o: {"public": "1"})]),
    # Round 2026 holds Palmira's draft (PiOC) and the other network's draft.
    "reports:network-brief": Row(kwargs=lambda o: {"round": "2026"},
                                 get=ex(404, 200, 200, 404, 404, 200, 200, 200)),
    "reports:network-pdf": Row(kwargs=lambda o: {"round": "2026"},
                               get=ex(404, 200, 200, 404, 404, 200, 200, 200)),
    "reports:export-list": Row(get=SECRETARIAT_PAGE),
    # the audit trail: each secretariat reads only its networks' events (tests/cities)
    "reports:audit-trail": Row(get=SECRETARIAT_PAGE),
    "reports:audit-trail-export": Row(kwargs=lambda o: {"fmt": "csv"}, get=SECRETARIAT_PAGE),
    "reports:export-status": Row(kwargs=lambda o: {"pk": o["job"].pk},
                                 get=ex(302, 404, 404, 404, 404, 200, 404, 200)),
    "reports:export-download": Row(kwargs=lambda o: {"pk": o["job"].pk},
                                   get=ex(302, 404, 404, 404, 404, 200, 404, 200)),
    "reports:export-retry": Row(kwargs=lambda o: {"pk": o["job"].pk}, get=POST_ONLY, writes=[
        Write("post", ex(302, 404, 404, 404, 404, 302, 404, 302))]),
    # --- the admin's own pages (model pages: ADMIN_MODELS below)
    "admin:index": Row(get=ex(302, 302, 302, 302, 302, 200, 200, 200)),
    "admin:login": Row(get=ex(200, 200, 200, 200, 200, 302, 302, 302)),
    "admin:logout": Row(get=ex(302, 302, 302, 302, 302, 405, 405, 405)),
    "admin:password_change": Row(get=ex(302, 302, 302, 302, 302, 200, 200, 200)),
    "admin:password_change_done": Row(get=ex(302, 302, 302, 302, 302, 200, 200, 200)),
    "admin:jsi18n": Row(get=ex(302, 302, 302, 302, 302, 200, 200, 200)),
    # Without its parameters the autocomplete refuses everyone who reaches it.
    "admin:autocomplete": Row(get=ex(302, 302, 302, 302, 302, 403, 403, 403)),
    "admin:view_on_site": Row(kwargs=lambda o: {
        "content_type_id": ContentType.objects.get_for_model(Office).pk,
        "object_id": o["draft"].office_id}, get=everyone(302)),
    "admin:app_list": Row(kwargs=lambda o: {"app_label": "cities"},
                          get=ex(302, 302, 302, 302, 302, 200, 200, 200)),
    "admin:catch-all": Row(kwargs=lambda o: {"url": "no/such/page/"},
                           get=ex(302, 302, 302, 302, 302, 404, 404, 404)),
}


# --- the admin's model pages --------------------------------------------------------------
# For each registered model: the object its pages are asked about (one of PiOC's, so the
# other network's secretariat must not find it) and who may do what.
#   scoped: the secretariat of the object's network reads and edits it; the other network's
#           secretariat does not find it (change/delete: redirected with "does not exist";
#           history: 404); `add` and `delete` say who may add and delete.
#   shared: the framework, the same for every network.
#   superuser: nobody else.

@dataclass
class AdminModel:
    kind: str
    obj: object  # o -> instance
    add: bool = True  # may the secretariat add?
    delete: bool = True  # may the secretariat delete (an object of its own network)?
    superuser_add: bool = True  # logs and task results are written by the system only
    superuser_delete: bool = True


ADMIN_MODELS = {
    Group: AdminModel("superuser", lambda o: Group.objects.first()),
    # No row exists in the test database: their object pages answer "does not exist".
    "django_tasks_database.DBTaskResult": AdminModel("superuser", lambda o: None,
                                                     superuser_add=False,
                                                     superuser_delete=False),
    "axes.AccessAttempt": AdminModel("superuser", lambda o: None, superuser_add=False),
    "axes.AccessLog": AdminModel("superuser", lambda o: None, superuser_add=False),
    "axes.AccessFailureLog": AdminModel("superuser", lambda o: None, superuser_add=False),
    "authtoken.TokenProxy": AdminModel("superuser", lambda o: None),
    # allauth: email addresses and authenticators (a superuser removes a lost one).
    "account.EmailAddress": AdminModel("superuser", lambda o: None),
    "mfa.Authenticator": AdminModel("superuser", lambda o: None),
    # Single sign-on: identity providers are scoped to the secretariat's networks; the
    # accounts linked through them and their tokens are the superuser's.
    "socialaccount.SocialApp": AdminModel("scoped", lambda o: o["sso_app"]),
    "socialaccount.SocialAccount": AdminModel("superuser", lambda o: None),
    "socialaccount.SocialToken": AdminModel("superuser", lambda o: None),
    "criteria.Round": AdminModel("scoped", lambda o: o["round2031"]),
    User: AdminModel("scoped", lambda o: o["viewer"], add=False, delete=False),
    Network: AdminModel("scoped", lambda o: o["pioc"], add=False, delete=False),
    NetworkMembership: AdminModel("scoped", lambda o: NetworkMembership.objects.get(
        network=o["pioc"], city__slug="palmira"), add=False, delete=False),
    City: AdminModel("scoped", lambda o: o["draft"].city, add=False, delete=False),
    Office: AdminModel("scoped", lambda o: o["draft"].office),
    OfficeMembership: AdminModel("scoped", lambda o: o["membership"], add=False, delete=False),
    NetworkRole: AdminModel("scoped", lambda o: NetworkRole.objects.get(
        user__username="demo-secretariat"), add=False, delete=False),
    CityFigureSeries: AdminModel("scoped", lambda o: o["indicator"]),
    # Shared by every network: the exchange rates, which any secretariat keeps
    # (cities.access.may_maintain_exchange_rates); the framework, which any secretariat reads
    # and only a superuser changes (every network's published assessments read it).
    ExchangeRate: AdminModel("shared", lambda o: ExchangeRate.objects.get(currency="COP")),
    Framework: AdminModel("shared", lambda o: o["draft"].framework, add=False, delete=False),
    Criterion: AdminModel("shared", lambda o: o["response"].criterion, add=False,
                          delete=False),
    Tradeoff: AdminModel("shared", lambda o: Tradeoff.objects.first(), add=False,
                         delete=False),
    GuidingQuestion: AdminModel("shared", lambda o: GuidingQuestion.objects.first(),
                                add=False, delete=False),
    RubricLevel: AdminModel("shared", lambda o: RubricLevel.objects.first(), add=False,
                            delete=False),
    GoodPractice: AdminModel("scoped", lambda o: o["practice"]),
    Assessment: AdminModel("scoped", lambda o: o["draft"]),
    OfficeProfile: AdminModel("scoped", lambda o: o["draft"].profile),
    FundingSource: AdminModel("scoped", lambda o: o["funding"]),
    CriterionResponse: AdminModel("scoped", lambda o: o["response"]),
    Evidence: AdminModel("scoped", lambda o: o["evidence"]),
    ReviewComment: AdminModel("scoped", lambda o: o["comment"]),
    # Read-only here (plans are the office's; exchanges move through the product); a
    # superuser may delete.
    CriterionTarget: AdminModel("scoped", lambda o: o["target"], add=False, delete=False,
                                superuser_add=False),
    ExchangeRequest: AdminModel("scoped", lambda o: o["exchange"], add=False, delete=False,
                                superuser_add=False),
}
NON_STAFF = dict.fromkeys(["anonymous", "viewer_a", "editor_a", "editor_b", "researcher",
                           "office_lead"], 302)


def _label(model):
    return model if isinstance(model, str) else model._meta.label


def _admin_expectations(model, spec, page, exists):
    """Expected status of one admin page of a model, per persona."""
    # Assessment data's history pages 404 outside the user's scope, where Django's own pages
    # redirect with "does not exist".
    missing = 404 if isinstance(admin.site._registry[model], AssessmentDataMixin) else 302
    code = {}
    for persona in ("secretariat", "other_secretariat", "superuser"):
        boss = persona == "superuser"
        if page == "redirect":  # /<id>/ → /<id>/change/, which decides
            code[persona] = 302
        elif page == "history" and not exists:  # Django looks the object up first
            code[persona] = 302
        elif spec.kind == "superuser" and not boss:
            code[persona] = 403
        elif page == "password":
            code[persona] = 200 if boss else 403
        elif page == "changelist":
            code[persona] = 200
        elif page == "add":
            code[persona] = 200 if (spec.add or boss) and (spec.superuser_add or not boss) \
                else 403
        elif page == "delete" and not (spec.delete or boss) or (
                page == "delete" and boss and not spec.superuser_delete):
            code[persona] = 403  # refused before the object is even looked up
        elif not exists:
            code[persona] = 302
        elif persona == "other_secretariat" and spec.kind == "scoped":
            code[persona] = missing if page in {"history", "version"} else 302
        else:  # change, history, delete, a past version: theirs
            code[persona] = 200
    return {**NON_STAFF, **code}


ADMIN_PAGES = {
    "": "changelist", "add/": "add", "<path:object_id>/history/": "history",
    "<path:object_id>/delete/": "delete", "<path:object_id>/change/": "change",
    "<path:object_id>/": "redirect", "^([^/]+)/history/([^/]+)/$": "version",
    "<id>/password/": "password",
}


# --- walking the resolver -------------------------------------------------------------------


def _patterns(patterns=None, prefix="", namespace=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _patterns(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else ""
            yield prefix + str(p.pattern), name, p


def _admin_model_page(route):
    match = re.fullmatch(r"admin/(\w+)/(\w+)/(.*)", route)
    if not match:
        return None
    app, model_name, suffix = match.groups()
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (app, model_name):
            return model, ADMIN_PAGES.get(suffix)
    return None


def _row_key(route, name):
    if route == "admin/(?P<url>.*)$":
        return "admin:catch-all"
    if _admin_model_page(route) or not name:
        return route
    return name


ALL = list(_patterns())


def test_every_url_has_a_row():
    missing = []
    for route, name, _pattern in ALL:
        page = _admin_model_page(route)
        if page:
            model, kind = page
            spec = ADMIN_MODELS.get(model) or ADMIN_MODELS.get(_label(model))
            if spec is None or kind is None:
                missing.append(route)
        elif _row_key(route, name) not in ROWS:
            missing.append(f"{route} ({name or 'no name'})")
    assert not missing, "URLs without a row in the permission table:\n" + "\n".join(missing)


def test_the_table_has_no_rows_for_urls_that_are_gone():
    names = {_row_key(route, name) for route, name, _p in ALL}
    assert set(ROWS) - names == set()


# --- the data the table asks about ----------------------------------------------------------


def _sso_app():
    """An OpenID Connect provider of PiOC's (the other network's secretariat must not find
    it)."""
    from allauth.socialaccount.models import SocialApp

    from cities.models import SsoConnection

    app = SocialApp.objects.create(provider="openid_connect", provider_id="pioc-idp",
                                   name="PiOC sign-in", client_id="c", secret="s",
                                   settings={"server_url": "https://idp.example.org"})
    SsoConnection.objects.create(app=app, network=Network.objects.get(slug="pioc"),
                                 email_domains="pioc.example.org")
    return app


@pytest.fixture
def objects(palmira_draft, editor_a, viewer_a, secretariat, other_network, office_lead):
    response = palmira_draft.responses.get(criterion__number=1)
    evidence = Evidence.objects.create(
        response=response, kind="document", title="Minutes",
        file=ContentFile(b"%PDF-1.4 minutes", name="minutes.pdf"),
        original_name="minutes.pdf", content_type="application/pdf", created_by=editor_a,
    )
    job = ExportJob.objects.create(round="2026", requested_by=secretariat,
                                   status=ExportJob.Status.DONE, total=1, completed=1)
    job.file.save("test.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    funding = FundingSource.objects.create(profile=palmira_draft.profile, name="City",
                                           kind="municipal", share_percent=50)
    comment = ReviewComment.objects.create(assessment=palmira_draft, body="Check",
                                           author=secretariat)
    _name, _type, data = workbook.build_workbook(palmira_draft, user=editor_a, language="en")
    workbook_upload = WorkbookUpload.objects.create(
        assessment=palmira_draft, user=editor_a, file_name="filled.xlsx",
        content=workbook.read_workbook(SimpleUploadedFile("filled.xlsx", data), palmira_draft))
    return {
        "draft": palmira_draft, "response": response, "evidence": evidence, "job": job,
        "pioc": Network.objects.get(slug="pioc"), "viewer": viewer_a,
        "membership": OfficeMembership.objects.get(user=viewer_a),
        "indicator": CityFigureSeries.objects.filter(city__slug="cali").first(),
        "practice": GoodPractice.objects.filter(
            city__in=City.objects.filter(networks__slug="pioc")).first(),
        "funding": funding, "comment": comment, "other": other_network,
        "workbook_upload": workbook_upload,
        "action": Action.objects.filter(assessment=palmira_draft).first(),
        "target": CriterionTarget.objects.filter(assessment=palmira_draft).first(),
        "exchange": ExchangeRequest.objects.get(requester_office=palmira_draft.office),
        "round2031": round_for_office(palmira_draft.office, "2031"),
        "sso_app": _sso_app(),
        "round_to_close": round_for_office(palmira_draft.office, "2032"),
        "office_indicator": Indicator.objects.get(office=palmira_draft.office,
                                                  is_public=False),
        "indicator_value": IndicatorValue.objects.filter(
            indicator__office=palmira_draft.office, indicator__is_public=False).first(),
        "transition": Transition.objects.create(office=palmira_draft.office, year=2099,
                                                month=10, recorded_by=editor_a),
    }


@pytest.fixture
def clients(request, objects):
    """One client per persona, signed in once."""
    made = {}
    for persona in P:
        client = Client()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        made[persona] = client
    return made


def snapshot():
    """Everything a write in the table could change."""
    return {
        "responses": list(CriterionResponse.objects.order_by("pk").values_list(
            "pk", "version", "current_strengths")),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", "strength")),
        "assessments": list(Assessment.objects.order_by("pk").values_list(
            "pk", "status", "is_public")),
        "profiles": list(OfficeProfile.objects.order_by("pk").values_list(
            "pk", "institutional_location")),
        "comments": ReviewComment.objects.count(),
        "memberships": list(OfficeMembership.objects.order_by("pk").values_list(
            "pk", "user_id", "office_id", "role")),
        "roles": list(NetworkRole.objects.order_by("pk").values_list("pk", "network_id")),
        "users": list(User.objects.order_by("pk").values_list("pk", "is_staff", "is_superuser")),
        "city_figures": list(IndicatorValue.objects.filter(indicator__office__isnull=True)
                             .order_by("pk").values_list("pk", "value", "source")),
        "office_indicators": list(Indicator.objects.order_by("pk").values_list(
            "pk", "version", "unit")),
        "indicator_values": list(IndicatorValue.objects.order_by("pk").values_list(
            "pk", "on", "value")),
        "transitions": list(Transition.objects.order_by("pk").values_list("pk", "year")),
        "actions": list(Action.objects.order_by("pk").values_list("pk", "version", "status")),
        "targets": list(CriterionTarget.objects.order_by("pk").values_list("pk", "level")),
        "exchanges": list(ExchangeRequest.objects.order_by("pk").values_list(
            "pk", "status", "version")),
        "exchange_events": ExchangeEvent.objects.count(),
        "jobs": list(ExportJob.objects.order_by("pk").values_list("pk", "status")),
        "workbook_uploads": list(WorkbookUpload.objects.order_by("pk").values_list(
            "pk", "user_id", "applied_at")),
    }


def _url(route, name, pattern, objects):
    page = _admin_model_page(route)
    if page:
        model, kind = page
        spec = ADMIN_MODELS.get(model) or ADMIN_MODELS[_label(model)]
        obj = spec.obj(objects)
        pk = obj.pk if obj is not None else 999999
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        history = getattr(getattr(model, "history", None), "filter", None)
        version = history(id=pk).order_by("history_id").values_list(
            "history_id", flat=True).first() if history else None
        suffix = {"changelist": "", "add": "add/", "history": f"{pk}/history/",
                  "delete": f"{pk}/delete/", "change": f"{pk}/change/", "redirect": f"{pk}/",
                  "version": f"{pk}/history/{version or 999999}/",
                  "password": f"{pk}/password/"}[kind]
        return base + suffix, _admin_expectations(model, spec, kind, obj is not None), []
    row = ROWS[_row_key(route, name)]
    kwargs = row.kwargs(objects) if row.kwargs else {}
    if "format" in pattern.pattern.regex.groupindex:
        kwargs["format"] = "json"
    if _row_key(route, name) == "admin:catch-all":
        return "/admin/" + kwargs["url"], row.get, row.writes
    if not name:  # an unnamed route is a plain path
        return "/" + route + row.query, row.get, row.writes
    return reverse(name, kwargs=kwargs) + row.query, row.get, row.writes


def _refused(status, response):
    return status in (400, 401, 403, 404, 405, 422) or (
        status == 302 and "login" in response.get("Location", "")
    )


def _check(clients, objects, route, name, pattern):
    """What is wrong with one URL: a list of lines, empty when it behaves as the table says."""
    url, expect_get, writes = _url(route, name, pattern, objects)
    wrong = []
    for persona in P:
        with transaction.atomic():
            status = clients[persona].get(url).status_code
            transaction.set_rollback(True)
        if expect_get is not None and status != expect_get[persona]:
            wrong.append(f"GET {persona}: {status}, expected {expect_get[persona]}")
    for write in writes:
        for persona in P:
            with transaction.atomic():
                before = snapshot()
                kwargs = {}
                if write.data is not None:
                    kwargs["data"] = write.data(objects)
                if write.content_type:
                    kwargs["content_type"] = write.content_type
                if write.headers is not None:
                    kwargs["headers"] = write.headers(objects)
                result = getattr(clients[persona], write.method)(url, **kwargs)
                if result.status_code != write.expect[persona]:
                    wrong.append(f"{write.method.upper()} {persona}: {result.status_code}, "
                                 f"expected {write.expect[persona]}")
                if _refused(result.status_code, result) and snapshot() != before:
                    wrong.append(f"{write.method.upper()} {persona}: refused but data changed")
                transaction.set_rollback(True)
    return [f"{url} {line}" for line in wrong]


# One test per part of the site rather than per URL: the personas and their data are set up
# once for each, which keeps ~2,300 requests within a few minutes.
PARTS = {
    "site": lambda route: not route.startswith(("api/", "admin/")),
    "api": lambda route: route.startswith("api/"),
    "admin": lambda route: route.startswith("admin/"),
}


@pytest.mark.parametrize("part", PARTS)
def test_permission_table(clients, objects, part):
    wrong = []
    for route, name, pattern in ALL:
        if PARTS[part](route):
            wrong += _check(clients, objects, route, name, pattern)
    assert not wrong, "\n".join(wrong)


def test_table_size():
    """The size reported in docs/access.md: URL patterns × personas, plus writes."""
    writes = sum(len(ROWS[_row_key(r, n)].writes) for r, n, _p in ALL
                 if not _admin_model_page(r) and _row_key(r, n) in ROWS)
    assert len(ALL) > 250 and writes >= 20
