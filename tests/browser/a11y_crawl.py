"""Crawl every page a persona can reach and run axe-core on each (test_accessibility.py).

Pages are found two ways, so a page added later is crawled without anyone listing it here:
- following same-origin links from the start page (and from every page reached);
- every URL name the resolver knows that no link reached: names without parameters are
  visited as they are; parameters are filled from the objects the persona may see, chosen by
  the route's segment before the parameter (PARAMS). A route whose parameter has no rule is
  reported, not skipped.
URLs are deduplicated by pattern: a URL name is visited at most MAX_PER_NAME times per
language; with several parameters only the leading ones count (one criterion page per
assessment, not nine).

Besides pages reached by GET, each persona meets the error and empty states:
- every POST form with a required field (every form of our own pages; one add form of the
  admin) is submitted with its required fields emptied: the answer must be the same page with
  an error summary that has focus and links to fields that exist;
- every GET form with a search box is submitted with a query that matches nothing;
- a URL that does not exist (404) and every resolver URL the persona may not use (403/404).

It runs inside the test suite (on the live server) and on its own against a running server:
  DATABASE_URL=sqlite:////tmp/x.sqlite3 DJANGO_DEBUG=1 .venv/bin/python \
      tests/browser/a11y_crawl.py http://127.0.0.1:8000 demo-editor [en es pt-br]
"""

import hashlib
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

AXE = Path(__file__).resolve().parents[2] / ".ci/node/node_modules/axe-core/axe.min.js"
LANGUAGES = ("en", "es", "pt-br")
PERSONAS = {
    "anonymous": None,
    "editor": "demo-editor",
    "viewer": "demo-viewer",
    "secretariat": "demo-secretariat",
    "researcher": "demo-researcher",
}
PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo data's documented password
# English is crawled widest; Spanish and Portuguese pages have the same templates with other
# words, so each URL name is visited once there, and of the admin only the lists and change
# forms (its add, history and delete pages are Django's same templates, checked in English).
MAX_PER_NAME = {"en": 2, "es": 1, "pt-br": 1}
ADMIN_ENGLISH_ONLY = ("_add", "_history", "_delete", "password_change", "password_change_done")
NO_MATCH = "zzqx-nothing-matches"

# URL names that are not pages: files, data, actions. Each says why; a name the resolver
# knows that is neither reached as a page nor listed here fails the test.
NOT_PAGES = {
    "healthz": "a JSON health probe",
    "logout": "POST only (the sign-out button is a form)",
    "set_language": "POST only (the language switch is a form)",
    "cities:outcome-export": "a CSV/XLSX/JSON download",
    "cities:member-remove": "POST only",
    "criteria:library-export": "a CSV/XLSX/JSON download",
    "criteria:response-confirm": "POST only",
    "criteria:evidence-download": "a file download",
    "criteria:evidence-verify": "POST only",
    "criteria:comment-add": "POST only",
    "criteria:request-changes": "POST only",
    "criteria:publish": "POST only",
    "reports:brief-pdf": "a PDF (checked for text equivalents in tests/reports)",
    "reports:network-pdf": "a PDF (checked for text equivalents in tests/reports)",
    "reports:transition-memo-pdf": "a PDF (tagged, checked in tests/reports)",
    "reports:indicator-export": "a CSV/XLSX/JSON download",
    "reports:export-status": "an htmx fragment inside the exports page",
    "reports:export-retry": "POST only",
    "reports:export-download": "a ZIP download",
    "reports:audit-trail-export": "a CSV/XLSX/JSON download",
    "reports:compare-export": "a CSV/XLSX/JSON download",
    "reports:compare-trend-export": "a CSV/XLSX/JSON download",
    "reports:open-data-download": "a CSV/XLSX/JSON download",
    "reports:open-data-zip": "a ZIP download",
    "admin:view_on_site": "a redirect to the object's own page",
    "admin:jsi18n": "JavaScript",
    "admin:autocomplete": "JSON",
    "admin:logout": "POST only",
    "api:schema": "the OpenAPI document (YAML/JSON); its pages are api:docs and api:redoc",
}
# The API's resources are JSON; its human pages are the docs.
NOT_PAGE_PREFIXES = ("api:",)
API_PAGES = {"api:docs", "api:redoc"}
# Admin pages the secretariat uses: the index, each model's list and forms, history.
ADMIN_PAGE = re.compile(r"^admin:(index|app_list|login|password_change(_done)?|"
                        r"\w+_(changelist|add|change|history|delete))$")
# Links never followed: they leave the page's purpose (static files, uploaded files).
SKIP_PATH_PREFIXES = ("/static/", "/media/")


@dataclass
class Visit:
    lang: str
    url: str
    name: str
    status: int
    kind: str = "page"  # page · bad-input · no-match · not-found · conflict
    seconds: float = 0.0


@dataclass
class Report:
    persona: str
    visits: list = field(default_factory=list)
    violations: list = field(default_factory=list)  # (lang, url, kind, rule, impact, targets)
    problems: list = field(default_factory=list)  # anything else that is wrong, as text
    names: dict = field(default_factory=dict)  # url name -> set of statuses seen
    seconds: float = 0.0

    def summary(self):
        kinds = Counter(v.kind for v in self.visits)
        return (f"{self.persona}: {len(self.visits)} pages "
                f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}) "
                f"in {self.seconds:.0f} s")

    def failures(self):
        lines = [f"{lang} {kind} {url}: {rule} ({impact}) {targets}"
                 for lang, url, kind, rule, impact, targets in self.violations]
        return lines + self.problems


# --- the URL resolver ------------------------------------------------------------------------


def resolver_routes():
    """(name, route) for every named URL, route as written ("assessments/<int:pk>/")."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes = {}

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                routes.setdefault(namespace + p.name, prefix + str(p.pattern))

    walk(get_resolver().url_patterns, "", "")
    return routes


def is_page_name(name):
    if name in NOT_PAGES:
        return False
    if name.startswith(NOT_PAGE_PREFIXES):
        return name in API_PAGES
    if name.startswith("admin:"):
        return bool(ADMIN_PAGE.match(name))
    return True


def name_of(path):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None, {}
    return match.view_name, match.kwargs


def pattern_key(name, kwargs, query):
    """Several parameters: only the leading ones tell pages apart (one criterion page per
    assessment). Query strings: one page per set of parameter names."""
    values = list(kwargs.values())
    kept = tuple(str(v) for v in values[:-1]) if len(values) > 1 else ()
    return name, kept, tuple(sorted(k for k, _ in parse_qsl(query, keep_blank_values=True)))


def _user(username):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser

    if not username:
        return AnonymousUser()
    return get_user_model().objects.get(username=username)


def _first(qs, attr="pk"):
    obj = qs.first()
    return getattr(obj, attr) if obj is not None else None


def _assessment(user, **filters):
    from criteria.models import Assessment

    qs = Assessment.objects.visible_to(user).filter(**filters)
    editable = Assessment.objects.editable_by(user).filter(**filters)
    return _first(editable.order_by("pk")) or _first(qs.order_by("status", "pk"))


def _office(user):
    from cities.models import Office

    return (_first(Office.objects.editable_by(user).order_by("pk"), "slug")
            or _first(Office.objects.managed_by(user).order_by("pk"), "slug")
            or _first(Office.objects.order_by("pk"), "slug"))


def _membership(user):
    from cities.models import OfficeMembership

    return _first(OfficeMembership.objects.filter(office__slug=_office(user)).order_by("pk"))


def _evidence(user):
    from criteria.models import Assessment, Evidence

    drafts = Assessment.objects.editable_by(user)
    editable = Evidence.objects.filter(response__assessment__in=drafts)
    return (_first(editable.order_by("pk"))
            or _first(Evidence.objects.visible_to(user).order_by("pk")))


def _round(user):
    from criteria.models import Assessment

    return (Assessment.objects.visible_to(user).published()
            .order_by("round__opens_on", "round__code")
            .values_list("round__code", flat=True).first())


def _managed_round(user):
    from criteria.models import Round

    return _first(Round.objects.managed_by(user).order_by("pk"), "pk")


def _action(user):
    from criteria.models import Action, Assessment

    return _first(Action.objects.filter(assessment__in=Assessment.objects.visible_to(user))
                  .order_by("pk"), "pk")


def _target(user):
    from criteria.models import CriterionTarget

    return _first(CriterionTarget.objects.visible_to(user).order_by("pk"), "pk")


def _exchange(user):
    from criteria.models import ExchangeRequest

    return _first(ExchangeRequest.objects.visible_to(user).order_by("pk"), "pk")


def _workbook_upload(user):
    from criteria.models import WorkbookUpload

    if not getattr(user, "is_authenticated", False):
        return None
    return _first(WorkbookUpload.objects.filter(user=user).order_by("pk"), "key")


def _export(user):
    from reports.models import ExportJob

    return _first(ExportJob.objects.for_user(user).order_by("pk"))


def _city(user, **filters):
    from cities.models import City

    return _first(City.objects.filter(**filters).order_by("pk").distinct(), "slug")


def _criterion(user):
    from criteria.models import Criterion

    return _first(Criterion.objects.order_by("framework_id", "number"), "slug")


def _indicator(user):
    from cities.models import Indicator

    return (_first(Indicator.objects.editable_by(user).order_by("pk"))
            or _first(Indicator.objects.visible_to(user).order_by("pk")))


def _indicator_value(user):
    from cities.models import Indicator, IndicatorValue

    return _first(IndicatorValue.objects.filter(
        indicator__in=Indicator.objects.visible_to(user)).order_by("pk"))


def _transition(user):
    from cities.models import Office, Transition

    return (_first(Transition.objects.filter(office__in=Office.objects.editable_by(user))
                   .order_by("pk"))
            or _first(Transition.objects.order_by("pk")))


# (segment before the parameter, parameter name) -> value for this user, or None.
PARAMS = {
    ("assessments", "pk"): _assessment,
    ("briefs", "pk"): lambda u: _assessment(u, status="published"),
    ("criteria", "number"): lambda u: 1,
    ("criteria", "slug"): _criterion,
    ("offices", "slug"): _office,
    ("members", "pk"): _membership,
    ("evidence", "pk"): _evidence,
    ("rounds", "round"): _round,
    ("rounds", "pk"): _managed_round,
    ("actions", "pk"): _action,
    ("targets", "pk"): _target,
    ("exchanges", "pk"): _exchange,
    ("indicators", "pk"): _indicator,
    ("indicator-values", "pk"): _indicator_value,
    ("transitions", "pk"): _transition,
    ("uploads", "key"): _workbook_upload,
    ("keys", "pk"): lambda u: None,  # nobody in the demo has a security key
    ("exports", "pk"): _export,
    ("export.", "fmt"): lambda u: "csv",  # a download: fetched, not checked as a page
    ("cities", "slug"): _city,
    ("outcomes", "slug"): lambda u: _city(u, indicators__office__isnull=True),
    ("reset", "uidb64"): lambda u: "MQ",
    ("reset", "token"): lambda u: "expired-token",
}
# CSRF tokens (64 characters), different in every answer.
TOKEN = re.compile(rb"[A-Za-z0-9]{64}")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def fill(route, user):
    """The route with its parameters filled for `user`, or (None, reason)."""
    path = "/" + route.lstrip("^").rstrip("$")
    if any(c in path for c in "()[]?*+\\"):
        return None, "a regular-expression route"
    parts = []
    last = 0
    for m in PARAM.finditer(path):
        segment = [s for s in path[: m.start()].split("/") if s and not s.startswith("<")]
        before = segment[-1] if segment else ""
        rule = PARAMS.get((before, m.group("name")))
        if rule is None:
            return None, f"no rule in PARAMS for ({before!r}, {m.group('name')!r})"
        value = rule(user)
        if value is None:
            return None, "nothing of this kind for this persona"
        parts.append(path[last: m.start()] + str(value))
        last = m.end()
    parts.append(path[last:])
    return "".join(parts), ""


# --- in the browser --------------------------------------------------------------------------

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => [v.id, v.impact, v.nodes.slice(0, 3).map(n => n.target.join(' '))]);
}"""

# Our own pages: a skip link to <main>, exactly one <main>, one <h1>, a footer that links to
# the accessibility statement, the page's language in <html lang>.
OWN_PAGE_CHECK = """(lang) => {
  const out = [];
  const skip = document.querySelector('a.skip-link[href="#main"]');
  if (!skip) out.push('no skip link to #main');
  if (document.body.firstElementChild !== skip) out.push('the skip link is not first');
  if (document.querySelectorAll('main').length !== 1) out.push('not exactly one <main>');
  if (!document.getElementById('main')) out.push('no #main');
  if (document.querySelectorAll('h1').length !== 1) out.push('not exactly one <h1>');
  if (!document.querySelector('footer a[href$="/accessibility/"]'))
    out.push('no link to the accessibility statement in the footer');
  const actual = document.documentElement.lang;
  if (actual !== lang) out.push('html lang is ' + actual);
  return out;
}"""

# After a refused form: an error summary that has focus, each link pointing at a field.
ERROR_SUMMARY_CHECK = """() => {
  const out = [];
  const summary = document.querySelector('.error-summary[tabindex="-1"]') ||
    document.querySelector('.error-summary');
  if (!summary) return ['no error summary'];
  if (document.activeElement !== summary) out.push('the error summary does not have focus');
  summary.querySelectorAll('a[href^="#"]').forEach(a => {
    const target = document.getElementById(a.getAttribute('href').slice(1));
    if (!target) out.push('summary link to missing ' + a.getAttribute('href'));
    else if (!target.matches('input, select, textarea, fieldset, [tabindex]'))
      out.push('summary link to a non-field ' + a.getAttribute('href'));
  });
  return out;
}"""

SETTLE = """async () => {
  // plotly draws after load; Swagger UI and Redoc render the schema after fetching it.
  const until = async (test, ms) => {
    const end = Date.now() + ms;
    while (!test() && Date.now() < end) await new Promise(r => setTimeout(r, 50));
  };
  const charts = document.querySelectorAll('[data-plotly]');
  const drawn = () => [...charts].every(c => c.classList.contains('is-plotted'));
  if (charts.length) await until(drawn, 8000);
  if (document.getElementById('swagger-ui'))
    await until(() => document.querySelector('.swagger-ui .opblock'), 15000);
  if (document.querySelector('redoc'))
    await until(() => document.querySelector('redoc .api-content'), 15000);
}"""


class Crawler:
    def __init__(self, page, base, persona, *, user=None, log=print, documents=None):
        self.page = page
        self.base = base.rstrip("/")
        self.persona = persona
        self.username = PERSONAS[persona]
        self.user = user if user is not None else _user(self.username)
        self.report = Report(persona)
        self.log = log
        self.axe_source = AXE.read_text(encoding="utf-8") + "\n;true"
        self.routes = resolver_routes()
        self.timings = Counter()
        # (language, digest of the HTML) -> who checked it: a document served identically to
        # several personas (the API docs' shell) is checked once per language.
        self.documents = documents if documents is not None else {}
        self.digest = None

    # -- helpers
    def path_of(self, url):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.base:
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def sign_in(self):
        if not self.username:
            return
        page = self.page
        page.goto(self.base + "/accounts/login/")
        page.fill("#id_login", self.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.press("#id_password", "Enter")
        if page.locator("form[action$='/accounts/logout/']").count() == 0:
            raise AssertionError(f"{self.username} could not sign in")

    def choose_language(self, lang):
        page = self.page
        page.goto(self.base + "/")
        page.select_option("#language-select", lang)
        with page.expect_navigation():
            page.locator(".language-switch button[type=submit]").click()
        got = page.evaluate("document.documentElement.lang")
        if got != lang:
            raise AssertionError(f"asked for {lang}, the page is in {got}")

    def check(self, lang, url, name, status, kind):
        page = self.page
        started = time.monotonic()
        if self.digest and kind == "page":
            first = self.documents.setdefault((lang, self.digest), (self.persona, url))
            if first != (self.persona, url) and first[0] != self.persona:
                self.report.visits.append(Visit(lang, url, name, status, f"same as {first[0]}'s"))
                self.report.names.setdefault(name, set()).add(status)
                return
        self.report.visits.append(Visit(lang, url, name, status, kind))
        self.report.names.setdefault(name, set()).add(status)
        try:
            page.evaluate(SETTLE)
            page.evaluate(self.axe_source)
            found = page.evaluate(AXE_RUN)
        except Exception as exc:  # a page that navigated away mid-check, a script error
            self.report.problems.append(f"{lang} {kind} {url}: axe could not run: {exc}")
            return
        self.report.visits[-1].seconds = time.monotonic() - started
        self.timings["check"] += time.monotonic() - started
        for rule, impact, targets in found:
            self.report.violations.append((lang, url, kind, rule, impact, targets))
        if name and not name.startswith(("admin:", "api:")) and status < 500:
            for problem in page.evaluate(OWN_PAGE_CHECK, lang):
                self.report.problems.append(f"{lang} {kind} {url}: {problem}")
        if status >= 500:
            self.report.problems.append(f"{lang} {kind} {url}: server error {status}")

    def open(self, path):
        """GET `path`; (status, is_html) or (None, False) when it is not a page."""
        started = time.monotonic()
        try:
            return self._open(path)
        finally:
            self.timings["open"] += time.monotonic() - started

    def _open(self, path):
        try:
            response = self.page.goto(self.base + path, wait_until="load")
        except Exception as exc:  # a download starts instead of a page
            if "Download is starting" in str(exc):
                return None, False
            raise
        if response is None:
            return None, False
        ctype = response.headers.get("content-type", "")
        html = ctype.startswith("text/html")
        self.digest = None
        if html:
            body = TOKEN.sub(b"", response.body())
            self.digest = hashlib.sha256(body).hexdigest()
        return response.status, html

    def probe(self, path):
        """The status of GET `path` without rendering it (the browser's cookies go along)."""
        response = self.page.request.get(self.base + path, max_redirects=0)
        return response.status, response.headers.get("location", "")

    def links(self):
        hrefs = self.page.eval_on_selector_all(
            "a[href]", "els => els.map(e => e.href)")
        out = []
        for href in hrefs:
            path = self.path_of(href.split("#", 1)[0])
            if path and not path.startswith(SKIP_PATH_PREFIXES):
                out.append(path)
        return out

    # -- the crawl for one language
    def crawl_language(self, lang):
        seen_keys = set()
        per_name = Counter()
        visited_paths = set()
        queue = ["/"]
        forms_tried = set()
        admin_forms = 0
        error_pages_seen = set()

        def admit(path):
            split = urlsplit(path)
            name, kwargs = name_of(split.path)
            if name is None or not is_page_name(name) or path in visited_paths:
                return None
            key = pattern_key(name, kwargs, split.query)
            limit = MAX_PER_NAME[lang]
            if name.startswith("admin:"):
                if lang != "en" and name.endswith(ADMIN_ENGLISH_ONLY):
                    return None
                # The admin's pages are Django's templates filled per model: each model's
                # list, add and change form once (sorted, filtered and popup variants are
                # the same page); history and delete pages are the same for every model.
                if split.query and name != "admin:login":
                    return None
                key = (ADMIN_PAGE.match(name).group(3) or name
                       if name.endswith(("_history", "_delete")) else name)
                limit = 1
            if key in seen_keys or per_name[name] >= limit:
                return None
            seen_keys.add(key)
            per_name[name] += 1
            visited_paths.add(path)
            return name

        def visit(path, name, kind="page"):
            status, html = self.open(path)
            if status is None or not html:
                self.report.names.setdefault(name, set()).add("not html")
                return False
            final = self.path_of(self.page.url) or path
            final_name, _ = name_of(urlsplit(final).path)
            if final != path and final_name and final_name != name:
                # Redirected (e.g. to sign in): the page it lands on is crawled on its own.
                self.report.names.setdefault(name, set()).add(f"redirect to {final_name}")
                if admit(final):
                    self.check(lang, final, final_name, status, kind)
                    queue.extend(self.links())
                return True
            self.check(lang, path, name, status, kind)
            if status == 200:
                queue.extend(self.links())
                nonlocal admin_forms
                for form in self.forms():
                    index = form["index"]
                    fkey = (name, index)
                    if fkey in forms_tried:
                        continue
                    if name.startswith("admin:"):
                        if not name.endswith("_add") or admin_forms >= 1:
                            continue
                        admin_forms += 1
                    forms_tried.add(fkey)
                    self.try_form(lang, path, name, index, form)
            return True

        # 1. links from the start page, breadth first
        while queue:
            path = queue.pop(0)
            name = admit(path)
            if name:
                visit(path, name)
        # 2. URL names no link reached
        reached = {v.name for v in self.report.visits if v.lang == lang}
        for name, route in sorted(self.routes.items()):
            if not is_page_name(name) or name in reached:
                continue
            if name.startswith("admin:") and not ADMIN_PAGE.match(name):
                continue
            if name.startswith("admin:") and not name.endswith(("_changelist", "_add")):
                continue  # change forms are reached from the changelists by links
            path, why = fill(route, self.user)
            if path is None:
                if why.startswith("no rule"):
                    self.report.problems.append(f"{name} ({route}): {why}")
                else:
                    self.report.names.setdefault(name, set()).add(why)
                continue
            status, target = self.probe(path)
            self.report.names.setdefault(name, set()).add(status)
            if status in (403, 404):
                # Refused: the error page is checked once per status and language.
                if (status, lang) not in error_pages_seen:
                    error_pages_seen.add((status, lang))
                    if self.open(path)[1]:
                        self.check(lang, path, name, status, f"error {status}")
                continue
            if status != 200:
                continue  # a redirect (to sign in) or a method not allowed: nothing to see
            if admit(path):
                visit(path, name)
                while queue:  # and what those pages link to
                    more = queue.pop(0)
                    more_name = admit(more)
                    if more_name:
                        visit(more, more_name)
        # 3. a page that does not exist
        status, html = self.open("/no-such-page-here/")
        if html:
            self.check(lang, "/no-such-page-here/", "404", status, "not-found")
            if status != 404:
                self.report.problems.append(f"{lang} /no-such-page-here/ answered {status}")

    # -- forms: bad input and no-match searches
    FORMS = """() => [...document.forms].map((f, i) => ({
        index: i,
        method: (f.getAttribute('method') || 'get').toLowerCase(),
        required: [...f.elements]
          .filter(e => e.required && !e.disabled && e.type !== 'hidden').length,
        search: [...f.elements]
          .filter(e => e.type === 'search' || (e.name === 'q' && e.type === 'text'))
          .map(e => e.name),
        signOut: f.hasAttribute('data-sign-out') || f.classList.contains('language-switch'),
        visible: !!(f.offsetParent || f.closest('details')),
    }))"""

    def forms(self):
        return [f for f in self.page.evaluate(self.FORMS) if not f["signOut"]]

    def try_form(self, lang, path, name, index, form):
        page = self.page
        if form["method"] == "get" and form["search"]:
            query = urlencode({form["search"][0]: NO_MATCH})
            target = path.split("?", 1)[0] + "?" + query
            status, html = self.open(target)
            if html:
                self.check(lang, target, name, status, "no-match")
            return
        if form["method"] != "post" or not form["required"]:
            return
        # Empty every required field, drop the browser's own check, submit through the
        # form's first submit button so the server answers.
        page.evaluate("""(i) => {
            const f = document.forms[i];
            f.noValidate = true;
            f.closest('details')?.setAttribute('open', '');
            for (const e of f.elements) {
              if (!e.required || e.disabled || e.type === 'hidden') continue;
              if (e.type === 'checkbox' || e.type === 'radio') e.checked = false;
              else if (e.tagName === 'SELECT') e.selectedIndex = -1;
              else e.value = '';
            }
            window.onbeforeunload = null;
        }""", index)
        with page.expect_navigation():
            page.evaluate("""(i) => {
                const f = document.forms[i];
                f.dataset.submitting = '';
                const b = f.querySelector(
                  'button[type=submit], button:not([type]), input[type=submit]');
                HTMLFormElement.prototype.requestSubmit.call(f, b || undefined);
            }""", index)
        url = self.path_of(page.url) or path
        self.check(lang, url, name, 200, "bad-input")
        if not name.startswith("admin:"):
            for problem in page.evaluate(ERROR_SUMMARY_CHECK):
                self.report.problems.append(f"{lang} bad-input {path} form {index}: {problem}")
        page.goto(self.base + path)  # back to the page as it was

    # -- the merge screen: a real conflict between two tabs of the same editor
    def conflict(self, lang):
        from criteria.models import Assessment

        pk = _first(Assessment.objects.editable_by(self.user).order_by("pk"))
        if pk is None:
            return
        path = f"/assessments/{pk}/criteria/2/"
        first = self.page
        second = first.context.new_page()
        try:
            first.goto(self.base + path)
            second.goto(self.base + path)
            stamp = f"{lang} {time.time():.3f}"
            first.fill("#id_current_strengths", f"First tab's text {stamp}.")
            first.wait_for_selector("#save-status[data-state=saved]", timeout=15000)
            second.fill("#id_current_strengths", f"Second tab's text {stamp}.")
            second.wait_for_selector("#save-status[data-state=conflict]", timeout=15000)
            with second.expect_navigation():
                second.click("button[data-compare]")
            self.page = second
            self.check(lang, path, "criteria:response-edit", 200, "conflict")
            heading = second.locator("h1").inner_text()
            self.report.visits[-1].url += f" ({heading})"
        finally:
            self.page = first
            second.close()

    def run(self, languages=LANGUAGES):
        started = time.monotonic()
        self.sign_in()
        for lang in languages:
            t = time.monotonic()
            self.choose_language(lang)
            self.crawl_language(lang)
            if self.persona == "editor":
                self.conflict(lang)
            self.log(f"  {self.persona} {lang}: "
                     f"{sum(1 for v in self.report.visits if v.lang == lang)} pages "
                     f"in {time.monotonic() - t:.0f} s")
        self.report.seconds = time.monotonic() - started
        return self.report

    def uncovered(self):
        """Page names the resolver knows that this persona neither reached nor was refused."""
        return {name: statuses for name, statuses in self.report.names.items()
                if not statuses}


def main(argv):
    import os
    import sys

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ovp_assess.settings")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    django.setup()
    from playwright.sync_api import sync_playwright

    base, persona, *langs = argv
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        crawler = Crawler(page, base, persona)
        report = crawler.run(langs or LANGUAGES)
        browser.close()
    print(report.summary(), dict(crawler.timings))
    by_rule = defaultdict(list)
    for lang, url, kind, rule, _impact, targets in report.violations:
        by_rule[rule].append(f"{lang} {kind} {url} {targets}")
    for rule, where in sorted(by_rule.items()):
        print(f"== {rule}: {len(where)}")
        for w in where[:400]:
            print("   ", w)
    for p in report.problems:
        print("!!", p)
    for v in report.visits:
        print("  ", v.lang, v.kind, v.status, f"{v.seconds:.2f}", v.name, v.url)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
